"""The only writer of notifications: enqueue into the outbox, mark in-app ones read, manage push subscriptions."""
import json
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from companion.clock import utcnow
from companion.extensions import db
from companion.notify.models import CHANNELS, Notification, PushSubscription

STAFF_SAFE = frozenset({"tier", "round", "path"})  # what a staff email or push may say about a case


def _detail_for(channel: str, detail: dict | None) -> dict | None:
    """All of `detail` on the in-app row; on email and push rows only the staff-safe keys (or nothing)."""
    if not detail:
        return None
    if channel == "in_app":
        return dict(detail)
    safe = {key: value for key, value in detail.items() if key in STAFF_SAFE}
    return safe or None


def enqueue(*, user_id: int, kind: str, dedupe_key: str, channels: tuple[str, ...] = CHANNELS,
            patient_id: int | None = None, due_at: datetime | None = None, detail: dict | None = None) -> list[int]:
    """Add one outbox row per channel in the caller's transaction; an existing (key, channel) is kept, not doubled.

    `detail` holds what the in-app message says (see templates/notify/_message.html); only the in-app row keeps
    it all; push and email rows keep only STAFF_SAFE keys (a staff case's tier, round and link), never health
    details or names.
    """
    unknown = set(channels) - set(CHANNELS)
    if unknown:
        raise ValueError(f"unknown channel(s): {', '.join(sorted(unknown))}")
    existing = {n.channel: n for n in db.session.scalars(
        select(Notification).where(Notification.dedupe_key == dedupe_key, Notification.channel.in_(channels)))}
    now = utcnow()
    rows = []
    for channel in dict.fromkeys(channels):
        row = existing.get(channel)
        if row is None:
            row = Notification(user_id=user_id, patient_id=patient_id, kind=kind, channel=channel,
                               dedupe_key=dedupe_key, created_at=now, due_at=due_at or now,
                               detail=_detail_for(channel, detail))
            db.session.add(row)
        rows.append(row)
    db.session.flush()
    return [row.id for row in rows]


def enqueue_many(items: list[dict], *, kind: str, channels: tuple[str, ...] = CHANNELS) -> int:
    """Outbox rows for many (user_id, patient_id, dedupe_key, due_at) in the caller's transaction, in one statement;
    a (key, channel) already there is kept as it is (INSERT ... ON CONFLICT DO NOTHING, so two runners never double
    a row). Returns how many rows were added."""
    unknown = set(channels) - set(CHANNELS)
    if unknown:
        raise ValueError(f"unknown channel(s): {', '.join(sorted(unknown))}")
    now = utcnow()
    rows = [{"user_id": item["user_id"], "patient_id": item.get("patient_id"), "kind": kind, "channel": channel,
             "dedupe_key": item["dedupe_key"], "created_at": now, "due_at": item.get("due_at") or now,
             "attempts": 0, "last_error": "", "outcome": "", "detail": _detail_for(channel, item.get("detail"))}
            for item in items for channel in dict.fromkeys(channels)]
    if not rows:
        return 0
    if db.session.get_bind().dialect.name == "postgresql":
        # Five arrays for any number of rows: one short statement to parse and plan, not thousands of parameters.
        return len(db.session.execute(_UNNEST_INSERT, {
            "kind": kind, "now": now, **{name: [row[column] for row in rows] for name, column in (
                ("users", "user_id"), ("patients", "patient_id"), ("channels", "channel"), ("keys", "dedupe_key"),
                ("dues", "due_at"))},
            "details": [json.dumps(row["detail"]) if row["detail"] is not None else None for row in rows]}).all())
    # SQLite: one compiled statement; SQLAlchemy batches the rows into multi-row INSERTs itself.
    stmt = sqlite_insert(Notification.__table__).on_conflict_do_nothing(index_elements=["dedupe_key", "channel"])
    return len(db.session.execute(stmt.returning(Notification.__table__.c.id), rows).all())


_UNNEST_INSERT = text(
    "INSERT INTO notification (user_id, patient_id, kind, channel, dedupe_key, created_at, due_at, attempts, "
    "last_error, outcome, detail) SELECT u, p, :kind, c, k, :now, d, 0, '', '', j FROM unnest(CAST(:users AS integer[]), "
    "CAST(:patients AS integer[]), CAST(:channels AS varchar[]), CAST(:keys AS varchar[]), "
    "CAST(:dues AS timestamptz[]), CAST(:details AS json[])) AS t(u, p, c, k, d, j) "
    "ON CONFLICT (dedupe_key, channel) DO NOTHING RETURNING id")


def mark_read(user, notification_id: int | None = None) -> int:
    """Mark one (or, without an id, every) unread in-app notification of this person read; commits."""
    query = select(Notification).where(Notification.user_id == user.id, Notification.channel == "in_app",
                                       Notification.read_at.is_(None))
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    rows = list(db.session.scalars(query))
    for row in rows:
        row.read_at = utcnow()
    db.session.commit()
    return len(rows)


def in_app_for(user) -> list[Notification]:
    """Unread, due in-app notifications of this person, newest first (for a home-screen list)."""
    from companion.notify.queries import unread_in_app

    return unread_in_app(user.id)


def subscribe(user, *, endpoint: str, p256dh: str, auth: str) -> PushSubscription | None:
    """Save (or refresh) this browser's push subscription for this person; commits. None if someone else's."""
    row = db.session.scalar(select(PushSubscription).where(PushSubscription.endpoint == endpoint))
    now = utcnow()
    if row is None:
        row = PushSubscription(user_id=user.id, endpoint=endpoint, p256dh=p256dh, auth=auth, created_at=now)
        db.session.add(row)
    elif row.user_id != user.id and row.revoked_at is None:
        # A live endpoint is never moved by a post: knowing someone's endpoint must not redirect their alerts.
        return None
    row.user_id, row.p256dh, row.auth, row.last_seen_at, row.revoked_at = user.id, p256dh, auth, now, None
    db.session.commit()
    return row


def unsubscribe(user, endpoint: str | None = None) -> int:
    """Revoke this person's push subscription(s) (one endpoint, or all); commits."""
    query = select(PushSubscription).where(PushSubscription.user_id == user.id, PushSubscription.revoked_at.is_(None))
    if endpoint:
        query = query.where(PushSubscription.endpoint == endpoint)
    rows = list(db.session.scalars(query))
    for row in rows:
        row.revoked_at = utcnow()
    db.session.commit()
    return len(rows)


def mark_read_for(user, dedupe_prefix: str) -> int:
    """Mark this person's unread in-app notifications whose key starts with the prefix read; commits."""
    rows = list(db.session.scalars(select(Notification).where(
        Notification.user_id == user.id, Notification.channel == "in_app", Notification.read_at.is_(None),
        Notification.dedupe_key.like(f"{dedupe_prefix}%"))))
    for row in rows:
        row.read_at = utcnow()
    db.session.commit()
    return len(rows)


def withdraw(dedupe_prefix: str) -> int:
    """Stop notifications that no longer apply (the refill was checked): unsent rows are closed as 'withdrawn'
    and in-app ones marked read, in the caller's transaction."""
    now, count = utcnow(), 0
    for row in db.session.scalars(select(Notification).where(Notification.dedupe_key.like(f"{dedupe_prefix}%"))):
        if row.sent_at is None and row.claimed_at is None:
            row.sent_at, row.outcome = now, "withdrawn"
            count += 1
        if row.channel == "in_app" and row.read_at is None:
            row.read_at = now
    return count
