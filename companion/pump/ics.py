"""The refill visit as an iCalendar file (no drug or health details: it may sync to other services)."""
from datetime import datetime, timedelta

from flask_babel import gettext as _
from icalendar import Alarm, Calendar, Event

from companion.accounts.models import Clinic
from companion.pump.models import Appointment


def appointment_calendar(appointment: Appointment, clinic: Clinic, now: datetime) -> bytes:
    """One VEVENT in UTC with a reminder the day before; the UID is stable so re-imports update it."""
    calendar = Calendar()
    calendar.add("prodid", "-//Companion//Pump refill visit//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"refill-visit-{appointment.id}@companion")
    event.add("dtstamp", now)
    event.add("dtstart", appointment.starts_at)
    event.add("dtend", appointment.starts_at + timedelta(minutes=appointment.minutes or 30))
    event.add("summary", _("Pump refill visit - %(clinic)s", clinic=clinic.name))
    event.add("location", clinic.name)
    event.add("description", _("Pump refill visit. To change it, call %(phone)s.", phone=clinic.phone))
    event.add("sequence", int(appointment.updated_at.timestamp()) % 100000 if appointment.updated_at else 0)
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", _("Pump refill visit tomorrow"))
    alarm.add("trigger", timedelta(days=-1))
    event.add_component(alarm)
    calendar.add_component(event)
    return calendar.to_ical()
