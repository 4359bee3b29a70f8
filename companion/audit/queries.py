"""Read-only look-ups of audit events for the admin viewer."""
from datetime import datetime

from sqlalchemy import select

from companion.audit.models import AuditEvent
from companion.extensions import db


def events_for_clinic(clinic_id: int, *, user_id: int | None = None, patient_id: int | None = None,
                      action: str = "", since: datetime | None = None, limit: int = 200) -> list[AuditEvent]:
    """The clinic's newest audit events, filtered."""
    stmt = select(AuditEvent).where(AuditEvent.clinic_id == clinic_id)
    if user_id:
        stmt = stmt.where(AuditEvent.user_id == user_id)
    if patient_id:
        stmt = stmt.where(AuditEvent.patient_id == patient_id)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if since:
        stmt = stmt.where(AuditEvent.at >= since)
    return list(db.session.scalars(stmt.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)))
