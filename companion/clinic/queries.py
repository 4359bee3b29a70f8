"""Read-only look-ups for clinic administration: staff, escalation settings, rota, thresholds, reminder days."""
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from companion.accounts.models import Clinic, User
from companion.accounts.queries import clinic_staff  # noqa: F401  (re-exported: the staff list)
from companion.audit.models import AuditEvent
from companion.clinic import rules
from companion.clinic.models import OnCallShift
from companion.escalation import routing
from companion.escalation.models import ClinicEscalationSettings
from companion.escalation.thresholds import as_table
from companion.extensions import db

STAFF_ROLES = ("nurse", "physician", "admin")


def staff_member(clinic_id: int, user_id: int) -> User | None:
    """One staff account of the clinic (None for other clinics and for patients or caregivers)."""
    return db.session.scalar(select(User).where(User.id == user_id, User.clinic_id == clinic_id,
                                                User.role.in_(STAFF_ROLES)))


def person_account(clinic_id: int, user_id: int) -> User | None:
    """A patient's or caregiver's account of this clinic (staff accounts have their own page)."""
    return db.session.scalar(select(User).where(User.id == user_id, User.clinic_id == clinic_id,
                                                User.role.in_(("patient", "caregiver"))))


def on_call_candidates(clinic_id: int) -> list[User]:
    """Active nurses and physicians who can be on call."""
    return list(db.session.scalars(select(User).where(
        User.clinic_id == clinic_id, User.role.in_(("nurse", "physician")), User.active.is_(True))
        .order_by(User.display_name)))


def escalation_settings(clinic_id: int) -> ClinicEscalationSettings:
    """The clinic's escalation settings (defaults if never saved)."""
    return routing.settings_for(clinic_id)


def threshold_rows(clinic_id: int) -> list[dict]:
    """One row per red-flag threshold: the clinic's value, the default, unit, tier, source and direction."""
    return as_table(routing.clinic_thresholds(clinic_id))


def routing_now(clinic: Clinic, now: datetime) -> dict:
    """Whether the clinic is in working hours now, and who a new case would go to first."""
    settings = routing.settings_for(clinic.id)
    hours = routing.in_hours(clinic, settings, now)
    ladder = routing.ladder_for(settings, hours)
    level, people = routing.first_staffed_rung(clinic.id, settings, ladder, now)
    return {"in_hours": hours, "rung": ladder[level], "people": people, "ladder": ladder,
            "on_call": routing.on_call_person(clinic.id, settings, now),
            "backup": routing.on_call_person(clinic.id, settings, now, slot=2)}


def reminder_offsets(clinic: Clinic) -> tuple[int, ...]:
    """The days before a booked refill when the clinic's patients are reminded (the default if unreadable)."""
    return rules.parse_offsets(clinic.reminder_offsets) or rules.DEFAULT_OFFSETS


def rota(clinic_id: int) -> list[OnCallShift]:
    """The clinic's weekly on-call shifts with their people, Monday first, in start order."""
    return list(db.session.scalars(select(OnCallShift).where(OnCallShift.clinic_id == clinic_id)
                                   .options(joinedload(OnCallShift.user))
                                   .order_by(OnCallShift.weekday, OnCallShift.starts, OnCallShift.id)))


def shift(clinic_id: int, shift_id: int) -> OnCallShift | None:
    """One shift of the clinic's rota (None for another clinic's)."""
    return db.session.scalar(select(OnCallShift).where(OnCallShift.id == shift_id, OnCallShift.clinic_id == clinic_id))


def two_factor_reset_pending(user: User) -> bool:
    """True when an admin reset this person's two-factor and they have not set it up again."""
    if user.totp_enabled:
        return False
    return db.session.scalar(select(AuditEvent.id).where(
        AuditEvent.clinic_id == user.clinic_id, AuditEvent.action == "two_factor_reset",
        AuditEvent.object_type == "user", AuditEvent.object_id == str(user.id)).limit(1)) is not None


def _user_ids_with(clinic_id: int, action: str) -> set[int]:
    """Ids of the clinic's users that are the object of audit events with this action."""
    rows = db.session.scalars(select(AuditEvent.object_id).where(
        AuditEvent.clinic_id == clinic_id, AuditEvent.action == action, AuditEvent.object_type == "user"))
    return {int(r) for r in rows if r.isdigit()}


def pending_invite_ids(clinic_id: int) -> set[int]:
    """Staff invited from the staff page who have not used their set-up link yet."""
    return _user_ids_with(clinic_id, "staff_invited") - _user_ids_with(clinic_id, "staff_joined")


def two_factor_reset_ids(clinic_id: int) -> set[int]:
    """Staff whose two-factor an admin reset and who have not set it up again."""
    enabled = set(db.session.scalars(select(User.id).where(User.clinic_id == clinic_id, User.totp_enabled.is_(True))))
    return _user_ids_with(clinic_id, "two_factor_reset") - enabled
