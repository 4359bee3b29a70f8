"""The only writer of patient_summary: each writing service calls it inside its own transaction (one statement)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (Date, Integer, Select, String, case, column, delete, false, func, insert, literal, select, table,
                        true, update)

from companion.db import UTCDateTime
from companion.extensions import db
from companion.roster import rules
from companion.roster.models import PatientSummary

# The source tables, named here rather than imported: the roster sits below diary, escalation and pump.
_patient = table("patient", column("id", Integer), column("clinic_id", Integer), column("family_name", String),
                 column("given_name", String), column("implanted_on", Date))
_diary = table("diary_entry", column("patient_id"), column("kind"), column("recorded_at", UTCDateTime()))
_case = table("escalation_case", column("id"), column("patient_id"), column("tier"), column("status"))
_refill = table("pump_refill", column("id"), column("patient_id"), column("status"),
                column("performed_at", UTCDateTime()), column("due_on", Date))
_summary = PatientSummary.__table__


def _open_cases(patient_id, tier: str):
    """Open or acknowledged cases of one tier (served by the case table's patient index)."""
    return (select(func.count(_case.c.id)).where(_case.c.patient_id == patient_id, _case.c.tier == tier,
                                                 _case.c.status.in_(rules.OPEN_STATUSES)).scalar_subquery())


def _facts(patient_id) -> dict:
    """The history-derived facts as correlated subqueries on `patient_id` (one index descent each)."""
    last = select(func.max(_diary.c.recorded_at)).where(_diary.c.patient_id == patient_id,
                                                        _diary.c.kind == "checkin").scalar_subquery()
    due = (select(_refill.c.due_on).where(_refill.c.patient_id == patient_id, _refill.c.status == rules.CONFIRMED)
           .order_by(_refill.c.performed_at.desc(), _refill.c.id.desc()).limit(1).scalar_subquery())
    return {"last_checkin_at": last, "emergency_open": _open_cases(patient_id, "emergency"),
            "urgent_open": _open_cases(patient_id, "urgent"), "refill_due_on": due}


def recompute(*where) -> Select:
    """Every summary column recomputed from the source tables (rebuild, backfill check, consistency tests)."""
    p = _patient.c
    columns = {"patient_id": p.id, "clinic_id": p.clinic_id, "family_name": p.family_name, "given_name": p.given_name,
               "expects_checkins": case((p.implanted_on.is_(None), false()), else_=true()),
               **_facts(p.id)}
    return select(*(value.label(name) for name, value in columns.items())).where(*where)


def _insert_from(query: Select) -> None:
    """INSERT ... SELECT of recomputed rows."""
    db.session.execute(insert(_summary).from_select([c.name for c in query.selected_columns], query))


def patient_added(patient_id: int) -> None:
    """A new patient record gets its row (call after the patient's flush, before the commit)."""
    _insert_from(recompute(_patient.c.id == patient_id))


def checkin_recorded(patient_id: int, recorded_at: datetime) -> None:
    """A check-in moves the last check-in time forward only (a replayed older entry leaves it): one UPDATE."""
    at = literal(recorded_at, UTCDateTime())
    last = _summary.c.last_checkin_at
    db.session.execute(update(_summary).where(_summary.c.patient_id == patient_id).values(
        last_checkin_at=case((last.is_(None) | (last < at), at), else_=last)))


def refresh(patient_id: int) -> None:
    """Cases or refills changed: recompute the history-derived facts in one UPDATE (flushes pending rows first)."""
    db.session.flush()
    db.session.execute(update(_summary).where(_summary.c.patient_id == patient_id)
                       .values(**_facts(_summary.c.patient_id)))


def rebuild(clinic_id: int | None = None) -> int:
    """Replace every row (or one clinic's) by a full recomputation: repair, bench seeding; returns rows written."""
    mine = [] if clinic_id is None else [_summary.c.clinic_id == clinic_id]
    db.session.execute(delete(_summary).where(*mine))
    _insert_from(recompute(*([] if clinic_id is None else [_patient.c.clinic_id == clinic_id])))
    # psycopg reports no row count for INSERT ... SELECT: count what is there now.
    return db.session.scalar(select(func.count()).select_from(_summary).where(*mine))
