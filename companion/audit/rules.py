"""Pure parsing of the audit viewer's date filters: clinic-local days to a UTC range."""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_DAYS = 7


def parse_day(text: str) -> date | None:
    """A YYYY-MM-DD date from 1900 to 2999, or None when empty or malformed (9999-12-31 + 1 day overflows)."""
    try:
        day = date.fromisoformat((text or "").strip())
    except ValueError:
        return None
    return day if 1900 <= day.year <= 2999 else None


def day_range(from_text: str, to_text: str, tz: str, today: date) -> tuple[date, date, dict[str, str]]:
    """The first and last clinic-local day to show (last 7 days by default) and field -> error code."""
    errors = {}
    start, end = parse_day(from_text), parse_day(to_text)
    if from_text.strip() and start is None:
        errors["from"] = "bad_date"
    if to_text.strip() and end is None:
        errors["to"] = "bad_date"
    end = end or today
    start = start or end - timedelta(days=DEFAULT_DAYS - 1)
    if not errors and end < start:
        errors["to"] = "to_before_from"
    return start, end, errors


def utc_bounds(start: date, end: date, tz: str) -> tuple[datetime, datetime]:
    """[start 00:00, the day after end 00:00) in the clinic's zone, as UTC instants."""
    zone = ZoneInfo(tz or "UTC")
    since = datetime.combine(start, time.min, tzinfo=zone)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
    return since.astimezone(ZoneInfo("UTC")), until.astimezone(ZoneInfo("UTC"))


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """A CSV cell a spreadsheet will not run as a formula (CSV injection); numbers like -5 stay as they are."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START):
        try:
            float(text)
        except ValueError:
            return "'" + text
    return text
