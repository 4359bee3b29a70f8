"""The refill_reminders scheduler job: due reminders into the outbox, once each (unique keys)."""
from datetime import datetime, timedelta

from sqlalchemy import select

from companion.accounts.models import CaregiverLink, Clinic, Patient
from companion.clinic.rules import DEFAULT_OFFSETS, parse_offsets
from companion.clock import utcnow
from companion.extensions import db
from companion.notify.dispatcher import run_locked
from companion.notify.queries import existing_keys
from companion.notify.services import enqueue_many
from companion.pump import queries
from companion.pump.models import Appointment, ReminderOptIn
from companion.pump.notices import clinicians
from companion.pump.reminders import clinic_review_items, refill_reminder_times, reminder_key
from companion.pump.review import clinics_with_refill_due, review_rows
from companion.scheduler import Job, register

# A reminder missed by more than this (scheduler down) is skipped: a late "tomorrow" would mislead.
GRACE = timedelta(hours=12)
OFFSETS = DEFAULT_OFFSETS  # (14, 7, 2, 1, 0) days before the visit; each clinic may choose its own
BATCH = 2000  # reminders per insert-and-commit: bounded transactions on a 100,000-patient sweep


def reminder_recipients(patients: dict[int, int | None]) -> dict[int, list[tuple[int, str]]]:
    """Per patient id (-> their user id): (user id, key kind) for the patient and each linked caregiver who opted in,
    in one query for them all."""
    people: dict[int, list[tuple[int, str]]] = {pid: [(uid, "refill")] if uid else [] for pid, uid in patients.items()}
    stmt = select(ReminderOptIn.patient_id, ReminderOptIn.user_id).join(
        CaregiverLink, (CaregiverLink.caregiver_id == ReminderOptIn.user_id)
        & (CaregiverLink.patient_id == ReminderOptIn.patient_id)).where(
        ReminderOptIn.patient_id.in_(list(patients)), ReminderOptIn.revoked_at.is_(None),
        CaregiverLink.accepted_at.is_not(None), CaregiverLink.revoked_at.is_(None))
    carers: dict[int, set[int]] = {}
    for pid, uid in db.session.execute(stmt):
        carers.setdefault(pid, set()).add(uid)
    for pid, uids in carers.items():
        people[pid] += [(uid, f"refill-u{uid}") for uid in sorted(uids)]
    return people


def clinic_offsets(clinic: Clinic) -> tuple[int, ...]:
    """The clinic's own reminder days before a visit (set by its admin), or OFFSETS."""
    return parse_offsets(clinic.reminder_offsets) or OFFSETS


def due_reminders(clinic: Clinic, now: datetime) -> list[dict]:
    """Every reminder of the clinic's booked visits that is due now and not older than GRACE (two queries)."""
    return due_reminders_for([clinic], now)


def due_reminders_for(clinics: list[Clinic], now: datetime) -> list[dict]:
    """Every due reminder (not older than GRACE) of the booked visits of clinics that share a time zone and reminder
    days: two queries for them all, and the reminder times worked out once per visit date."""
    offsets = clinic_offsets(clinics[0])  # read from the clinic row already loaded: no query per patient
    stmt = select(Appointment.patient_id, Appointment.starts_at, Patient.user_id).join(
        Patient, Patient.id == Appointment.patient_id).where(
        Appointment.clinic_id.in_([clinic.id for clinic in clinics]), Appointment.cancelled_at.is_(None),
        Appointment.attended_refill_id.is_(None), Appointment.starts_at > now - timedelta(days=1),
        Appointment.starts_at < now + timedelta(days=max(offsets) + 2))
    due, users, by_date = [], {}, {}  # (patient id, visit date, offset, due at): what is due, before who gets it
    for patient_id, starts_at, user_id in db.session.execute(stmt):
        on = queries.local_date(clinics[0], starts_at)
        if on not in by_date:  # a few dozen visit dates for thousands of visits
            by_date[on] = [(offset, at) for offset, at in refill_reminder_times(
                on, offsets, tz=clinics[0].timezone, not_before=now - GRACE) if at <= now]
        due += [(patient_id, on, offset, at) for offset, at in by_date[on]]
        users[patient_id] = user_id
    if not due:
        return []
    recipients = reminder_recipients({pid: users[pid] for pid, *_ in due})
    return [{"user_id": user_id, "patient_id": patient_id, "due_at": at,
             "dedupe_key": reminder_key(patient_id, kind, on, offset, "all"), "detail": {"on": on.isoformat()}}
            for patient_id, on, offset, at in due for user_id, kind in recipients[patient_id]]


