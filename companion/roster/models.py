"""One summary row per patient: the facts the roster ranks by, so a page never scans the clinic's history."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from companion.extensions import db


class PatientSummary(db.Model):
    """Last check-in, open cases by tier and the current refill due date of one patient (see roster.services)."""

    __tablename__ = "patient_summary"
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"), primary_key=True)
    # Copied from the patient (never edited after creation) so one index serves the clinic's page in name order.
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"))
    family_name: Mapped[str] = mapped_column(String(100))
    given_name: Mapped[str] = mapped_column(String(100))
    expects_checkins: Mapped[bool] = mapped_column(Boolean)  # implanted: a missing check-in counts as quiet
    last_checkin_at: Mapped[datetime | None]
    emergency_open: Mapped[int] = mapped_column(Integer)
    urgent_open: Mapped[int] = mapped_column(Integer)
    refill_due_on: Mapped[date | None] = mapped_column(Date)

    # One index per roster bucket (roster.queries.ranked_page): names for the calm majority, ranges for the rest.
    __table_args__ = (Index("ix_patient_summary_clinic_order", "clinic_id", "family_name", "given_name", "patient_id"),
                      Index("ix_patient_summary_clinic_cases", "clinic_id", "emergency_open", "urgent_open"),
                      Index("ix_patient_summary_clinic_due", "clinic_id", "refill_due_on"),
                      Index("ix_patient_summary_clinic_checkin", "clinic_id", "last_checkin_at"))
