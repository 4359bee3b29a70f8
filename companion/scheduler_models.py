"""The scheduler's heartbeat row, so every web worker can report whether it runs."""
from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from companion.extensions import db


class SchedulerHeartbeat(db.Model):
    """One row per scheduler name: the last time it ran a tick, and where."""

    __tablename__ = "scheduler_heartbeat"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    beat_at: Mapped[datetime]
    host: Mapped[str] = mapped_column(String(200), default="")
    pid: Mapped[int] = mapped_column(default=0)
