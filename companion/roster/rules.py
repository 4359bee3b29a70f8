"""Pure roster arithmetic: the clinic-day cutoffs that turn stored facts into attention buckets (`now` passed in)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

QUIET_DAYS = 3  # no check-in for this many clinic days puts a patient on the attention list
OPEN_STATUSES = ("open", "acknowledged")  # a case counts on the roster until it is resolved
CONFIRMED = "confirmed"  # only a double-checked refill sets the due date


@dataclass(frozen=True)
class Cutoffs:
    """Today in the clinic's zone and the instant before which a last check-in makes a patient quiet."""

    today: date
    quiet_before: datetime


def cutoffs(now: datetime, tz_name: str | None) -> Cutoffs:
    """The read-time bounds: a check-in on clinic day `today - QUIET_DAYS` or earlier is before `quiet_before`."""
    zone = ZoneInfo(tz_name or "UTC")
    today = now.astimezone(zone).date()
    # The start of clinic day (today - QUIET_DAYS + 1): earlier instants fall on a day QUIET_DAYS or more ago.
    start = datetime.combine(today - timedelta(days=QUIET_DAYS - 1), time(0), tzinfo=zone)
    return Cutoffs(today, start.astimezone(timezone.utc))


def bucket(*, emergency_open: int, urgent_open: int, refill_due_on: date | None, last_checkin_at: datetime | None,
           expects_checkins: bool, cut: Cutoffs) -> int:
    """0 open emergency, 1 open urgent, 2 overdue refill, 3 quiet (none though implanted, or QUIET_DAYS+), 4 rest."""
    if emergency_open:
        return 0
    if urgent_open:
        return 1
    if refill_due_on is not None and refill_due_on < cut.today:
        return 2
    if (last_checkin_at is None and expects_checkins) or (last_checkin_at is not None
                                                         and last_checkin_at < cut.quiet_before):
        return 3
    return 4
