"""Reads for the clinic quality report: plain facts for reports.rules, converted to the clinic's time zone."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from companion.accounts.models import Clinic, Patient, User
from companion.careteam.reports import rules
from companion.diary.models import DiaryEntry
from companion.escalation.models import Case, ReviewItem
from companion.escalation.routing import settings_for
from companion.extensions import db

PERIODS = {"week": (rules.weeks, 12), "month": (rules.months, 6)}


def clinic_report(clinic: Clinic, now: datetime, by: str = "week") -> list[rules.PeriodStats]:
    """The clinic's figures per week (last 12) or month (last 6), oldest first."""
    zone = ZoneInfo(clinic.timezone or "UTC")
    today = now.astimezone(zone).date()
    make, count = PERIODS.get(by, PERIODS["week"])
    periods = make(today, count)
    since = datetime.combine(periods[0].start, datetime.min.time(), zone) - timedelta(days=1)
    settings = settings_for(clinic.id)
    local = lambda at: at.astimezone(zone) if at else None  # noqa: E731 - one conversion for every fact
    cases = [rules.CaseFact(local(c.opened_at), c.tier, local(c.acknowledged_at), c.notify_round, c.resolution)
             for c in db.session.scalars(select(Case).where(Case.clinic_id == clinic.id, Case.opened_at >= since))]
    reviews = [rules.ReviewFact(local(r.created_at), local(r.cleared_at)) for r in db.session.scalars(
        select(ReviewItem).where(ReviewItem.clinic_id == clinic.id, ReviewItem.created_at >= since))]
    starts, done, flags = _checkins(clinic.id, zone, since)
    working = frozenset(int(d) for d in (settings.working_days or "").split(",") if d.strip().isdigit())
    deadlines = {"emergency": settings.emergency_ack_minutes or 15, "urgent": settings.urgent_ack_minutes or 60}
    return rules.report(periods, cases=cases, deadlines=deadlines, starts=starts, done_days=done, alert_flags=flags,
                        reviews=reviews, working_days=working, now=now.astimezone(zone), today=today)


def _checkins(clinic_id: int, zone: ZoneInfo, since: datetime):
    """Each patient's expected start, the days they checked in, and (day, alerted) for every check-in since."""
    first = (select(DiaryEntry.patient_id, func.min(DiaryEntry.recorded_at))
             .where(DiaryEntry.kind == "checkin").group_by(DiaryEntry.patient_id).subquery())
    rows = db.session.execute(
        select(Patient.id, Patient.implanted_on, User.created_at, first.c[1])
        .outerjoin(User, User.id == Patient.user_id).outerjoin(first, first.c.patient_id == Patient.id)
        .where(Patient.clinic_id == clinic_id))
    starts = {pid: rules.expected_start(implanted, account.astimezone(zone).date() if account else None,
                                        first_at.astimezone(zone).date() if first_at else None)
              for pid, implanted, account, first_at in rows}
    done: dict[int, set] = defaultdict(set)
    flags = []
    for pid, at, tier in db.session.execute(
            select(DiaryEntry.patient_id, DiaryEntry.recorded_at, DiaryEntry.tier)
            .join(Patient, Patient.id == DiaryEntry.patient_id)
            .where(Patient.clinic_id == clinic_id, DiaryEntry.kind == "checkin", DiaryEntry.recorded_at >= since)):
        day = at.astimezone(zone).date()
        done[pid].add(day)
        flags.append((day, tier != "none"))
    return starts, done, flags
