"""The refill_reminders scheduler job: due reminders into the outbox, once each (unique keys)."""
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from companion.accounts.models import CaregiverLink, Clinic, Patient
from companion.clinic.rules import DEFAULT_OFFSETS, parse_offsets
from companion.clock import utcnow
from companion.extensions import db
from companion.notify.services import enqueue
from companion.pump import queries
from companion.pump.models import Appointment, ReminderOptIn
from companion.pump.notices import clinicians
from companion.pump.reminders import clinic_review_items, refill_reminder_times, reminder_key
from companion.scheduler import Job, register

# A reminder missed by more than this (scheduler down) is skipped: a late "tomorrow" would mislead.
GRACE = timedelta(hours=12)
OFFSETS = DEFAULT_OFFSETS  # (14, 7, 2, 1, 0) days before the visit; each clinic may choose its own


def reminder_recipients(patient: Patient) -> list[tuple[int, str]]:
    """(user id, key kind): the patient, and each linked caregiver who opted in."""
    people = [(patient.user_id, "refill")] if patient.user_id else []
    stmt = select(ReminderOptIn.user_id).join(CaregiverLink, (CaregiverLink.caregiver_id == ReminderOptIn.user_id)
                                              & (CaregiverLink.patient_id == ReminderOptIn.patient_id)).where(
        ReminderOptIn.patient_id == patient.id, ReminderOptIn.revoked_at.is_(None),
        CaregiverLink.accepted_at.is_not(None), CaregiverLink.revoked_at.is_(None))
    people += [(uid, f"refill-u{uid}") for uid in sorted(set(db.session.scalars(stmt)))]
    return people


def clinic_offsets(clinic: Clinic) -> tuple[int, ...]:
    """The clinic's own reminder days before a visit (set by its admin), or OFFSETS."""
    return parse_offsets(clinic.reminder_offsets) or OFFSETS


def due_reminders(clinic: Clinic, now: datetime) -> list[dict]:
    """Every reminder of the clinic's booked visits that is due now and not older than GRACE."""
    out = []
    offsets = clinic_offsets(clinic)  # read from the clinic row already loaded: no query per patient
    stmt = select(Appointment).where(Appointment.clinic_id == clinic.id, Appointment.cancelled_at.is_(None),
                                     Appointment.attended_refill_id.is_(None),
                                     Appointment.starts_at > now - timedelta(days=1),
                                     Appointment.starts_at < now + timedelta(days=max(offsets) + 2))
    for appointment in db.session.scalars(stmt):
        on = queries.local_date(clinic, appointment.starts_at)
        times = refill_reminder_times(on, offsets, tz=clinic.timezone, not_before=now - GRACE)
        for offset, at in times:
            if at > now:
                continue
            for user_id, kind in reminder_recipients(appointment.patient):
                out.append({"user_id": user_id, "patient_id": appointment.patient_id, "due_at": at,
                            "dedupe_key": reminder_key(appointment.patient_id, kind, on, offset, "all"),
                            "detail": {"on": on.isoformat()}})
    return out


def _enqueue_once(**kwargs) -> None:
    """Enqueue and commit; a second runner that got there first makes this a no-op."""
    try:
        enqueue(**kwargs)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # the other runner's rows stand; UNIQUE(dedupe_key, channel) kept it single


def review_digest(clinic: Clinic, now: datetime) -> None:
    """Once a day, an in-app note to the clinic's clinicians when refills need action."""
    today = now.astimezone(queries.clinic_zone(clinic)).date()
    if not clinic_review_items(today, queries.calendar_rows(clinic.id, now)):
        return
    for user in clinicians(clinic.id):
        _enqueue_once(user_id=user.id, kind="refill_review", channels=("in_app",),
                      dedupe_key=f"clinic{clinic.id}:refill-review:{today.isoformat()}:u{user.id}")


def send_refill_reminders(now: datetime | None = None) -> int:
    """Enqueue each due refill reminder once (also with two runners, after a restart, across DST)."""
    now = now or utcnow()
    count = 0
    for clinic in db.session.scalars(select(Clinic)):
        for reminder in due_reminders(clinic, now):
            _enqueue_once(kind="refill_reminder", **reminder)
            count += 1
        review_digest(clinic, now)
    db.session.commit()
    return count


register(Job("refill_reminders", 300, send_refill_reminders))
