"""The clinic's weekly on-call rota: who is on call, from when to when, on each weekday (clinic time)."""
from datetime import datetime, time

from sqlalchemy import CheckConstraint, ForeignKey, Integer, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from companion.accounts.models import User
from companion.clock import utcnow
from companion.extensions import db


class OnCallShift(db.Model):
    """One weekly on-call shift in the clinic's time zone; an end at or before the start runs past midnight."""

    __tablename__ = "on_call_shift"
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)  # 0 = Monday, as datetime.weekday() counts
    starts: Mapped[time] = mapped_column(Time)
    ends: Mapped[time] = mapped_column(Time)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    slot: Mapped[int] = mapped_column(Integer, default=1, server_default="1")  # 1 = on call, 2 = backup on call
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()

    __table_args__ = (CheckConstraint("weekday >= 0 AND weekday <= 6", name="weekday_range"),
                      CheckConstraint("slot IN (1, 2)", name="slot_range"))
