"""Reading progress, teach-back answers, consent sessions and the immutable signed consent record."""
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from companion.accounts.models import Patient, User
from companion.clock import utcnow
from companion.db import append_only
from companion.extensions import db


class ModuleRead(db.Model):
    """A patient (or their clinician in clinic) finished reading one module of one content version."""

    __tablename__ = "consent_module_read"
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    content_version: Mapped[str] = mapped_column(String(20))
    module_id: Mapped[str] = mapped_column(String(80))
    read_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("patient_id", "content_version", "module_id"),)


class TeachBackAnswer(db.Model):
    """One answer to a teach-back question; every try is kept, the newest counts."""

    __tablename__ = "consent_teach_back_answer"
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"))
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    content_version: Mapped[str] = mapped_column(String(20))
    module_id: Mapped[str] = mapped_column(String(80))
    question_id: Mapped[str] = mapped_column(String(80))
    choice_id: Mapped[str] = mapped_column(String(20))
    correct: Mapped[bool] = mapped_column(Boolean)
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_consent_teach_back_answer_patient_version", "patient_id", "content_version"),)


class ConsentSession(db.Model):
    """A clinician's consent discussion with a patient, open until a record is signed."""

    __tablename__ = "consent_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    content_version: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[int | None] = mapped_column(ForeignKey("consent_record.id"))

    questions: Mapped[list["SessionQuestion"]] = relationship(order_by="SessionQuestion.id", back_populates="session")


class SessionQuestion(db.Model):
    """A question the patient asked in the consent discussion, and the answer given."""

    __tablename__ = "consent_session_question"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("consent_session.id"), index=True)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    session: Mapped[ConsentSession] = relationship(back_populates="questions")


class ConsentRecord(db.Model):
    """A signed consent: never updated or deleted; a correction is a new record that supersedes it."""

    __tablename__ = "consent_record"
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"), index=True)
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)
    clinician_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    # Names are copied so the record reads the same after anyone renames an account.
    patient_name: Mapped[str] = mapped_column(String(200))
    patient_record_number: Mapped[str] = mapped_column(String(40))
    clinician_name: Mapped[str] = mapped_column(String(200))
    clinician_role: Mapped[str] = mapped_column(String(20))
    content_version: Mapped[str] = mapped_column(String(20))
    content_major: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))  # of the course in `language`
    # The language the course was read and the consent signed in; the signed PDF is in it too.
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    modules_read: Mapped[list] = mapped_column(JSON, default=list)
    answers: Mapped[list] = mapped_column(JSON, default=list)
    topics_discussed: Mapped[list] = mapped_column(JSON, default=list)
    questions: Mapped[list] = mapped_column(JSON, default=list)
    interpreter_used: Mapped[bool] = mapped_column(Boolean, default=False)
    interpreter_language: Mapped[str] = mapped_column(String(80), default="")
    representative_present: Mapped[bool] = mapped_column(Boolean, default=False)
    representative_name: Mapped[str] = mapped_column(String(200), default="")
    decision: Mapped[str] = mapped_column(String(20))
    patient_signature_kind: Mapped[str] = mapped_column(String(10))  # drawn | typed
    patient_signature_png: Mapped[bytes | None] = mapped_column(LargeBinary)
    patient_typed_name: Mapped[str] = mapped_column(String(200), default="")
    clinician_signature_kind: Mapped[str] = mapped_column(String(10))
    clinician_signature_png: Mapped[bytes | None] = mapped_column(LargeBinary)
    clinician_typed_name: Mapped[str] = mapped_column(String(200), default="")
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("consent_record.id"), unique=True)
    correction_reason: Mapped[str] = mapped_column(Text, default="")
    # What was not ready when an agreement was signed (unread modules, wrong teach-back, no trial) and why it went ahead.
    readiness_gaps: Mapped[dict | None] = mapped_column(JSON)
    readiness_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    record_hash: Mapped[str] = mapped_column(String(64))

    patient: Mapped[Patient] = relationship()
    clinician: Mapped[User] = relationship()


# The database refuses updates and deletes (the migration imports these two lists; their text must not change).
PG_TRIGGERS, SQLITE_TRIGGERS = append_only(
    ConsentRecord, "signed consent records are immutable; record a correction instead", word="immutable",
    function_name="consent_record_immutable")
