"""Pure checks for clinic settings: time zone, working hours, deadlines, thresholds, staff invite fingerprints."""
import hashlib
import math
import re
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
