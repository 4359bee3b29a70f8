"""Two dispatchers at once never send a notification twice (PostgreSQL: real concurrency; SQLite: one after another)."""
import threading
from collections import Counter

import pytest

from companion.escalation import services as escalation
from companion.extensions import db
from companion.notify import dispatcher
from tests.factories import different_urgent_report


def _cases(world, n):
    """n urgent cases for patient A (different signs, so n cases): 3 rows each to nurse1."""
    for source_id in range(1, n + 1):
        escalation.assess(world.patient_a, observations=different_urgent_report(source_id - 1), context={},
                          source_type="diary_entry", source_id=source_id, reported_by_user=world.patient_a_user)
    db.session.commit()


def _run_together(app, func, runners=2):
    """Start `runners` threads, each in its own app context (own session and connection), at the same moment."""
    barrier, results, errors = threading.Barrier(runners), [], []

    def work():
        with app.app_context():
            try:
                barrier.wait()
                results.append(func())
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work) for _ in range(runners)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    return results


@pytest.mark.postgres
def test_two_concurrent_dispatchers_send_each_email_once_on_postgres(app, world, smtp):
    _cases(world, 12)
    results = _run_together(app, dispatcher.dispatch_due)
    assert sum(results) == 36  # every row sent by exactly one of the two runners
    counts = Counter(m["X-Companion-Notification"] for m in smtp.inbox.messages)
    assert len(counts) == 12 and set(counts.values()) == {1}
    assert dispatcher.dispatch_due() == 0


@pytest.mark.postgres
def test_advisory_lock_lets_only_one_scheduler_run_a_job(app):
    inside, release = threading.Event(), threading.Event()

    def slow_job():
        inside.set()
        release.wait(10)

    outcome = {}

    def first():
        with app.app_context():
            outcome["first"] = dispatcher.run_locked("dispatch_outbox", slow_job)

    thread = threading.Thread(target=first)
    thread.start()
    assert inside.wait(10)
    with app.app_context():
        outcome["second"] = dispatcher.run_locked("dispatch_outbox", lambda: None)
    release.set()
    thread.join(10)
    assert outcome == {"first": True, "second": False}


def test_sequential_dispatchers_on_sqlite_send_each_email_once(app, world, smtp):
    _cases(world, 4)
    first, second = dispatcher.dispatch_due(), dispatcher.dispatch_due()
    assert (first, second) == (12, 0)
    counts = Counter(m["X-Companion-Notification"] for m in smtp.inbox.messages)
    assert len(counts) == 4 and set(counts.values()) == {1}
