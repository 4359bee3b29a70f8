"""The patient's answers to the values exercise: every save is kept, the newest counts."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from companion.clock import utcnow
from companion.extensions import db


class DecisionAidAnswer(db.Model):
    """One save of the values exercise: ratings per value, the option the patient leans toward, questions."""

    __tablename__ = "decision_aid_answer"
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"))
    saved_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    content_version: Mapped[str] = mapped_column(String(20))
    ratings: Mapped[dict] = mapped_column(JSON, default=dict)
    leaning: Mapped[str] = mapped_column(String(20), default="")
    questions: Mapped[str] = mapped_column(Text, default="")
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_decision_aid_answer_patient_saved", "patient_id", "saved_at"),)
