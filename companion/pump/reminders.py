"""Refill reminder times, clinic review items and idempotency keys (pure: today/now passed in)."""
from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ReviewKind = Literal[
    "refill_overdue", "appointment_after_due", "no_appointment", "battery_replacement"]

# A refill due this soon with nothing booked needs a call now: three weeks leaves time to book.
REVIEW_WINDOW_DAYS = 45  # "no visit booked" from this many days before the due date (a clinic may change it)
# Replacement is booked about 6 months before shut-off [S10].
BATTERY_PLAN_MONTHS = 6
_RANK: dict[str, int] = {"refill_overdue": 0, "appointment_after_due": 1, "no_appointment": 2,
                         "battery_replacement": 3}
_TOKEN = re.compile(r"[A-Za-z0-9_-]+")


def _zone(tz: str) -> ZoneInfo:
    """The named IANA zone, or ValueError (ZoneInfoNotFoundError is a KeyError)."""
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"tz must be an IANA time zone name, got {tz!r}") from None


def refill_reminder_times(
    appointment_on: date,
    offsets_days: Iterable[int] = (14, 7, 2, 1, 0),
    local_time: time = time(9, 0),
    tz: str = "America/New_York",
    not_before: datetime | None = None,
) -> list[tuple[int, datetime]]:
    """(offset, UTC time) for each reminder at local_time, offset days before, earliest first."""
    zone = _zone(tz)
    if local_time.tzinfo is not None:
        raise ValueError("local_time must be a wall-clock time without tzinfo")
    if not_before is not None and not_before.utcoffset() is None:
        raise ValueError("not_before must be timezone-aware")
    offsets = list(offsets_days)
    for offset in offsets:
        if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
            raise ValueError(f"offsets_days must be whole days of 0 or more, got {offset!r}")
    times: list[tuple[int, datetime]] = []
    for offset in sorted(set(offsets), reverse=True):
        # Building the wall-clock time in the zone (not adding 24 h steps) keeps 09:00 at 09:00
        # across DST. fold=0: a repeated hour uses its first occurrence; a skipped hour is
        # read with the old offset, i.e. moved forward by the gap (02:30 -> 03:30).
        local = datetime.combine(appointment_on - timedelta(days=offset),
                                 local_time.replace(fold=0), tzinfo=zone)
        at = local.astimezone(timezone.utc)
        if not_before is not None and at < not_before:
            continue  # already past: a reminder sent late would be noise, not help
        times.append((offset, at))
    return times


@dataclass(frozen=True)
class ReviewItem:
    """One thing the clinic should act on for one patient."""

    patient_id: Any
    kind: ReviewKind
    on: date
    message: str


def _add_months(start: date, months: int) -> date:
    """Same day months later, clamped to the month's last day (31 Aug + 6 -> 28/29 Feb)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def battery_plan_by(today: date) -> date:
    """A battery window starting on or before this date needs its replacement planned now."""
    return _add_months(today, BATTERY_PLAN_MONTHS)


def clinic_review_items(today: date, patients: Iterable[Mapping[str, Any]],
                        no_visit_days: int = REVIEW_WINDOW_DAYS) -> list[ReviewItem]:
    """Refill and battery items for the clinic calendar, most urgent first."""
    items: list[ReviewItem] = []
    plan_battery_by = battery_plan_by(today)
    for patient in patients:
        pid = patient.get("patient_id")
        due: date | None = patient.get("due_on")
        appointment: date | None = patient.get("appointment_on")
        battery: date | None = patient.get("battery_window_start")
        if appointment is not None and appointment < today:
            appointment = None  # a past visit is not a booking for the refill still ahead
        if due is not None:
            item = _refill_item(pid, today, due, appointment, no_visit_days)
            if item is not None:
                items.append(item)
        if battery is not None and battery <= plan_battery_by:
            items.append(ReviewItem(pid, "battery_replacement", battery,
                                    f"Battery may run out from {battery.isoformat()}: plan the "
                                    "replacement surgery."))
    return sorted(items, key=lambda item: (_RANK[item.kind], item.on, str(item.patient_id)))


def _refill_item(pid: Any, today: date, due: date, appointment: date | None,
                 no_visit_days: int = REVIEW_WINDOW_DAYS) -> ReviewItem | None:
    """The single most urgent refill item for one patient, if any."""
    # One refill item per patient: "overdue" already implies the booking is too late.
    if due < today:
        return ReviewItem(pid, "refill_overdue", due,
                          f"Refill was due {due.isoformat()}, {(today - due).days} days ago.")
    if appointment is not None and appointment > due:
        return ReviewItem(pid, "appointment_after_due", due,
                          f"Refill appointment {appointment.isoformat()} is after the due date "
                          f"{due.isoformat()}: book earlier.")
    if appointment is None and (due - today).days <= no_visit_days:
        return ReviewItem(pid, "no_appointment", due,
                          f"Refill due {due.isoformat()} and no appointment is booked.")
    return None


def reminder_key(patient_id: int | str, kind: str, target_date: date, offset: int,
                 channel: str) -> str:
    """Stable idempotency key for one reminder on one channel, e.g. for a UNIQUE column."""
    for label, value in (("patient_id", patient_id), ("kind", kind), ("channel", channel)):
        # Separator-free parts make the key unambiguous: ("a:b", "c") never equals ("a", "b:c").
        if isinstance(value, bool) or not _TOKEN.fullmatch(str(value)):
            raise ValueError(f"{label} must be letters, digits, '_' or '-', got {value!r}")
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise ValueError(f"offset must be whole days of 0 or more, got {offset!r}")
    if isinstance(target_date, datetime) or not isinstance(target_date, date):
        raise ValueError(f"target_date must be a date, got {target_date!r}")
    return f"{patient_id}:{kind}:{target_date.isoformat()}:{offset}:{channel}"
