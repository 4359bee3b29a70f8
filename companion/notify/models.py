"""The notification outbox (one row per person, kind and channel) and web push subscriptions."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from companion.accounts.models import User
from companion.clock import utcnow
from companion.extensions import db

CHANNELS = ("in_app", "email", "push")


class Notification(db.Model):
    """One message to one person on one channel; sent exactly once (unique key + conditional claim)."""

    __tablename__ = "notification"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patient.id"))
    kind: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(10))
    dedupe_key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime | None]
    claimed_at: Mapped[datetime | None]
    claim_token: Mapped[str | None] = mapped_column(String(40))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None]
    outcome: Mapped[str] = mapped_column(String(20), default="")  # sent, or skipped (no address, no SMTP)
    read_at: Mapped[datetime | None]
    # In-app rows: the facts the message shows behind sign-in (templates/notify/_message.html). Email and push
    # rows keep only a staff case's {"tier", "round", "path"}; never a name or health detail.
    detail: Mapped[dict | None] = mapped_column(JSON)

    user: Mapped[User] = relationship()

    __table_args__ = (UniqueConstraint("dedupe_key", "channel"),
                      Index("ix_notification_pending", "sent_at", "due_at"))


class PushSubscription(db.Model):
    """A browser's web push endpoint and keys for one person; revoked, never reused, when it is gone."""

    __tablename__ = "push_subscription"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    endpoint: Mapped[str] = mapped_column(String(1000), unique=True)
    p256dh: Mapped[str] = mapped_column(String(200))
    auth: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
