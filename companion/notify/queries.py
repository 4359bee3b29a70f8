"""Reads of the outbox and push subscriptions."""
from sqlalchemy import func, or_, select

from companion.clock import utcnow
from companion.extensions import db
from companion.notify.models import Notification, PushSubscription


def unread_in_app(user_id: int) -> list[Notification]:
    """Unread in-app notifications that are due, newest first."""
    return list(db.session.scalars(
        select(Notification).where(Notification.user_id == user_id, Notification.channel == "in_app",
                                   Notification.read_at.is_(None), Notification.due_at <= utcnow())
        .order_by(Notification.created_at.desc(), Notification.id.desc())))


def recent_in_app(user_id: int, limit: int = 30) -> list[Notification]:
    """The person's due in-app messages, unread first, then the latest read ones (newest first in each)."""
    return list(db.session.scalars(
        select(Notification).where(Notification.user_id == user_id, Notification.channel == "in_app",
                                   Notification.due_at <= utcnow())
        .order_by(Notification.read_at.is_not(None), Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)))


def own_in_app(user_id: int, notification_id: int) -> Notification | None:
    """One of the person's own in-app messages, or None (someone else's does not exist for them)."""
    return db.session.scalar(select(Notification).where(
        Notification.id == notification_id, Notification.user_id == user_id, Notification.channel == "in_app"))


def unread_count(user_id: int) -> int:
    """How many due in-app messages the person has not opened (the badge on Messages and home)."""
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user_id, Notification.channel == "in_app", Notification.read_at.is_(None),
        Notification.due_at <= utcnow())) or 0


def active_subscriptions(user_id: int) -> list[PushSubscription]:
    """The person's push subscriptions that have not been revoked."""
    return list(db.session.scalars(select(PushSubscription).where(
        PushSubscription.user_id == user_id, PushSubscription.revoked_at.is_(None)).order_by(PushSubscription.id)))


def due_ids(now, stale_before, limit: int = 200) -> list[int]:
    """Ids of unsent notifications that are due, not in backoff and not claimed (or claimed too long ago)."""
    return list(db.session.scalars(
        select(Notification.id).where(
            Notification.sent_at.is_(None), Notification.due_at <= now,
            or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now),
            or_(Notification.claimed_at.is_(None), Notification.claimed_at < stale_before))
        .order_by(Notification.due_at, Notification.id).limit(limit)))


def existing_keys(keys: list[str]) -> set[str]:
    """Which of these dedupe keys already have an outbox row (on any channel)."""
    return set(db.session.scalars(select(Notification.dedupe_key).where(Notification.dedupe_key.in_(keys))))
