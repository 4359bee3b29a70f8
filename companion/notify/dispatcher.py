"""Sends due outbox rows exactly once (conditional claim), retries failures with backoff; the outbox job.

It only delivers: what to send and to whom is decided by the capabilities that enqueue (escalation's rounds).
"""
import hashlib
import logging
import threading
import uuid
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, or_, select, update

from companion.clock import utcnow
from companion.extensions import db
from companion.notify import channels, queries
from companion.notify.models import Notification
from companion.scheduler import Job, register

log = logging.getLogger(__name__)
STALE_CLAIM = timedelta(minutes=5)  # a claim older than this belongs to a runner that died mid-send
BACKOFF_FIRST = timedelta(seconds=30)
BACKOFF_MAX = timedelta(minutes=10)  # so an outage of any length is caught up within ten minutes
DELIVERY_SECONDS = 20  # NOTIFY_DELIVERY_SECONDS: the most one network delivery may hold up the rest


def backoff(attempts: int) -> timedelta:
    """Wait before the next try: 30 s, 1 min, 2 min, ... capped at 10 min."""
    return min(BACKOFF_FIRST * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


def claim(notification_id: int, now: datetime) -> str | None:
    """Claim one unsent, due row for this runner; commits. None if another runner has it or it was sent."""
    token = uuid.uuid4().hex
    result = db.session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.sent_at.is_(None), Notification.due_at <= now,
               or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now),
               or_(Notification.claimed_at.is_(None), Notification.claimed_at < now - STALE_CLAIM))
        .values(claimed_at=now, claim_token=token)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return token if result.rowcount == 1 else None


def _finish(notification_id: int, token: str, **values) -> None:
    """Write the outcome only if this runner still holds the claim; commits."""
    db.session.execute(update(Notification).where(Notification.id == notification_id,
                                                  Notification.claim_token == token)
                       .values(**values).execution_options(synchronize_session=False))
    db.session.commit()


def send_claimed(notification_id: int, token: str) -> bool:
    """Send a row this runner claimed; mark it sent, or record the error and when to try again."""
    row = db.session.execute(select(Notification).where(Notification.id == notification_id)
                             .execution_options(populate_existing=True)).scalar_one()
    try:
        outcome = channels.send(row) if row.channel == "in_app" else _send_in_time(notification_id, row.channel)
    except Exception as error:  # noqa: BLE001 - any failure is retried later; it must not stop the batch
        db.session.rollback()
        attempts = (row.attempts or 0) + 1
        log.warning("notification %s (%s) failed, attempt %s: %s", notification_id, row.channel, attempts, error)
        _finish(notification_id, token, attempts=attempts, last_error=str(error)[:1000], claimed_at=None,
                claim_token=None, next_attempt_at=utcnow() + backoff(attempts))
        return False
    _finish(notification_id, token, sent_at=utcnow(), outcome=outcome, attempts=(row.attempts or 0) + 1,
            last_error="", claimed_at=None)
    return True


def _send_in_time(notification_id: int, channel: str) -> str:
    """Send over the network in a worker thread and wait at most the delivery limit (a stalled endpoint is left)."""
    app, box = current_app._get_current_object(), {}

    def work():
        with app.app_context():
            try:
                box["outcome"] = channels.send(db.session.get(Notification, notification_id))
                db.session.commit()  # e.g. a gone push subscription revoked
            except BaseException as error:  # noqa: BLE001 - handed back to the dispatcher below; a process-ending
                db.session.rollback()        # BaseException (SystemExit, KeyboardInterrupt) must end the run there too
                box["error"] = error
            finally:
                db.session.remove()

    limit = app.config.get("NOTIFY_DELIVERY_SECONDS", DELIVERY_SECONDS)
    worker = threading.Thread(target=work, name=f"deliver-{notification_id}", daemon=True)
    worker.start()
    worker.join(limit)
    if worker.is_alive():  # its own socket timeouts end it later; the batch goes on now
        raise channels.DeliveryError(f"{channel}: no answer within {limit} s")
    if "error" in box:
        raise box["error"]
    return box["outcome"]


def deliver(notification_ids, now: datetime | None = None) -> int:
    """Claim and send the given rows (those due and unsent); return how many were sent now."""
    sent = 0
    for notification_id in notification_ids:
        token = claim(notification_id, now or utcnow())
        if token and send_claimed(notification_id, token):
            sent += 1
    return sent


def deliver_after_request(notification_ids) -> int:
    """From a web request: in-app rows now; email and push in a background thread, never in the request."""
    ids = list(notification_ids)
    if not ids:
        return 0
    local = list(db.session.scalars(select(Notification.id).where(Notification.id.in_(ids),
                                                                  Notification.channel == "in_app")))
    db.session.commit()  # end the read transaction before claiming
    sent = deliver(local)
    network = [i for i in ids if i not in set(local)]
    if network and current_app.config.get("NOTIFY_BACKGROUND", True):
        app = current_app._get_current_object()

        def work():
            with app.app_context():
                try:
                    deliver(network)
                except Exception:  # noqa: BLE001 - the rows stay pending for dispatch_outbox
                    db.session.rollback()
                    log.exception("background delivery failed; the outbox job will retry")
                finally:
                    db.session.remove()

        threading.Thread(target=work, name="deliver-after-request", daemon=True).start()
    return sent  # without the background thread, dispatch_outbox sends the rest within 30 s


def dispatch_due(now: datetime | None = None, limit: int = 200) -> int:
    """Send every due, unsent, unclaimed row (oldest first); the dispatch_outbox job."""
    now = now or utcnow()
    ids = queries.due_ids(now, now - STALE_CLAIM, limit)
    db.session.commit()  # end the read transaction before claiming
    return deliver(ids, now)


def _lock_key(job_id: str) -> int:
    """A stable signed 64-bit advisory-lock key for a job id."""
    return int.from_bytes(hashlib.sha256(f"job:{job_id}".encode()).digest()[:8], "big", signed=True)


def run_locked(job_id: str, job) -> bool:
    """Run a job; on PostgreSQL only if this runner wins pg_try_advisory_xact_lock (a second scheduler skips)."""
    if db.engine.dialect.name != "postgresql":
        job()
        return True
    with db.engine.connect() as connection:
        transaction = connection.begin()  # the lock lives as long as this transaction
        try:
            if not connection.execute(select(func.pg_try_advisory_xact_lock(_lock_key(job_id)))).scalar():
                return False
            job()
            return True
        finally:
            transaction.rollback()


def dispatch_outbox_job() -> None:
    """Scheduler entry: dispatch the outbox."""
    run_locked("dispatch_outbox", dispatch_due)


register(Job("dispatch_outbox", 30, dispatch_outbox_job))
