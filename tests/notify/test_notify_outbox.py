"""The outbox: enqueue is idempotent, delivery is exactly once, email and push carry no health details."""
import json
from datetime import timedelta

from sqlalchemy import func, select

from companion import clock
from companion.escalation import services as escalation
from companion.extensions import db
from companion.notify import channels, dispatcher, services
from companion.notify.models import Notification, PushSubscription
from tests.conftest import FIXED_NOW
from tests.factories import DIFFERENT_URGENT_REPORTS


def urgent_case(world, source_id=1):
    """An urgent case for patient A, committed (notifications to nurse1); each source a different sign, so a case
    of its own."""
    observations = DIFFERENT_URGENT_REPORTS[(source_id - 1) % len(DIFFERENT_URGENT_REPORTS)]
    result = escalation.assess(world.patient_a, observations=observations, context={},
                               source_type="diary_entry", source_id=source_id, reported_by_user=world.patient_a_user)
    db.session.commit()
    return result


def send_now(result):
    """What a request does after its commit, then what its background thread does (off in tests)."""
    escalation.after_commit(result)
    dispatcher.deliver(result.notification_ids)


def by_channel(ids):
    return {n.channel: n for n in db.session.scalars(select(Notification).where(Notification.id.in_(ids)))}


def test_enqueue_twice_with_the_same_key_is_a_no_op(world):
    first = services.enqueue(user_id=world.patient_a_user.id, kind="refill_reminder", dedupe_key="refill:1:2026-12-01")
    second = services.enqueue(user_id=world.patient_a_user.id, kind="refill_reminder", dedupe_key="refill:1:2026-12-01")
    db.session.commit()
    assert len(first) == 3 and sorted(first) == sorted(second)
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 3


def test_enqueue_rejects_unknown_channels(world):
    import pytest

    with pytest.raises(ValueError):
        services.enqueue(user_id=world.nurse1.id, kind="x", dedupe_key="k", channels=("sms",))


def test_in_app_list_and_mark_read(world):
    later = FIXED_NOW + timedelta(days=1)
    services.enqueue(user_id=world.nurse1.id, kind="case_opened", dedupe_key="a", channels=("in_app",))
    services.enqueue(user_id=world.nurse1.id, kind="refill_reminder", dedupe_key="b", channels=("in_app",), due_at=later)
    services.enqueue(user_id=world.nurse2.id, kind="case_opened", dedupe_key="c", channels=("in_app",))
    db.session.commit()
    unread = services.in_app_for(world.nurse1)
    assert [n.dedupe_key for n in unread] == ["a"]  # not the future one, not someone else's
    assert services.mark_read(world.nurse1, unread[0].id) == 1
    assert services.in_app_for(world.nurse1) == []
    assert services.mark_read(world.nurse1, unread[0].id) == 0


def test_email_is_sent_once_with_no_health_details(world, smtp):
    result = urgent_case(world)
    send_now(result)
    rows = by_channel(result.notification_ids)
    assert rows["email"].sent_at is not None and rows["email"].outcome == "sent"
    assert rows["in_app"].sent_at is not None
    assert rows["push"].outcome == "skipped"  # nurse1 has no push subscription
    assert len(smtp.inbox.messages) == 1
    message = smtp.inbox.messages[0]
    assert message["To"] == world.nurse1.email
    # The tier and a link to the case from the configured base URL: no name, no health detail.
    assert message["Subject"] == "Companion: URGENT case"
    body = message.get_payload().strip()
    assert body == f"Companion: URGENT case – open http://127.0.0.1:5000/care/cases/{result.case_id}"
    text = message.as_string().lower()
    for word in ("pump", "alarm", world.patient_a.family_name.lower(), world.patient_a.given_name.lower()):
        assert word not in text
    # A second run of the job finds nothing to do.
    assert dispatcher.dispatch_due() == 0 and len(smtp.inbox.messages) == 1


def test_smtp_down_for_an_hour_then_back_delivers_everything_once(world, smtp):
    smtp.stop()
    results = [urgent_case(world, source_id=n) for n in (1, 2, 3)]
    for result in results:
        send_now(result)
    emails = [by_channel(r.notification_ids)["email"] for r in results]
    assert all(e.sent_at is None and e.attempts == 1 and e.last_error for e in emails)
    # The job keeps trying every tick for an hour while SMTP is down; backoff spaces the attempts.
    for minute in range(0, 61):
        clock.freeze(FIXED_NOW + timedelta(minutes=minute))
        dispatcher.dispatch_due()
    db.session.expire_all()
    attempts = [db.session.get(Notification, e.id).attempts for e in emails]
    assert all(1 < a < 12 for a in attempts), attempts  # retried, but not every tick
    smtp.start()
    for minute in range(61, 75):
        clock.freeze(FIXED_NOW + timedelta(minutes=minute))
        dispatcher.dispatch_due()
    ids = sorted(m["X-Companion-Notification"] for m in smtp.inbox.messages)
    assert ids == sorted(str(e.id) for e in emails)  # each exactly once
    db.session.expire_all()
    assert all(db.session.get(Notification, e.id).sent_at is not None for e in emails)


