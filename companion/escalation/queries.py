"""Reads of cases and review items, always scoped to a clinic or to one patient."""
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import case as sql_case, func, select
from sqlalchemy.orm import selectinload

from companion.accounts.models import CaregiverLink, Patient, User
from companion.clock import in_zone
from companion.escalation.models import Case, CaseEvent, CaseRecipient, ReviewItem
from companion.extensions import db

QUEUE_STATUSES = ("open", "acknowledged")


def _queue_query(clinic_id: int, *, mine_user_id: int | None = None, tier: str | None = None,
                 team_role: str | None = None, patient_id: int | None = None):
    """Unresolved cases of the clinic with the queue's filters (mine, my team, tier, patient)."""
    query = select(Case).where(Case.clinic_id == clinic_id, Case.status.in_(QUEUE_STATUSES))
    if tier in ("emergency", "urgent"):
        query = query.where(Case.tier == tier)
    if mine_user_id is not None:
        query = query.where(Case.id.in_(select(CaseRecipient.case_id).where(CaseRecipient.user_id == mine_user_id)))
    if team_role is not None:
        query = query.where(Case.id.in_(select(CaseRecipient.case_id).join(User, User.id == CaseRecipient.user_id)
                                        .where(User.role == team_role, User.clinic_id == clinic_id)))
    if patient_id is not None:
        query = query.where(Case.patient_id == patient_id)
    return query


def triage_queue(clinic_id: int, *, limit: int | None = None, offset: int = 0, now: datetime | None = None,
                 **filters) -> list[Case]:
    """Unresolved cases: overdue first, then open, then acknowledged; emergency before urgent, oldest first.

    Filters: mine_user_id, tier, team_role (cases routed to anyone with that role), patient_id.
    """
    overdue = (Case.status == "open") & (Case.ack_due_at <= now) if now else Case.id.is_(None)
    # The queue shows each case's patient and who it is routed to: load them for all cases at once.
    query = _queue_query(clinic_id, **filters).options(
        selectinload(Case.patient), selectinload(Case.recipients).selectinload(CaseRecipient.user))
    return list(db.session.scalars(query.order_by(
        sql_case((overdue, 0), (Case.status == "open", 1), else_=2), sql_case((Case.tier == "emergency", 0), else_=1),
        Case.opened_at, Case.id).limit(limit).offset(offset)))


def repeat_reports(case_ids: list[int]) -> dict[int, tuple[int, datetime]]:
    """For each case, how many reports of the same signs joined it while it waited, and when the last one came."""
    if not case_ids:
        return {}
    rows = db.session.execute(select(CaseEvent.case_id, func.count(CaseEvent.id), func.max(CaseEvent.at))
                              .where(CaseEvent.case_id.in_(case_ids), CaseEvent.kind == "reported_again")
                              .group_by(CaseEvent.case_id))
    return {case_id: (count, last) for case_id, count, last in rows}


def open_case_ids(clinic_id: int, **filters) -> list[int]:
    """Ids of every open case the filters keep (the page's new-case cue compares them between polls)."""
    query = _queue_query(clinic_id, **filters).where(Case.status == "open")
    return list(db.session.scalars(query.with_only_columns(Case.id).order_by(Case.id)))


def queue_count(clinic_id: int, **filters) -> int:
    """How many unresolved cases the filters keep."""
    return db.session.scalar(_queue_query(clinic_id, **filters).with_only_columns(func.count(Case.id))) or 0


def overdue_count(clinic_id: int, now: datetime) -> int:
    """How many of the clinic's cases nobody has acknowledged by their deadline (the staff navigation's count)."""
    return db.session.scalar(select(func.count(Case.id)).where(
        Case.clinic_id == clinic_id, Case.status == "open", Case.ack_due_at <= now)) or 0


def clinic_case(clinic_id: int, case_id: int) -> Case | None:
    """A case of this clinic, or None (another clinic's case does not exist for you)."""
    return db.session.scalar(select(Case).where(Case.id == case_id, Case.clinic_id == clinic_id))


