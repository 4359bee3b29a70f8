"""The refill-reminder sweep is set-based: its SQL statements do not grow with the reminders due, and the bulk
outbox insert leaves rows already there alone (so a rerun, or a second runner, adds nothing)."""
from datetime import datetime, timezone

from sqlalchemy import func, select

from companion import clock
from companion.extensions import db
from companion.notify import services as notify
from companion.notify.models import Notification
from companion.pump import jobs
from companion.pump import services as pump
from companion.pump.models import Appointment
from tests.statements import counted

VISIT = datetime(2027, 1, 20, 15, tzinfo=timezone.utc)  # 10:00 New York; the day-of reminder is due at 14:00 UTC
SWEEP = datetime(2027, 1, 20, 14, 5, tzinfo=timezone.utc)


def _book(world, factory, n: int, with_carer: bool) -> None:
    """n more patients of clinic 1 with a visit on VISIT (and, if asked, an opted-in caregiver each)."""
    for _ in range(n):
        patient = factory.patient(world.clinic1)
        db.session.add(Appointment(patient_id=patient.id, clinic_id=world.clinic1.id, starts_at=VISIT,
                                   booked_by_id=world.nurse1.id))
        db.session.commit()
        if with_carer:
            carer = factory.user("caregiver", world.clinic1)
            factory.link_caregiver(patient, carer)
            pump.set_caregiver_reminders(carer, patient, True)


def _sweep_statements() -> tuple[int, int]:
    """(SQL statements, reminders due) of one sweep at SWEEP."""
    with counted() as statements:
        due = jobs.send_refill_reminders(SWEEP)
    return len(statements), due


def test_the_sweep_runs_as_many_statements_for_forty_reminders_as_for_four(world, factory):
    clock.freeze(SWEEP)
    _book(world, factory, 2, with_carer=True)
    small, due_small = _sweep_statements()
    db.session.execute(Notification.__table__.delete())
    db.session.commit()
    _book(world, factory, 18, with_carer=True)
    large, due_large = _sweep_statements()
    assert (due_small, due_large) == (4, 40)  # each patient and each caregiver, the day-of reminder
    assert large == small, (small, large)
    rows = db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind == "refill_reminder"))
    assert rows == 40 * 3  # in-app, email and push
    again, _ = _sweep_statements()
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind == "refill_reminder")) == rows and again <= large


def test_bulk_enqueue_keeps_rows_already_there_and_counts_only_new_ones(world):
    clock.freeze(SWEEP)
    uid = world.patient_a_user.id
    assert notify.enqueue_many([{"user_id": uid, "dedupe_key": "k1"}, {"user_id": uid, "dedupe_key": "k2"}],
                               kind="refill_reminder", channels=("in_app", "email")) == 4
    db.session.commit()
    first = {(n.dedupe_key, n.channel): n.id for n in db.session.scalars(select(Notification))}
    assert notify.enqueue_many([{"user_id": uid, "dedupe_key": "k2"}, {"user_id": uid, "dedupe_key": "k3"}],
                               kind="refill_reminder", channels=("in_app", "email")) == 2
    db.session.commit()
    after = {(n.dedupe_key, n.channel): n.id for n in db.session.scalars(select(Notification))}
    assert len(after) == 6 and all(after[key] == first[key] for key in first)