def review_digests(clinics: list[Clinic], now: datetime) -> None:
    """Once a day, an in-app note to each clinic's clinicians when refills need action; one read of the rows that may
    need review for all the clinics still without today's note."""
    keys: dict[int, dict[int, str]] = {}
    for clinic in clinics:
        today = queries.local_date(clinic, now)
        keys[clinic.id] = {user.id: f"clinic{clinic.id}:refill-review:{today.isoformat()}:u{user.id}"
                           for user in clinicians(clinic.id)}
    sent = existing_keys([key for clinic_keys in keys.values() for key in clinic_keys.values()])
    # Everyone has today's note: that calendar need not be read again every 5 minutes.
    pending = [clinic for clinic in clinics if keys[clinic.id] and not sent >= set(keys[clinic.id].values())]
    # Each clinic's own "no visit booked" window, as on its refill calendar; clinics sharing one share the reads.
    window = {clinic.id: queries.no_visit_days(clinic.id) for clinic in pending}
    by_window: dict[int, list[Clinic]] = {}
    for clinic in pending:
        by_window.setdefault(window[clinic.id], []).append(clinic)
    sure: set[int] = set()
    rows: dict[int, list[dict]] = {}
    for days, group in by_window.items():
        group_sure = clinics_with_refill_due(group, now, days)  # most clinics, most days: no rows to read
        sure |= group_sure
        rows.update(review_rows([clinic for clinic in group if clinic.id not in group_sure], now, days))
    for clinic in pending:
        if clinic.id in sure or clinic_review_items(queries.local_date(clinic, now), rows[clinic.id],
                                                    window[clinic.id]):
            enqueue_many([{"user_id": uid, "dedupe_key": key} for uid, key in keys[clinic.id].items()],
                         kind="refill_review", channels=("in_app",))


def send_refill_reminders(now: datetime | None = None) -> int:
    """Enqueue each due refill reminder once (also with two runners, after a restart, across DST); returns how many
    were due. Set-based: a few queries per clinic and bulk inserts that leave existing (key, channel) rows alone."""
    now = now or utcnow()
    count = 0
    clinics = db.session.scalars(select(Clinic)).all()
    groups: dict[tuple, list[Clinic]] = {}  # clinics with one time zone and the same reminder days share the reads
    for clinic in clinics:
        groups.setdefault((clinic.timezone, clinic_offsets(clinic)), []).append(clinic)
    for group in groups.values():
        due = due_reminders_for(group, now)
        for start in range(0, len(due), BATCH):
            batch = due[start:start + BATCH]
            queued = existing_keys([item["dedupe_key"] for item in batch])  # the 5-minutely reruns insert nothing
            enqueue_many([item for item in batch if item["dedupe_key"] not in queued], kind="refill_reminder")
            db.session.commit()  # a crash later keeps these; the restarted sweep skips them by their keys
        count += len(due)
    review_digests(clinics, now)
    db.session.commit()
    return count


def refill_reminders_job() -> None:
    """Scheduler entry: one sweep at a time across schedulers (the keys would keep a second one harmless, not free)."""
    run_locked("refill_reminders", send_refill_reminders)


register(Job("refill_reminders", 300, refill_reminders_job))