def patient_case(patient_id: int, case_id: int) -> Case | None:
    """One of this patient's own cases, or None."""
    return db.session.scalar(select(Case).where(Case.id == case_id, Case.patient_id == patient_id))


def patient_cases(patient_id: int, limit: int = 20) -> list[Case]:
    """The patient's cases, newest first."""
    return list(db.session.scalars(select(Case).where(Case.patient_id == patient_id)
                                   .order_by(Case.opened_at.desc(), Case.id.desc()).limit(limit)))


def open_patient_cases(patient_id: int) -> list[Case]:
    """The patient's cases not yet resolved (home shows them until the care team closes them), newest first."""
    return list(db.session.scalars(select(Case).where(Case.patient_id == patient_id, Case.status != "resolved")
                                   .order_by(Case.opened_at.desc(), Case.id.desc())))


def _review_query(clinic_id: int, patient_id: int | None):
    query = select(ReviewItem).where(ReviewItem.clinic_id == clinic_id, ReviewItem.cleared_at.is_(None))
    return query if patient_id is None else query.where(ReviewItem.patient_id == patient_id)


def review_list(clinic_id: int, patient_id: int | None = None, limit: int | None = None) -> list[ReviewItem]:
    """Routine items not yet cleared, oldest first (optionally of one patient)."""
    query = _review_query(clinic_id, patient_id).options(selectinload(ReviewItem.patient))
    return list(db.session.scalars(query.order_by(ReviewItem.created_at, ReviewItem.id).limit(limit)))


def review_count(clinic_id: int, patient_id: int | None = None) -> int:
    """How many routine items wait for review."""
    return db.session.scalar(_review_query(clinic_id, patient_id).with_only_columns(func.count(ReviewItem.id))) or 0


def queue_patients(clinic_id: int) -> list[Patient]:
    """Patients with an unresolved case or an uncleared review item (the queue's patient filter), by name."""
    with_case = select(Case.patient_id).where(Case.clinic_id == clinic_id, Case.status.in_(QUEUE_STATUSES))
    with_item = select(ReviewItem.patient_id).where(ReviewItem.clinic_id == clinic_id, ReviewItem.cleared_at.is_(None))
    return list(db.session.scalars(select(Patient).where(
        Patient.clinic_id == clinic_id, Patient.id.in_(with_case.union(with_item)))
        .order_by(Patient.family_name, Patient.given_name)))


def clinic_review_item(clinic_id: int, item_id: int) -> ReviewItem | None:
    """A review item of this clinic, or None."""
    return db.session.scalar(select(ReviewItem).where(ReviewItem.id == item_id, ReviewItem.clinic_id == clinic_id))


def local(at: datetime | None, timezone: str) -> datetime | None:
    """An instant in the clinic's time zone, for display."""
    return in_zone(at, ZoneInfo(timezone or "UTC")) if at else None


def minutes_between(start: datetime, end: datetime) -> int:
    """Whole minutes from start to end (negative if end is earlier)."""
    return int((end - start).total_seconds() // 60)


def patient_phones(patient: Patient) -> list[tuple[str, User]]:
    """("patient" | "caregiver", account) for the patient's own account and each linked caregiver with a phone."""
    people = [("patient", patient.user)] if patient.user is not None else []
    people += [("caregiver", link.caregiver) for link in db.session.scalars(select(CaregiverLink).where(
        CaregiverLink.patient_id == patient.id, CaregiverLink.accepted_at.is_not(None),
        CaregiverLink.revoked_at.is_(None), CaregiverLink.caregiver_id.is_not(None)).order_by(CaregiverLink.id))]
    return [(who, user) for who, user in people if user is not None and user.active and user.phone]


def case_phones(case: Case) -> list[tuple[str, User]]:
    """The numbers to call about a case: the patient's and their caregivers'."""
    return patient_phones(case.patient)
