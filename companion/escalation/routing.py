"""Who a case goes to: clinic working hours, the escalation ladder, deadlines and the clinic's thresholds."""
import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from companion.accounts.models import Clinic, User
from companion.clinic.models import OnCallShift  # the weekly rota, edited on the clinic settings page
from companion.clinic.rules import on_call_at
from companion.clock import utcnow
from companion.escalation.models import LADDER, ClinicEscalationSettings, ClinicThreshold
from companion.escalation.thresholds import DEFAULTS, Threshold, tighten
from companion.extensions import db

log = logging.getLogger(__name__)


def settings_for(clinic_id: int) -> ClinicEscalationSettings:
    """The clinic's escalation settings, or an unsaved row holding the defaults."""
    row = db.session.scalar(select(ClinicEscalationSettings).where(ClinicEscalationSettings.clinic_id == clinic_id))
    if row is None:
        row = ClinicEscalationSettings(clinic_id=clinic_id, emergency_ack_minutes=15, urgent_ack_minutes=60,
                                       hours_start=8, hours_end=17, working_days="0,1,2,3,4")
    return row


def deadline(settings: ClinicEscalationSettings, tier: str) -> timedelta:
    """How long the team has to acknowledge a case of this tier."""
    minutes = settings.emergency_ack_minutes if tier == "emergency" else settings.urgent_ack_minutes
    return timedelta(minutes=minutes or (15 if tier == "emergency" else 60))


def in_hours(clinic: Clinic, settings: ClinicEscalationSettings, now: datetime) -> bool:
    """Whether `now` falls in the clinic's working hours, in the clinic's own time zone."""
    local = now.astimezone(ZoneInfo(clinic.timezone or "UTC"))
    days = {int(d) for d in (settings.working_days or "").split(",") if d.strip().isdigit()}
    return local.weekday() in days and settings.hours_start <= local.hour < settings.hours_end


def offline_contact(clinic: Clinic) -> dict:
    """The clinic's numbers and working hours for the phone to cache with the form (urgent answers offline)."""
    settings = settings_for(clinic.id)
    days = [int(d) for d in (settings.working_days or "").split(",") if d.strip().isdigit()]
    return {"phone": clinic.phone or "", "out_of_hours_phone": clinic.out_of_hours_phone or "",
            "timezone": clinic.timezone or "UTC", "hours_start": settings.hours_start,
            "hours_end": settings.hours_end, "working_days": days}


def on_call_person(clinic_id: int, settings: ClinicEscalationSettings, at: datetime) -> User | None:
    """Who is on call at `at`: the rota's shift (clinic time), else the single on-call clinician, else nobody."""
    clinic = db.session.get(Clinic, clinic_id)
    shifts = db.session.scalars(select(OnCallShift).join(User, User.id == OnCallShift.user_id).where(
        OnCallShift.clinic_id == clinic_id, User.clinic_id == clinic_id, User.active.is_(True)))  # skip deactivated
    user_id = on_call_at(list(shifts), at.astimezone(ZoneInfo(clinic.timezone or "UTC")))
    for candidate in (user_id, settings.on_call_user_id):
        person = db.session.get(User, candidate) if candidate else None
        if person is not None and person.active and person.clinic_id == clinic_id:
            return person
    return None


def rung_people(clinic_id: int, rung: str, settings: ClinicEscalationSettings,
                at: datetime | None = None) -> list[User]:
    """The active staff at one ladder rung at `at` (default now): the nurses, the on-call clinician, the physicians."""
    if rung == "on_call":
        person = on_call_person(clinic_id, settings, at or utcnow())
        return [person] if person else []  # nobody on call: the ladder moves on to the physicians
    role = "nurse" if rung == "nurse" else "physician"
    return list(db.session.scalars(select(User).where(
        User.clinic_id == clinic_id, User.role == role, User.active.is_(True)).order_by(User.id)))


def first_staffed_rung(clinic_id: int, settings: ClinicEscalationSettings, start: int,
                       at: datetime | None = None) -> tuple[int, list[User]]:
    """The first rung from `start` up with anyone on it at `at` (the top rung if none above is staffed)."""
    for level in range(start, len(LADDER)):
        people = rung_people(clinic_id, LADDER[level], settings, at)
        if people:
            return level, people
    # Nobody on the ladder at all: page every active clinician so a case is never routed to no one.
    everyone = list(db.session.scalars(select(User).where(
        User.clinic_id == clinic_id, User.role.in_(("nurse", "physician", "admin")), User.active.is_(True))))
    return len(LADDER) - 1, everyone


def clinic_thresholds(clinic_id: int) -> dict[str, Threshold]:
    """The defaults tightened by the clinic's overrides (an override that would loosen is ignored and logged)."""
    merged = dict(DEFAULTS)
    for row in db.session.scalars(select(ClinicThreshold).where(ClinicThreshold.clinic_id == clinic_id)):
        try:
            merged[row.name] = tighten(DEFAULTS, {row.name: row.value})[row.name]
        except ValueError:
            log.error("clinic %s threshold %s=%s ignored: not tighter than the default", clinic_id, row.name, row.value)
    return merged
