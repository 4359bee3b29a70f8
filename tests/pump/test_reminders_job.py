"""The refill_reminders job with a frozen clock: each reminder reaches a real SMTP server exactly once."""
import threading
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from companion import clock
from companion.extensions import db
from companion.notify import dispatcher
from companion.notify.models import Notification
from companion.pump import jobs, services
from companion.scheduler import JOBS
from tests.conftest import FIXED_NOW, make_app
from tests.pump.conftest import confirm, record


@pytest.fixture
def app(tmp_path, smtp_server):
    """The test app, sending email to the local SMTP server."""
    clock.freeze(FIXED_NOW)
    app = make_app(tmp_path, SMTP_URL=smtp_server.url)
    ctx = app.app_context()
    ctx.push()
    yield app
    db.session.remove()
    ctx.pop()
    clock.freeze(None)


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


def book(world, starts_at, filled_on=None):
    """A confirmed refill and a booked visit for patient A."""
    services.save_profile(world.nurse1, world.patient_a, model="synchromed_ii_40", reservoir_ml=None, opioid_tolerant=True)
    confirm(world, record(world, fill="40", stability=90, filled_on=filled_on))
    return services.book_appointment(world.nurse1, world.patient_a, starts_at)


def run_at(now, runners=1):
    """Run the job (optionally as two concurrent runners) and then the outbox dispatcher, at `now`."""
    clock.freeze(now)
    from flask import current_app

    app = current_app._get_current_object()

    failures = []

    def one():
        try:
            with app.app_context():
                jobs.send_refill_reminders(now)
                db.session.remove()
        except BaseException as exc:  # a runner that crashes must fail the test, not vanish with its thread
            failures.append(exc)

    threads = [threading.Thread(target=one) for _ in range(runners)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise AssertionError(f"{len(failures)} of {runners} runners failed") from failures[0]
    dispatcher.dispatch_due(now)


def emails_to(smtp, address):
    return [m for m in smtp.messages if m["To"] == address]


def test_the_job_is_registered():
    assert any(job.id == "refill_reminders" and job.seconds == 300 for job in JOBS)


def test_each_reminder_email_arrives_once_with_two_runners_and_a_restart(world, smtp_server):
    # Visit Wednesday 20 January 2027, 10:00 New York (15:00 UTC): reminders at 09:00 EST = 14:00 UTC.
    book(world, utc(2027, 1, 20, 15))
    services.set_caregiver_reminders(world.caregiver, world.patient_a, True)
    expected = [utc(2027, 1, 6, 14), utc(2027, 1, 13, 14), utc(2027, 1, 18, 14), utc(2027, 1, 19, 14),
                utc(2027, 1, 20, 14)]
    run_at(expected[0] - timedelta(minutes=5), runners=2)
    assert smtp_server.messages == []
    for at in expected:
        run_at(at + timedelta(minutes=3), runners=2)
        run_at(at + timedelta(hours=2))  # a restarted scheduler catches up: nothing new
    patient, caregiver = emails_to(smtp_server, world.patient_a_user.email), emails_to(smtp_server, world.caregiver.email)
    assert len(patient) == 5 and len(caregiver) == 5 and len(smtp_server.messages) == 10
    assert len({m["X-Companion-Notification"] for m in smtp_server.messages}) == 10
    for message in smtp_server.messages:  # no health details in email
        body = message.get_payload()
        assert "Open Companion" in body and "morphine" not in body.lower() and "refill" not in body.lower()
    due = sorted(db.session.scalars(select(Notification.due_at).where(
        Notification.kind == "refill_reminder", Notification.channel == "email",
        Notification.user_id == world.patient_a_user.id)))
    assert due == expected


def test_a_reminder_missed_for_more_than_twelve_hours_is_skipped(world, smtp_server):
    book(world, utc(2027, 1, 20, 15))
    run_at(utc(2027, 1, 7, 14))  # the 14-day reminder was due a day ago
    assert smtp_server.messages == []
    run_at(utc(2027, 1, 13, 14, 1))
    assert len(smtp_server.messages) == 1


def test_moving_the_visit_moves_the_reminders(world, smtp_server):
    appointment = book(world, utc(2027, 1, 20, 15))
    clock.freeze(utc(2027, 1, 5))
    services.book_appointment(world.nurse1, world.patient_a, utc(2027, 1, 18, 15))
    assert db.session.get(type(appointment), appointment.id).starts_at == utc(2027, 1, 18, 15)
    run_at(utc(2027, 1, 6, 14, 1))  # old 14-day time: nothing
    assert smtp_server.messages == []
    run_at(utc(2027, 1, 11, 14, 1))  # new 7-day time
    assert len(smtp_server.messages) == 1


def test_across_the_spring_daylight_saving_change(world, smtp_server):
    """New York moves to EDT on 8 March 2026: the 2-day reminder is 09:00 EDT = 13:00 UTC."""
    clock.freeze(utc(2026, 2, 1, 15))
    book(world, utc(2026, 3, 10, 14), filled_on=date(2026, 2, 1))
    times = [utc(2026, 2, 24, 14), utc(2026, 3, 3, 14), utc(2026, 3, 8, 13), utc(2026, 3, 9, 13),
             utc(2026, 3, 10, 13)]
    for sent, at in enumerate(times):
        run_at(at - timedelta(minutes=1))
        assert len(smtp_server.messages) == sent  # never early, whichever side of the change
        run_at(at + timedelta(minutes=1))
        run_at(at + timedelta(hours=1, minutes=1))  # the other UTC offset's 09:00: still once
    assert len(smtp_server.messages) == 5
    count = db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind == "refill_reminder"))
    assert count == 15  # 5 reminders x in-app, email, push


def test_a_revoked_caregiver_link_stops_their_reminders(world, smtp_server):
    book(world, utc(2027, 1, 20, 15))
    services.set_caregiver_reminders(world.caregiver, world.patient_a, True)
    from companion.accounts.models import CaregiverLink

    link = db.session.scalar(select(CaregiverLink).where(CaregiverLink.caregiver_id == world.caregiver.id))
    link.revoked_at = FIXED_NOW
    db.session.commit()
    run_at(utc(2027, 1, 6, 14, 1))
    assert [m["To"] for m in smtp_server.messages] == [world.patient_a_user.email]


def test_clinic_review_digest_once_a_day(world, smtp_server):
    services.save_profile(world.nurse1, world.patient_a, model="synchromed_ii_20", reservoir_ml=None, opioid_tolerant=True)
    confirm(world, record(world, fill="20", stability=10))  # due in 10 days, nothing booked
    run_at(FIXED_NOW, runners=2)
    run_at(FIXED_NOW + timedelta(hours=1))
    rows = list(db.session.scalars(select(Notification).where(Notification.kind == "refill_review")))
    assert sorted(r.user_id for r in rows) == sorted([world.nurse1.id, world.physician1.id])
    assert {r.channel for r in rows} == {"in_app"}


def test_a_crashing_runner_fails_the_two_runner_check(world, monkeypatch):
    """Guard: the helper above must surface a runner thread's exception (it once vanished with the thread)."""
    real, calls = jobs.send_refill_reminders, []

    def second_crashes(now):
        calls.append(now)
        if len(calls) == 2:
            raise RuntimeError("runner crashed")
        return real(now)

    monkeypatch.setattr(jobs, "send_refill_reminders", second_crashes)
    with pytest.raises(AssertionError, match="1 of 2 runners failed"):
        run_at(FIXED_NOW, runners=2)
