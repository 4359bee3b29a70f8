"""Pure checks for clinic settings: time zone, hours, deadlines, thresholds, on-call rota, reminder days, invites."""
import hashlib
import math
import re
from datetime import datetime, time
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

WEEKDAYS = (0, 1, 2, 3, 4, 5, 6)  # Monday first, as datetime.weekday() counts
PHONE = re.compile(r"^\+?[0-9 ().\-]{3,40}$")
EMERGENCY = re.compile(r"^[0-9]{2,6}$")
# The longest an acknowledgement may wait; beyond these a red flag would sit unseen for too long.
MAX_ACK_MINUTES = {"emergency": 30, "urgent": 240}
# Input guards against typos, not clinical advice: past these a threshold would alert on ordinary days
# (the second-worst failure after a missed emergency). Reviewed by the clinical lead before changing.
GUARDS = {
    "breaths_per_min_min": ("max", 12),  # 12 breaths a minute is a normal resting adult rate
    "fever_c": ("min", 37.0),  # normal body temperature
    "infection_window_days": ("max", 365),  # CDC 1999 counts a year with an implant
    "refill_window_days": ("max", 30),
    "dose_increase_window_days": ("max", 30),
    "implant_window_days": ("max", 30),
    "mri_window_days": ("max", 30),
    "constipation_days": ("min", 1),
    "pain_rise_points": ("min", 1),
    "withdrawal_signs_min": ("min", 1),
    "dose_increases_for_mass": ("min", 1),
}
WHOLE_UNITS = ("days", "signs", "increases in 90 days", "breaths/min")


def timezone_error(name: str) -> str | None:
    """None when `name` is an IANA time zone this machine knows, else an error code."""
    name = (name or "").strip()
    if not name:
        return "required"
    if name not in available_timezones():
        return "unknown_timezone"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "unknown_timezone"
    return None


def phone_error(number: str, required: bool = True) -> str | None:
    """None for a phone number as people write it (digits, spaces, + - . and brackets)."""
    number = (number or "").strip()
    if not number:
        return "required" if required else None
    if not PHONE.match(number) or sum(ch.isdigit() for ch in number) < 3:
        return "bad_phone"
    return None


def emergency_error(number: str) -> str | None:
    """None for a short emergency number such as 911, 112, 999 or 000."""
    number = (number or "").strip()
    if not number:
        return "required"
    return None if EMERGENCY.match(number) else "bad_emergency"


def parse_days(text: str) -> list[int]:
    """'0,1,2' -> [0, 1, 2]: the stored working days, ignoring anything that is not a weekday."""
    return sorted({int(d) for d in (text or "").split(",") if d.strip().isascii() and d.strip().isdigit() and int(d) in WEEKDAYS})


def format_days(days) -> str:
    """[2, 0, 1] -> '0,1,2': working days as the escalation settings store them."""
    return ",".join(str(d) for d in sorted({int(d) for d in days if int(d) in WEEKDAYS}))


def hours_errors(start: int | None, end: int | None, days) -> dict[str, str]:
    """Field -> error code for working hours: a start before the end, and at least one working day."""
    errors = {}
    if start is None or not 0 <= start <= 23:
        errors["hours_start"] = "bad_hour"
    if end is None or not 1 <= end <= 24:
        errors["hours_end"] = "bad_hour"
    if not errors and end <= start:
        errors["hours_end"] = "end_before_start"
    if not list(days):
        errors["working_days"] = "no_days"
    return errors


def deadline_errors(emergency: int | None, urgent: int | None) -> dict[str, str]:
    """Field -> error code for acknowledgement deadlines: whole minutes, capped, emergency no later than urgent."""
    errors = {}
    for field, tier, value in (("emergency_ack_minutes", "emergency", emergency),
                               ("urgent_ack_minutes", "urgent", urgent)):
        if value is None or not 1 <= value <= MAX_ACK_MINUTES[tier]:
            errors[field] = f"ack_range_{tier}"
    if not errors and emergency > urgent:
        errors["emergency_ack_minutes"] = "emergency_after_urgent"
    return errors


def threshold_check(name: str, raw: str, default: float, direction: str, unit: str) -> tuple[float | None, str | None]:
    """Parse a typed threshold; (value, None) when it is as strict as the default or stricter, else (None, code).

    `direction` is "higher" when a larger value alerts more often, "lower" when a smaller one does.
    """
    text = (raw or "").strip().replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None, "not_a_number"
    if not math.isfinite(value) or value < 0:
        return None, "not_a_number"
    if unit in WHOLE_UNITS and value != int(value):
        return None, "whole_number"
    if (value < default) if direction == "higher" else (value > default):
        return None, "looser"
    kind, limit = GUARDS.get(name, (None, None))
    if (kind == "max" and value > limit) or (kind == "min" and value < limit):
        return None, f"guard_{kind}"
    return value, None


