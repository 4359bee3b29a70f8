"""The roster page read: one statement ranks the clinic's summary rows and returns a page of ids and facts."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, func, literal, or_, select

from companion.accounts.models import Patient
from companion.db import UTCDateTime
from companion.extensions import db
from companion.roster import rules
from companion.roster.models import PatientSummary as S


@dataclass(frozen=True)
class Ranked:
    """One ranked summary row: the patient id, the attention bucket and the stored facts."""

    patient_id: int
    bucket: int
    last_checkin_at: datetime | None
    emergency_open: int
    urgent_open: int
    refill_due_on: date | None
    expects_checkins: bool


def bucket_sql(cut: rules.Cutoffs):
    """rules.bucket as SQL over the stored facts (the same order of tests), for ORDER BY."""
    quiet_before = literal(cut.quiet_before, UTCDateTime())
    return case((S.emergency_open > 0, 0), (S.urgent_open > 0, 1),
                (and_(S.refill_due_on.is_not(None), S.refill_due_on < cut.today), 2),
                (or_(and_(S.last_checkin_at.is_(None), S.expects_checkins),
                     and_(S.last_checkin_at.is_not(None), S.last_checkin_at < quiet_before)), 3), else_=4)


def _matching(stmt, search: str):
    """Narrowed by name or record number when a term is given (the record number lives on the patient)."""
    if not search:
        return stmt
    like = f"%{search.strip()}%"
    return stmt.join(Patient, Patient.id == S.patient_id).where(
        S.family_name.ilike(like) | S.given_name.ilike(like) | Patient.record_number.ilike(like))


def ranked_page(clinic_id: int, cut: rules.Cutoffs, search: str = "", offset: int = 0,
                limit: int | None = 50) -> tuple[list[Ranked], int]:
    """A page of the clinic's patients, neediest first then by name, and how many match: one statement."""
    rank = bucket_sql(cut)
    stmt = select(S.patient_id, rank, S.last_checkin_at, S.emergency_open, S.urgent_open, S.refill_due_on,
                  S.expects_checkins, func.count().over()).where(S.clinic_id == clinic_id)
    stmt = _matching(stmt, search).order_by(rank, S.family_name, S.given_name, S.patient_id).offset(offset).limit(limit)
    rows = db.session.execute(stmt).all()
    return [Ranked(*row[:7]) for row in rows], (rows[0][7] if rows else 0)


def clinic_size(clinic_id: int, search: str = "") -> int:
    """How many match, for a page past the end (rare: only then is a second statement run)."""
    return db.session.scalar(_matching(select(func.count()).select_from(S).where(S.clinic_id == clinic_id),
                                       search)) or 0
