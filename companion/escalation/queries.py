"""Reads of cases and review items, always scoped to a clinic or to one patient."""
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import case as sql_case, select

from companion.escalation.models import Case, CaseRecipient, ReviewItem
from companion.extensions import db

QUEUE_STATUSES = ("open", "acknowledged")


def triage_queue(clinic_id: int, *, mine_user_id: int | None = None, tier: str | None = None) -> list[Case]:
    """Unresolved cases: open before acknowledged, emergency before urgent, oldest first."""
    query = select(Case).where(Case.clinic_id == clinic_id, Case.status.in_(QUEUE_STATUSES))
    if tier in ("emergency", "urgent"):
        query = query.where(Case.tier == tier)
    if mine_user_id is not None:
        query = query.where(Case.id.in_(select(CaseRecipient.case_id).where(CaseRecipient.user_id == mine_user_id)))
    return list(db.session.scalars(query.order_by(
        sql_case((Case.status == "open", 0), else_=1), sql_case((Case.tier == "emergency", 0), else_=1),
        Case.opened_at, Case.id)))


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


def review_list(clinic_id: int) -> list[ReviewItem]:
    """Routine items not yet cleared, oldest first."""
    return list(db.session.scalars(select(ReviewItem).where(
        ReviewItem.clinic_id == clinic_id, ReviewItem.cleared_at.is_(None)).order_by(ReviewItem.created_at, ReviewItem.id)))


def clinic_review_item(clinic_id: int, item_id: int) -> ReviewItem | None:
    """A review item of this clinic, or None."""
    return db.session.scalar(select(ReviewItem).where(ReviewItem.id == item_id, ReviewItem.clinic_id == clinic_id))


def local(at: datetime | None, timezone: str) -> datetime | None:
    """An instant in the clinic's time zone, for display."""
    return at.astimezone(ZoneInfo(timezone or "UTC")) if at else None


def minutes_between(start: datetime, end: datetime) -> int:
    """Whole minutes from start to end (negative if end is earlier)."""
    return int((end - start).total_seconds() // 60)
