"""The scheduler dies in the middle of a sweep and starts again: what is delivered, and how often.

The outbox claims a row (commit), sends it, then marks it sent (commit). A runner that dies after the claim
leaves the row claimed; a restarted runner takes it over once the claim is five minutes old. Dying after the
mail server accepted the message but before "sent" was written is the one window where a message goes out
twice (at-least-once): both copies carry the same stable Message-ID, so mail systems can drop the copy.
"""
from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from companion import clock
from companion.extensions import db
from companion.notify import channels, dispatcher, services
from companion.notify.models import Notification
from companion.pump import jobs
from tests.conftest import FIXED_NOW

EMAILS = 5


class Killed(BaseException):
    """The process died: not an Exception, so no handler in the job catches it (like SIGKILL)."""


def enqueue_emails(world, n=EMAILS) -> list[int]:
    """n due email notifications to nurse1, committed."""
    ids = [services.enqueue(user_id=world.nurse1.id, kind="case_opened", dedupe_key=f"fault-{i}",
                            channels=("email",))[0] for i in range(n)]
    db.session.commit()
    return ids


def die_on_send(monkeypatch, number: int, after_hand_off: bool) -> None:
    """The process dies during the `number`th email: before the SMTP hand-off, or after the server accepted it."""
    real, calls = channels.send_email, []

    def send_email(notification, user):
        calls.append(notification.id)
        if len(calls) == number and not after_hand_off:
            raise Killed
        outcome = real(notification, user)
        if len(calls) == number:
            raise Killed
        return outcome

    monkeypatch.setattr(channels, "send_email", send_email)


def crash(job, *args) -> None:
    """Run the job until it dies; the dead process's open transaction goes with it."""
    with pytest.raises(Killed):
        job(*args)
    db.session.rollback()


def unsent() -> int:
    return db.session.scalar(select(func.count(Notification.id)).where(Notification.sent_at.is_(None)))


def test_killed_before_the_smtp_hand_off_then_restarted_every_email_arrives_exactly_once(world, smtp, monkeypatch):
    ids = enqueue_emails(world)
    die_on_send(monkeypatch, 3, after_hand_off=False)
    crash(dispatcher.dispatch_due)
    assert len(smtp.inbox.messages) == 2
    monkeypatch.undo()
    # Restarted at once: the rest goes out; the row the dead runner held stays claimed, so it is not raced.
    assert dispatcher.dispatch_due() == 2 and len(smtp.inbox.messages) == 4 and unsent() == 1
    # Five minutes on, the dead runner's claim is stale and the restarted scheduler sends it, once.
    clock.freeze(FIXED_NOW + dispatcher.STALE_CLAIM + timedelta(seconds=30))
    assert dispatcher.dispatch_due() == 1 and dispatcher.dispatch_due() == 0
    sent = Counter(m["X-Companion-Notification"] for m in smtp.inbox.messages)
    assert sent == Counter(str(i) for i in ids) and unsent() == 0


def test_killed_after_the_smtp_hand_off_resends_that_one_email_with_the_same_message_id(world, smtp, monkeypatch):
    ids = enqueue_emails(world)
    die_on_send(monkeypatch, 3, after_hand_off=True)
    crash(dispatcher.dispatch_due)
    monkeypatch.undo()
    assert len(smtp.inbox.messages) == 3 and unsent() == EMAILS - 2  # the third was accepted, never marked sent
    clock.freeze(FIXED_NOW + dispatcher.STALE_CLAIM + timedelta(seconds=30))
    assert dispatcher.dispatch_due() == 3 and dispatcher.dispatch_due() == 0 and unsent() == 0
    per_row = Counter(m["X-Companion-Notification"] for m in smtp.inbox.messages)
    assert set(per_row) == {str(i) for i in ids} and sorted(per_row.values()) == [1, 1, 1, 1, 2]
    message_ids = {}
    for message in smtp.inbox.messages:
        assert message["Message-ID"], "every email needs a Message-ID"
        message_ids.setdefault(message["X-Companion-Notification"], set()).add(message["Message-ID"])
    # At-least-once: the one copy has the same Message-ID as the first; different rows never share one.
    assert all(len(found) == 1 for found in message_ids.values())
    assert len({next(iter(found)) for found in message_ids.values()}) == EMAILS


def test_the_message_id_is_the_same_on_every_try_and_carries_no_health_details(world, smtp):
    (email,) = enqueue_emails(world, 1)
    smtp.stop()
    assert dispatcher.dispatch_due() == 0  # SMTP down: a failed try
    smtp.start()
    clock.freeze(FIXED_NOW + timedelta(minutes=1))
    assert dispatcher.dispatch_due() == 1
    row = db.session.get(Notification, email)
    message_id = smtp.inbox.messages[0]["Message-ID"]
    assert row.attempts == 2 and message_id == channels.message_id(row)
    assert message_id.startswith("<companion.") and "fault" not in message_id  # the dedupe key is hashed


def test_refill_sweep_killed_half_way_then_restarted_enqueues_and_sends_each_reminder_once(world, smtp, monkeypatch):
    from companion.pump import services as pump
    from tests.pump.conftest import confirm, record

    # A visit on Wednesday 20 January 2027 10:00 New York; five reminders each for the patient and the caregiver.
    pump.save_profile(world.nurse1, world.patient_a, model="synchromed_ii_40", reservoir_ml=None, opioid_tolerant=True)
    confirm(world, record(world, fill="40", stability=90, filled_on=date(2026, 11, 20)))
    pump.book_appointment(world.nurse1, world.patient_a, FIXED_NOW.replace(year=2027, month=1, day=20))
    pump.set_caregiver_reminders(world.caregiver, world.patient_a, True)
    at = FIXED_NOW.replace(year=2027, month=1, day=20, hour=14, minute=30)  # after all five are due (within 12 h)
    clock.freeze(at)
    due = len(jobs.due_reminders(world.clinic1, at))
    assert due == 2  # the day-of reminder, to the patient and to the caregiver (older ones are past the grace)
    real, calls = jobs.enqueue_many, []

    def enqueue_many(items, **kwargs):
        calls.append([item["dedupe_key"] for item in items])
        if len(calls) == 2:
            raise Killed
        return real(items, **kwargs)

    monkeypatch.setattr(jobs, "BATCH", 1)  # one reminder per insert-and-commit: killed between the two
    monkeypatch.setattr(jobs, "enqueue_many", enqueue_many)
    crash(jobs.send_refill_reminders, at)
    monkeypatch.undo()
    assert db.session.scalar(select(func.count(Notification.id)).where(Notification.kind == "refill_reminder")) == 3
    jobs.send_refill_reminders(at)  # the restarted scheduler
    jobs.send_refill_reminders(at)
    dispatcher.dispatch_due(at)
    rows = db.session.scalars(select(Notification).where(Notification.kind == "refill_reminder")).all()
    assert len(rows) == 3 * due and all(r.sent_at is not None for r in rows)
    to = Counter(m["To"] for m in smtp.inbox.messages)
    assert to == Counter({world.patient_a_user.email: 1, world.caregiver.email: 1})
