"""Cases the care team must acknowledge, their steps, routine review items and clinic escalation settings."""
from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from companion.accounts.models import Clinic, Patient, User
from companion.clock import utcnow
from companion.extensions import db

CASE_STATUSES = ("open", "acknowledged", "resolved")
RESOLUTIONS = ("advised_emergency_department", "clinic_visit_booked", "advice_by_phone", "pump_checked",
               "no_action_needed")
# Every rung a clinic's ladder may use: the patient's team (the nurses), the on-call clinician, the backup
# on-call (the rota's second slot), the physicians, the clinic admins.
RUNGS = ("nurse", "on_call", "backup", "physician", "admin")
# The default ladders, lowest first: each round adds the next rung and keeps the earlier ones.
LADDER_IN_HOURS = "nurse,on_call,physician,admin"
LADDER_OUT_OF_HOURS = "on_call,backup,physician,admin"
LADDER = RUNGS  # kept for callers that name a rung by index
ACK_KINDS = ("on_it", "seen")  # "I'm on it" takes the case; "Seen" records that the page reached someone
CONTACT_OUTCOMES = ("reached", "no_answer", "voicemail", "caregiver")


class ClinicEscalationSettings(db.Model):
    """A clinic's working hours, on-call clinician and acknowledgement deadlines (one row per clinic)."""

    __tablename__ = "clinic_escalation_settings"
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"), unique=True)
    emergency_ack_minutes: Mapped[int] = mapped_column(Integer, default=15)
    urgent_ack_minutes: Mapped[int] = mapped_column(Integer, default=60)
    # Working hours in the clinic's own time zone: [hours_start, hours_end) on working_days (0 = Monday).
    hours_start: Mapped[int] = mapped_column(Integer, default=8)
    hours_end: Mapped[int] = mapped_column(Integer, default=17)
    working_days: Mapped[str] = mapped_column(String(20), default="0,1,2,3,4")
    # The one on-call clinician out of hours; if unset, the clinic's physicians are paged instead.
    on_call_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # The ladder's rungs in order, comma-separated names from RUNGS (one ladder in hours, one out of hours).
    ladder_in_hours: Mapped[str] = mapped_column(String(120), default=LADDER_IN_HOURS,
                                                 server_default=LADDER_IN_HOURS)
    ladder_out_of_hours: Mapped[str] = mapped_column(String(120), default=LADDER_OUT_OF_HOURS,
                                                     server_default=LADDER_OUT_OF_HOURS)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    on_call_user: Mapped[User | None] = relationship()


class ClinicThreshold(db.Model):
    """A clinic's tightened value for one red-flag threshold (defaults live in escalation/thresholds.py)."""

    __tablename__ = "clinic_threshold"
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    value: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    __table_args__ = (UniqueConstraint("clinic_id", "name"),)


class Case(db.Model):
    """An urgent or emergency finding the care team must acknowledge and resolve; never deleted."""

    __tablename__ = "escalation_case"
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    tier: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="open")
    source_type: Mapped[str] = mapped_column(String(40))
    source_id: Mapped[int] = mapped_column(Integer)
    # [{code, tier, staff_text, patient_text, source}], most severe first: a snapshot of the rules' answer.
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    ack_due_at: Mapped[datetime]  # fixed when the case opens: re-notification never moves it
    next_round_at: Mapped[datetime | None]  # when the next round of paging is due (while nobody has acknowledged)
    ladder_level: Mapped[int] = mapped_column(Integer, default=0)  # rungs of the case's ladder paged so far, minus one
    notify_round: Mapped[int] = mapped_column(Integer, default=1)
    in_hours: Mapped[bool] = mapped_column(Boolean, default=True)
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    resolution: Mapped[str | None] = mapped_column(String(40))
    resolution_note: Mapped[str] = mapped_column(Text, default="")  # internal clinical note: staff only
    patient_message: Mapped[str] = mapped_column(Text, default="", server_default="")  # the latest words to the patient

    clinic: Mapped[Clinic] = relationship()
    patient: Mapped[Patient] = relationship()
    acknowledged_by: Mapped[User | None] = relationship(foreign_keys=[acknowledged_by_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])
    events: Mapped[list["CaseEvent"]] = relationship(order_by="CaseEvent.id", back_populates="case")
    recipients: Mapped[list["CaseRecipient"]] = relationship(order_by="CaseRecipient.id", back_populates="case")

    __table_args__ = (UniqueConstraint("source_type", "source_id"),
                      Index("ix_escalation_case_clinic_status", "clinic_id", "status"))


class CaseEvent(db.Model):
    """One step of a case (opened, notified, escalated, acknowledged, resolved) with who and when."""

    __tablename__ = "case_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("escalation_case.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")  # internal clinical note: staff only
    patient_message: Mapped[str] = mapped_column(Text, default="", server_default="")  # shown to the patient
    detail: Mapped[dict] = mapped_column(JSON, default=dict)

    case: Mapped[Case] = relationship(back_populates="events")
    user: Mapped[User | None] = relationship()


class CaseRecipient(db.Model):
    """A staff member a case was routed to, at which ladder rung; acknowledgement is recorded per person."""

    __tablename__ = "case_recipient"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("escalation_case.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    rung: Mapped[str] = mapped_column(String(20))
    first_notified_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_at: Mapped[datetime | None]
    ack_kind: Mapped[str | None] = mapped_column(String(10))  # one of ACK_KINDS

    case: Mapped[Case] = relationship(back_populates="recipients")
    user: Mapped[User] = relationship()

    __table_args__ = (UniqueConstraint("case_id", "user_id"),)


class ReviewItem(db.Model):
    """A routine finding for the care team's review list, cleared in working hours; never deleted."""

    __tablename__ = "review_item"
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    source_type: Mapped[str] = mapped_column(String(40))
    source_id: Mapped[int] = mapped_column(Integer)
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    cleared_at: Mapped[datetime | None]
    cleared_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    note: Mapped[str] = mapped_column(Text, default="")

    patient: Mapped[Patient] = relationship()
    cleared_by: Mapped[User | None] = relationship(foreign_keys=[cleared_by_id])

    __table_args__ = (UniqueConstraint("source_type", "source_id"),)
