"""Helpers shared by the pump views: dates in the clinic's words and the patient's refill status."""
from datetime import date, datetime

from flask_babel import format_date, format_datetime

from companion.i18n import pattern
from companion.pump import queries, schedule


def fmt_date(value: date | None, long: bool = True) -> str:
    """A date people read easily ("Monday 21 December 2026")."""
    if value is None:
        return ""
    return format_date(value, pattern("EEEE d MMMM y" if long else "d MMM y"))


def fmt_time(value: datetime | None, clinic, long: bool = True) -> str:
    """A UTC instant as clinic-local date and time (short form for staff tables)."""
    if value is None:
        return ""
    local = value.astimezone(queries.clinic_zone(clinic))
    return format_datetime(local.replace(tzinfo=None), pattern("EEEE d MMMM y, h:mm a" if long else "EEE d MMM y, h:mm a"))


def fmt_day(value: date) -> str:
    """A calendar day heading ("Mon 23 Nov")."""
    return format_date(value, "EEE d MMM")


def fmt_clock(value: datetime, clinic) -> str:
    """Clinic-local time of day ("9:30 AM")."""
    local = value.astimezone(queries.clinic_zone(clinic))
    return format_datetime(local.replace(tzinfo=None), pattern("h:mm a"))


def refill_status(patient, now: datetime) -> dict:
    """Due date, countdown, alarm date and the booked visit, with the flags both sides show."""
    today = now.astimezone(queries.clinic_zone(patient.clinic)).date()
    record = queries.latest_confirmed(patient)
    appointment = queries.next_appointment(patient, now)
    appointment_on = queries.local_date(patient.clinic, appointment.starts_at) if appointment else None
    due = record.due_on if record else None
    return {
        "record": record, "today": today, "due_on": due, "alarm_on": record.alarm_on if record else None,
        "days_left": schedule.days_until(due, today) if due else None,
        "appointment": appointment, "appointment_on": appointment_on,
        "appointment_late": bool(due and appointment_on and appointment_on > due),
        "overdue": bool(due and due < today),
    }