def guard_limit(name: str) -> float | None:
    """The typo-guard limit of a threshold (for the message), if it has one."""
    return GUARDS.get(name, (None, None))[1]


def invite_fingerprint(password_hash: str) -> str:
    """A short digest of the placeholder password: setting a real password changes it, so a link works once."""
    return hashlib.sha256((password_hash or "").encode()).hexdigest()[:20]


# --- On-call rota: weekly shifts in the clinic's time zone, as minutes of the week (Monday 00:00 = 0).
DAY_MINUTES = 24 * 60
WEEK_MINUTES = 7 * DAY_MINUTES
CLOCK = re.compile(r"^([01]?[0-9]|2[0-3])[:.h]([0-5][0-9])$")


class Shift(NamedTuple):
    """A weekly on-call shift as plain data (rows with the same attributes work too)."""

    weekday: int
    starts: time
    ends: time
    user_id: int


def parse_clock(text: str) -> time | None:
    """'17:00' or '7.30' -> a time of day; None when it is not one."""
    match = CLOCK.match((text or "").strip())
    return time(int(match.group(1)), int(match.group(2))) if match else None


def shift_span(shift) -> tuple[int, int]:
    """[start, end) in minutes of the week; an end at or before the start runs into the next day."""
    start = shift.starts.hour * 60 + shift.starts.minute
    length = shift.ends.hour * 60 + shift.ends.minute - start
    begin = shift.weekday * DAY_MINUTES + start
    return begin, begin + (length if length > 0 else length + DAY_MINUTES)


def on_call_at(shifts, local_datetime: datetime):
    """The user id on call at this clinic-local time by the weekly rota, or None (Sunday night wraps to Monday)."""
    minute = local_datetime.weekday() * DAY_MINUTES + local_datetime.hour * 60 + local_datetime.minute
    for shift in shifts:
        start, end = shift_span(shift)
        if start <= minute < end or start <= minute + WEEK_MINUTES < end:
            return shift.user_id
    return None


def overlapping_shift(new, shifts):
    """The first of `shifts` that shares any minute of the week with `new`, or None."""
    a, b = shift_span(new)
    for other in shifts:
        c, d = shift_span(other)
        if any(max(a, c + k) < min(b, d + k) for k in (-WEEK_MINUTES, 0, WEEK_MINUTES)):
            return other
    return None


def shift_errors(weekday: str, starts: str, ends: str) -> dict[str, str]:
    """Field -> error code for a new shift: a weekday 0-6 and two times of day."""
    errors = {}
    if (weekday or "").strip() not in {str(d) for d in WEEKDAYS}:
        errors["weekday"] = "bad_weekday"
    for field, value in (("starts", starts), ("ends", ends)):
        if parse_clock(value) is None:
            errors[field] = "bad_time"
    return errors


# --- Refill reminders: days before a booked visit, largest first.
DEFAULT_OFFSETS = (14, 7, 2, 1, 0)
MAX_OFFSET_DAYS, MAX_OFFSETS = 60, 6


def parse_offsets(text: str) -> tuple[int, ...]:
    """'14,7,0' -> (14, 7, 0): stored reminder days, largest first; unreadable parts are left out."""
    days = {int(p) for p in (text or "").split(",") if p.strip().isascii() and p.strip().isdigit()}
    return tuple(sorted((d for d in days if d <= MAX_OFFSET_DAYS), reverse=True))


def offsets_check(raw: str) -> tuple[tuple[int, ...] | None, str | None]:
    """Typed reminder days ('14, 7, 2') -> (days largest first, None), or (None, error code)."""
    parts = [p for p in re.split(r"[\s,;]+", (raw or "").strip()) if p]
    if not parts:
        return None, "offsets_required"
    if any(not (p.isascii() and p.isdigit()) or int(p) > MAX_OFFSET_DAYS for p in parts):
        return None, "offsets_range"
    days = [int(p) for p in parts]
    if len(set(days)) != len(days):
        return None, "offsets_duplicate"
    if len(days) > MAX_OFFSETS:
        return None, "offsets_count"
    return tuple(sorted(days, reverse=True)), None


def format_offsets(days) -> str:
    """(14, 7, 0) -> '14,7,0': reminder days as the clinic row stores them."""
    return ",".join(str(d) for d in days)


# --- The first check after a refill or dose increase: a few hours after, the clinic's choice (default 4).
FIRST_CHECK_MIN_HOURS, FIRST_CHECK_MAX_HOURS = 2, 12


def first_check_hours_error(hours: int | None) -> str | None:
    """An error code if the first post-refill check hour is missing or outside 2 to 12 hours, else None."""
    if hours is None:
        return "first_check_required"
    return None if FIRST_CHECK_MIN_HOURS <= hours <= FIRST_CHECK_MAX_HOURS else "first_check_range"
