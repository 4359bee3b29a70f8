"""Pure care-team decisions: what needs attention first, check-in gaps and deadline arithmetic (`now` passed in)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from companion.roster.rules import QUIET_DAYS  # one definition: the roster's ranking reads it too

RANGES = (30, 90, 365)


@dataclass(frozen=True)
class Deadline:
    """Minutes left to the acknowledgement deadline (negative once passed)."""

    minutes_left: int

    @property
    def passed(self) -> bool:
        """The deadline has gone by."""
        return self.minutes_left < 0


def deadline(ack_due_at: datetime, now: datetime) -> Deadline:
    """Whole minutes from now to the deadline, rounded towards the past (59 s left is 0 min, 1 s late is -1)."""
    return Deadline(int((ack_due_at - now).total_seconds() // 60))


def days_without_checkin(last_checkin_on: date | None, today: date, expected: bool) -> int | None:
    """Days since the last check-in; None when none is expected and none was ever made."""
    if last_checkin_on is None:
        return None if not expected else -1  # -1: expected but never checked in
    return (today - last_checkin_on).days


def quiet(days: int | None) -> bool:
    """Whether the check-in gap needs attention (never checked in though expected, or 3+ days)."""
    return days is not None and (days < 0 or days >= QUIET_DAYS)


def refill_overdue(due_on: date | None, today: date) -> bool:
    """The refill due date has passed."""
    return due_on is not None and due_on < today


def appointment_late(due_on: date | None, appointment_on: date | None) -> bool:
    """The booked visit is after the date the refill is due (shown in red)."""
    return due_on is not None and appointment_on is not None and appointment_on > due_on


def attention_rank(*, emergency_cases: int, urgent_cases: int, overdue: bool, quiet_days: int | None) -> int:
    """0 open emergency, 1 open urgent, 2 overdue refill, 3 no check-in for 3+ days, 4 the rest."""
    if emergency_cases:
        return 0
    if urgent_cases:
        return 1
    if overdue:
        return 2
    if quiet(quiet_days):
        return 3
    return 4


def days_choice(raw: str | None, default: int = 30) -> int:
    """The chart range from the query string: 30, 90 or 365 days."""
    return int(raw) if raw in {str(n) for n in RANGES} else default