def test_a_claimed_row_is_not_sent_by_a_second_runner_until_the_claim_is_stale(world, smtp):
    result = urgent_case(world)
    email = by_channel(result.notification_ids)["email"].id
    token = dispatcher.claim(email, FIXED_NOW)
    assert token
    assert dispatcher.claim(email, FIXED_NOW) is None  # a second runner loses
    assert dispatcher.deliver([email]) == 0 and smtp.inbox.messages == []
    # The first runner died: after five minutes another runner may take it over, once.
    later = FIXED_NOW + timedelta(minutes=6)
    assert dispatcher.deliver([email], later) == 1
    assert dispatcher.deliver([email], later) == 0
    assert len(smtp.inbox.messages) == 1
    # The dead runner's late outcome cannot overwrite the new one.
    dispatcher._finish(email, token, sent_at=None)
    assert db.session.get(Notification, email).sent_at is not None


def test_sequential_runners_on_sqlite_send_each_row_once(world, smtp):
    results = [urgent_case(world, source_id=n) for n in range(1, 6)]
    runs = [dispatcher.dispatch_due() for _ in range(3)]
    assert runs[1] == runs[2] == 0 and runs[0] == 15  # in-app, email and push (skipped: no subscription) for five cases
    assert len(smtp.inbox.messages) == 5 == len({m["X-Companion-Notification"] for m in smtp.inbox.messages})
    assert all(r.case_id for r in results)


def test_push_payload_decrypts_to_neutral_text(world, push_endpoint):
    services.subscribe(world.nurse1, endpoint=push_endpoint.url, **push_endpoint.keys())
    result = urgent_case(world)
    send_now(result)
    assert by_channel(result.notification_ids)["push"].outcome == "sent"
    assert len(push_endpoint.received) == 1
    headers, _ = push_endpoint.received[0]
    assert headers["content-encoding"] == "aes128gcm" and headers["ttl"] == str(channels.PUSH_TTL)
    assert headers["authorization"].startswith("vapid t=")
    payload = json.loads(push_endpoint.decrypted()[0])
    assert payload == {"title": "Companion", "url": f"/care/cases/{result.case_id}",
                       "body": f"Companion: URGENT case – open http://127.0.0.1:5000/care/cases/{result.case_id}"}
    assert (dispatcher.channels.vapid_dir() / "vapid_private.pem").exists()


def test_patient_push_says_new_message_and_a_gone_endpoint_is_revoked(world, push_endpoint):
    services.subscribe(world.patient_a_user, endpoint=push_endpoint.url, **push_endpoint.keys())
    ids = services.enqueue(user_id=world.patient_a_user.id, kind="refill_reminder", dedupe_key="r1", channels=("push",))
    db.session.commit()
    dispatcher.deliver(ids)
    assert json.loads(push_endpoint.decrypted()[0])["body"] == "Open Companion to see a new message."
    push_endpoint.status = 410
    ids = services.enqueue(user_id=world.patient_a_user.id, kind="refill_reminder", dedupe_key="r2", channels=("push",))
    db.session.commit()
    dispatcher.deliver(ids)
    assert db.session.scalar(select(PushSubscription.revoked_at)) is not None
    assert db.session.get(Notification, ids[0]).outcome == "skipped"


def test_backoff_grows_and_is_capped():
    assert [dispatcher.backoff(n).total_seconds() for n in (1, 2, 3, 6, 20)] == [30, 60, 120, 600, 600]


def test_each_round_says_its_reminder_and_the_second_rung_gets_the_link(app, world, smtp):
    """Round 2 reaches the next rung (the on-call physician) by email with the tier, the round and the link."""
    app.config["COMPANION_BASE_URL"] = "https://companion.example.org/"
    escalation.save_settings(world.clinic1.id, world.admin1, on_call_user_id=world.physician1.id)
    result = urgent_case(world)
    escalation.after_commit(result)  # in-app at once; email waits for the outbox job (no network in a request)
    dispatcher.dispatch_due(FIXED_NOW)
    clock.freeze(FIXED_NOW + timedelta(minutes=60))
    escalation.sweep()
    clock.freeze(FIXED_NOW + timedelta(minutes=120))
    escalation.sweep()
    subjects = [(m["To"], m["Subject"]) for m in smtp.inbox.messages]
    assert subjects == [(world.nurse1.email, "Companion: URGENT case"),
                        (world.nurse1.email, "Companion: URGENT case, 1st reminder"),
                        (world.physician1.email, "Companion: URGENT case, 1st reminder"),
                        (world.nurse1.email, "Companion: URGENT case, 2nd reminder"),
                        (world.physician1.email, "Companion: URGENT case, 2nd reminder"),
                        (world.admin1.email, "Companion: URGENT case, 2nd reminder")]
    link = f"https://companion.example.org/care/cases/{result.case_id}"
    assert all(m.get_payload(decode=True).decode().strip() == f"{m['Subject']} – open {link}" for m in smtp.inbox.messages)
    assert channels.ordinal(11) == "11th" and channels.ordinal(22) == "22nd" and channels.ordinal(3) == "3rd"
