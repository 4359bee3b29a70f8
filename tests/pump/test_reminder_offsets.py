"""The refill_reminders job uses each clinic's own reminder days (frozen clock, as the other pump job tests)."""
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from companion import clock
from companion.extensions import db
from companion.notify.models import Notification
from companion.pump import jobs, services
from tests.pump.conftest import confirm, record

VISIT = datetime(2027, 1, 20, 15, tzinfo=timezone.utc)  # Wednesday 10:00 New York; reminders at 09:00 = 14:00 UTC


def book(world):
    """A confirmed refill and a booked visit for patient A (clinic 1)."""
    services.save_profile(world.nurse1, world.patient_a, model="synchromed_ii_40", reservoir_ml=None, opioid_tolerant=True)
    confirm(world, record(world, fill="40", stability=90))
    return services.book_appointment(world.nurse1, world.patient_a, VISIT)


def offsets_sent(user_id) -> list[int]:
    """The reminder day (offset) of each refill reminder queued for this person, in order."""
    keys = db.session.scalars(select(Notification.dedupe_key).where(
        Notification.user_id == user_id, Notification.kind == "refill_reminder").order_by(Notification.id))
    return sorted({int(k.split(":")[3]) for k in keys}, reverse=True)


def sweep_every_day(days=16):
    """Run the job a few minutes after each day's reminder time, from `days` before the visit to the visit."""
    for back in range(days, -1, -1):
        now = VISIT - timedelta(days=back, hours=1) + timedelta(minutes=3)
        clock.freeze(now)
        jobs.send_refill_reminders(now)


def test_a_clinic_with_its_own_days_is_reminded_on_those_days_only(world):
    world.clinic1.reminder_offsets = "10,3"
    db.session.commit()
    book(world)
    sweep_every_day()
    assert offsets_sent(world.patient_a_user.id) == [10, 3]


def test_the_default_days_stay_for_a_clinic_that_did_not_choose(world):
    book(world)
    sweep_every_day()
    assert offsets_sent(world.patient_a_user.id) == list(jobs.OFFSETS) == [14, 7, 2, 1, 0]


def test_a_reminder_day_far_ahead_is_found_by_the_sweep_window(world):
    world.clinic1.reminder_offsets = "30"
    db.session.commit()
    book(world)
    now = VISIT - timedelta(days=30, hours=1) + timedelta(minutes=3)
    clock.freeze(now)
    assert [r["dedupe_key"].split(":")[3] for r in jobs.due_reminders(world.clinic1, now)] == ["30"]


def test_unreadable_stored_days_fall_back_to_the_default(world):
    world.clinic1.reminder_offsets = "junk"
    assert jobs.clinic_offsets(world.clinic1) == jobs.OFFSETS
