"""Read-only look-ups of audit events for the admin viewer: filtered, named, paged."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from companion.accounts.models import Patient, User
from companion.audit.models import AuditEvent
from companion.extensions import db


@dataclass(frozen=True)
class Filters:
    """What the admin narrowed the log to (all optional); times are UTC, `until` is exclusive."""

    user_id: int | None = None
    patient_id: int | None = None
    action: str = ""
    since: datetime | None = None
    until: datetime | None = None


def _filtered(clinic_id: int, f: Filters):
    """The clinic's events matching the filters, newest first, with the actor's name and the record number."""
    actor, patient = aliased(User), aliased(Patient)
    stmt = (select(AuditEvent, actor.display_name, patient.record_number)
            .outerjoin(actor, actor.id == AuditEvent.user_id)
            .outerjoin(patient, patient.id == AuditEvent.patient_id)
            .where(AuditEvent.clinic_id == clinic_id))
    if f.user_id:
        stmt = stmt.where(AuditEvent.user_id == f.user_id)
    if f.patient_id:
        stmt = stmt.where(AuditEvent.patient_id == f.patient_id)
    if f.action:
        stmt = stmt.where(AuditEvent.action == f.action)
    if f.since:
        stmt = stmt.where(AuditEvent.at >= f.since)
    if f.until:
        stmt = stmt.where(AuditEvent.at < f.until)
    return stmt.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


def search(clinic_id: int, filters: Filters, *, page: int = 1, per_page: int = 50) -> tuple[list, int]:
    """One page of (event, user name, record number) rows and the total number of matching events."""
    stmt = _filtered(clinic_id, filters)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = db.session.execute(stmt.limit(per_page).offset((max(page, 1) - 1) * per_page)).all()
    return list(rows), total


def export_rows(clinic_id: int, filters: Filters, limit: int = 100_000) -> list:
    """Every matching (event, user name, record number) row for the CSV export."""
    return list(db.session.execute(_filtered(clinic_id, filters).limit(limit)).all())


def actions(clinic_id: int) -> list[str]:
    """The distinct actions recorded for the clinic, for the action filter."""
    return list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.clinic_id == clinic_id)
                                   .distinct().order_by(AuditEvent.action)))


def events_for_clinic(clinic_id: int, *, user_id: int | None = None, patient_id: int | None = None,
                      action: str = "", since: datetime | None = None, limit: int = 200) -> list[AuditEvent]:
    """The clinic's newest audit events, filtered (events only)."""
    rows = export_rows(clinic_id, Filters(user_id, patient_id, action, since), limit=limit)
    return [row[0] for row in rows]


def patient_by_record_number(clinic_id: int, record_number: str) -> Patient | None:
    """The clinic's patient with exactly this record number (other clinics' patients are never found)."""
    return db.session.scalar(select(Patient).where(Patient.clinic_id == clinic_id,
                                                   Patient.record_number == record_number.strip()))
