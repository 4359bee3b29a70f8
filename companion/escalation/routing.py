"""Who a case goes to: clinic working hours, the clinic's ladders, deadlines and the clinic's thresholds."""
import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from companion.accounts.models import Clinic, User
from companion.clinic.models import OnCallShift  # the weekly rota, edited on the clinic settings page
from companion.clinic.rules import on_call_at
from companion.clock import utcnow
from companion.escalation.models import (LADDER_IN_HOURS, LADDER_OUT_OF_HOURS, RUNGS, ClinicEscalationSettings,
                                        ClinicThreshold)
from companion.escalation.thresholds import DEFAULTS, Threshold, tighten
from companion.extensions import db

log = logging.getLogger(__name__)


def settings_for(clinic_id: int) -> ClinicEscalationSettings:
    """The clinic's escalation settings, or an unsaved row holding the defaults."""
    row = db.session.scalar(select(ClinicEscalationSettings).where(ClinicEscalationSettings.clinic_id == clinic_id))
    if row is None:
        row = ClinicEscalationSettings(clinic_id=clinic_id, emergency_ack_minutes=15, urgent_ack_minutes=60,
                                       hours_start=8, hours_end=17, working_days="0,1,2,3,4",
                                       ladder_in_hours=LADDER_IN_HOURS, ladder_out_of_hours=LADDER_OUT_OF_HOURS)
    return row


def parse_ladder(text: str | None, default: str) -> tuple[str, ...]:
    """'nurse,on_call' -> ('nurse', 'on_call'): known rungs in order, once each; the default if none is left."""
    rungs = tuple(dict.fromkeys(r.strip() for r in (text or "").split(",") if r.strip() in RUNGS))
    return rungs or tuple(default.split(","))


def ladder_for(settings: ClinicEscalationSettings, hours: bool) -> tuple[str, ...]:
    """The clinic's ladder for a case opened in hours or out of hours."""
    if hours:
        return parse_ladder(settings.ladder_in_hours, LADDER_IN_HOURS)
    return parse_ladder(settings.ladder_out_of_hours, LADDER_OUT_OF_HOURS)


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


def on_call_person(clinic_id: int, settings: ClinicEscalationSettings, at: datetime, slot: int = 1) -> User | None:
    """Who is on call (slot 1) or backup on call (slot 2) at `at` by the rota (clinic time); slot 1 falls back to
    the single on-call clinician of the settings; else nobody."""
    clinic = db.session.get(Clinic, clinic_id)
    shifts = db.session.scalars(select(OnCallShift).join(User, User.id == OnCallShift.user_id).where(
        OnCallShift.clinic_id == clinic_id, OnCallShift.slot == slot, User.clinic_id == clinic_id,
        User.active.is_(True)))  # skip deactivated
    user_id = on_call_at(list(shifts), at.astimezone(ZoneInfo(clinic.timezone or "UTC")))
    for candidate in (user_id, settings.on_call_user_id if slot == 1 else None):
        person = db.session.get(User, candidate) if candidate else None
        if person is not None and person.active and person.clinic_id == clinic_id:
            return person
    return None


def rung_people(clinic_id: int, rung: str, settings: ClinicEscalationSettings,
                at: datetime | None = None) -> list[User]:
    """The active staff at one ladder rung at `at` (default now): the nurses (the patient's team), the on-call or
    backup clinician, the physicians, the clinic admins."""
    if rung in ("on_call", "backup"):
        person = on_call_person(clinic_id, settings, at or utcnow(), slot=1 if rung == "on_call" else 2)
        return [person] if person else []  # nobody on the rota: the ladder moves on to the next rung
    role = rung if rung in ("nurse", "physician", "admin") else "physician"
    return list(db.session.scalars(select(User).where(
        User.clinic_id == clinic_id, User.role == role, User.active.is_(True)).order_by(User.id)))


def first_staffed_rung(clinic_id: int, settings: ClinicEscalationSettings, ladder: tuple[str, ...],
                       at: datetime | None = None) -> tuple[int, list[User]]:
    """The first rung of the ladder with anyone on it at `at` (the top rung if none is staffed)."""
    for level, rung in enumerate(ladder):
        people = rung_people(clinic_id, rung, settings, at)
        if people:
            return level, people
    # Nobody on the ladder at all: page every active clinician so a case is never routed to no one.
    everyone = list(db.session.scalars(select(User).where(
        User.clinic_id == clinic_id, User.role.in_(("nurse", "physician", "admin")), User.active.is_(True))))
    return len(ladder) - 1, everyone


def clinic_thresholds(clinic_id: int) -> dict[str, Threshold]:
    """The defaults tightened by the clinic's overrides (an override that would loosen is ignored and logged)."""
    merged = dict(DEFAULTS)
    for row in db.session.scalars(select(ClinicThreshold).where(ClinicThreshold.clinic_id == clinic_id)):
        try:
            merged[row.name] = tighten(DEFAULTS, {row.name: row.value})[row.name]
        except ValueError:
            log.error("clinic %s threshold %s=%s ignored: not tighter than the default", clinic_id, row.name, row.value)
    return merged
