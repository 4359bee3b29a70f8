"""The roster page read: one statement ranks the clinic's summary rows and returns a page of ids and facts."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import String, and_, case, column, func, literal, or_, select, table, union_all

from companion.db import UTCDateTime
from companion.extensions import db
from companion.roster import rules
from companion.roster.models import PatientSummary as S

# Named, not imported: the roster sits below accounts' services (which write it), so it imports no capability.
_patient = table("patient", column("id"), column("record_number", String))


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


def bucket_conditions(cut: rules.Cutoffs) -> list:
    """rules.bucket as five disjoint SQL conditions (NULLs spelt out: no three-valued surprises)."""
    quiet_before = literal(cut.quiet_before, UTCDateTime())
    no_cases = and_(S.emergency_open == 0, S.urgent_open == 0)
    overdue = and_(S.refill_due_on.is_not(None), S.refill_due_on < cut.today)
    not_overdue = or_(S.refill_due_on.is_(None), S.refill_due_on >= cut.today)
    quiet = or_(and_(S.last_checkin_at.is_(None), S.expects_checkins),
                and_(S.last_checkin_at.is_not(None), S.last_checkin_at < quiet_before))
    calm = or_(and_(S.last_checkin_at.is_(None), ~S.expects_checkins),
               and_(S.last_checkin_at.is_not(None), S.last_checkin_at >= quiet_before))
    return [S.emergency_open > 0, and_(S.emergency_open == 0, S.urgent_open > 0), and_(no_cases, overdue),
            and_(no_cases, not_overdue, quiet), and_(no_cases, not_overdue, calm)]


def bucket_sql(cut: rules.Cutoffs):
    """The bucket as one CASE expression (searches and whole-list exports sort by it)."""
    return case(*((condition, n) for n, condition in enumerate(bucket_conditions(cut))), else_=4)


_FACTS = (S.patient_id, S.last_checkin_at, S.emergency_open, S.urgent_open, S.refill_due_on, S.expects_checkins)
_NAME_ORDER = (S.family_name, S.given_name, S.patient_id)


def _matching(stmt, search: str):
    """Narrowed by name or record number when a term is given (the record number lives on the patient)."""
    if not search:
        return stmt
    like = f"%{search.strip()}%"
    return stmt.join(_patient, _patient.c.id == S.patient_id).where(
        S.family_name.ilike(like) | S.given_name.ilike(like) | _patient.c.record_number.ilike(like))


def ranked_page(clinic_id: int, cut: rules.Cutoffs, search: str = "", offset: int = 0,
                limit: int | None = 50) -> tuple[list[Ranked], int]:
    """A page of the clinic's patients, neediest first then by name, and how many match: one statement."""
    if search or limit is None:
        return _sorted_whole(clinic_id, cut, search, offset, limit)
    # Each bucket is its own ordered, limited branch: the calm majority is read along the name index and stops
    # after offset + limit rows; the rare buckets are small ranges (cases, overdue dates, old check-ins).
    wanted = offset + limit
    branches = [select(literal(n).label("bucket"), *_FACTS, *_NAME_ORDER[:2])
                .where(S.clinic_id == clinic_id, condition).order_by(*_NAME_ORDER).limit(wanted).subquery()
                for n, condition in enumerate(bucket_conditions(cut))]
    merged = union_all(*(select(*branch.c) for branch in branches)).subquery()
    total = select(func.count()).select_from(S).where(S.clinic_id == clinic_id).scalar_subquery()
    stmt = (select(merged.c.patient_id, merged.c.bucket, *(merged.c[c.name] for c in _FACTS[1:]), total)
            .order_by(merged.c.bucket, merged.c.family_name, merged.c.given_name, merged.c.patient_id)
            .offset(offset).limit(limit))
    rows = db.session.execute(stmt).all()
    return [Ranked(*row[:7]) for row in rows], (rows[0][7] if rows else 0)


def _sorted_whole(clinic_id: int, cut: rules.Cutoffs, search: str, offset: int, limit: int | None):
    """Every matching row ranked by the CASE expression (a search narrows the set first; exports want all)."""
    rank = bucket_sql(cut)
    stmt = select(S.patient_id, rank, *_FACTS[1:], func.count().over()).where(S.clinic_id == clinic_id)
    stmt = _matching(stmt, search).order_by(rank, *_NAME_ORDER).offset(offset).limit(limit)
    rows = db.session.execute(stmt).all()
    return [Ranked(*row[:7]) for row in rows], (rows[0][7] if rows else 0)


def clinic_size(clinic_id: int, search: str = "") -> int:
    """How many match, for a page past the end (rare: only then is a second statement run)."""
    return db.session.scalar(_matching(select(func.count()).select_from(S).where(S.clinic_id == clinic_id),
                                       search)) or 0
