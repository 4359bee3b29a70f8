"""Diary entries (check-in, wound check, post-refill check), wound photos, check-in reminder times."""
from datetime import datetime, time

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from companion.accounts.models import Patient, User
from companion.clock import utcnow
from companion.extensions import db

KINDS = ("checkin", "wound", "post_refill")


class DiaryEntry(db.Model):
    """One submitted questionnaire; never changed or deleted once stored (corrections are new entries)."""

    __tablename__ = "diary_entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"))
    kind: Mapped[str] = mapped_column(String(20))
    reported_by_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    reporter: Mapped[str] = mapped_column(String(12))  # patient | caregiver
    questionnaire_id: Mapped[str] = mapped_column(String(40))
    questionnaire_version: Mapped[str] = mapped_column(String(12))
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    observations: Mapped[dict] = mapped_column(JSON, default=dict)
    # The context the rules saw, so "why was this urgent?" can be answered later.
    context: Mapped[dict] = mapped_column(JSON, default=dict)
    # The client's UUID (Idempotency-Key): a replay returns this row instead of a second one.
    client_entry_id: Mapped[str] = mapped_column(String(36), unique=True)
    recorded_at: Mapped[datetime]  # the phone's clock when the patient made the entry
    received_at: Mapped[datetime] = mapped_column(default=utcnow)  # the server's clock
    tier: Mapped[str] = mapped_column(String(12), default="none")
    reason_codes: Mapped[list] = mapped_column(JSON, default=list)
    case_id: Mapped[int | None] = mapped_column(Integer)  # the escalation case, when one was opened
    # Trend columns: typed copies of the observations the charts and rules context read.
    pain_now: Mapped[int | None] = mapped_column(Integer)
    peg_score: Mapped[float | None] = mapped_column(Float)
    sleepiness: Mapped[str | None] = mapped_column(String(20))
    breaths_per_min: Mapped[int | None] = mapped_column(Integer)
    temperature_c: Mapped[float | None] = mapped_column(Float)
    wound_redness: Mapped[str | None] = mapped_column(String(20))
    wound_drainage: Mapped[str | None] = mapped_column(String(20))
    wound_swelling: Mapped[str | None] = mapped_column(String(20))

    patient: Mapped[Patient] = relationship()
    reported_by: Mapped[User] = relationship()
    photos: Mapped[list["WoundPhoto"]] = relationship(back_populates="entry", order_by="WoundPhoto.site")

    __table_args__ = (Index("ix_diary_entry_patient_kind_recorded", "patient_id", "kind", "recorded_at"),)


class WoundPhoto(db.Model):
    """A re-encoded photo of one incision (metadata stripped), stored outside the web root."""

    __tablename__ = "wound_photo"
    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("diary_entry.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    site: Mapped[str] = mapped_column(String(12))  # belly | back
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)  # random; never the upload's name
    content_type: Mapped[str] = mapped_column(String(40), default="image/jpeg")
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    size_bytes: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    entry: Mapped[DiaryEntry] = relationship(back_populates="photos")


class CheckinReminderPreference(db.Model):
    """The local time of day a patient wants to be reminded of the daily check-in."""

    __tablename__ = "checkin_reminder_preference"
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), unique=True)
    remind_at: Mapped[time] = mapped_column(Time)  # in the clinic's time zone
    enabled: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
