"""The one time source: services default to utcnow(); tests freeze it; rules never call it."""
from datetime import datetime, timezone

_frozen: datetime | None = None


def utcnow() -> datetime:
    """Now, aware and in UTC (or the frozen instant in tests)."""
    return _frozen if _frozen is not None else datetime.now(timezone.utc)


def freeze(at: datetime | None) -> None:
    """Freeze the clock at an aware instant, or unfreeze with None (tests and demos only)."""
    global _frozen
    if at is not None and at.tzinfo is None:
        raise ValueError("freeze() needs an aware datetime")
    _frozen = at


def in_zone(at: datetime, tz) -> datetime:
    """`at` in a time zone, robust to any stored value: 0001-01-01 or 9999-12-31 stay in UTC instead of
    overflowing (an old device time must never break a page or an export)."""
    try:
        return at.astimezone(tz)
    except (OverflowError, ValueError):
        return at
