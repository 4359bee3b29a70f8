"""Pump records the clinic keeps: profile, regimens, refills, appointments, medicines, procedures."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from companion.accounts.models import Patient, User
from companion.clock import utcnow
from companion.extensions import db

# Exact decimals: 0.2 mL/day must stay 0.2, never 0.19999 (the projection floors days).
Amount = Numeric(12, 4, asdecimal=True)

PUMP_MODEL_CHOICES = [("synchromed_ii_20", "SynchroMed II 20 mL"), ("synchromed_ii_40", "SynchroMed II 40 mL"),
                      ("prometra_ii_20", "Prometra II 20 mL"), ("prometra_ii_40", "Prometra II 40 mL"),
                      ("other", "Other model")]
RECORD_KINDS = ("first_fill", "refill", "dose_change")


class PumpProfile(db.Model):
    """The implanted pump: model and size, where it sits, and when its battery runs out."""

    __tablename__ = "pump_profile"
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), unique=True)
    model: Mapped[str] = mapped_column(String(40))
    other_model_name: Mapped[str] = mapped_column(String(100), default="")
    reservoir_ml: Mapped[Decimal] = mapped_column(Amount)
    implanted_on: Mapped[date | None] = mapped_column(Date)
    pocket_side: Mapped[str] = mapped_column(String(20), default="")
    catheter_tip_level: Mapped[str] = mapped_column(String(20), default="")
    replacement_indicator_on: Mapped[date | None] = mapped_column(Date)
    # Asked for the first-fill check: None until answered (the opioid-naive start is used meanwhile).
    opioid_tolerant: Mapped[bool | None] = mapped_column(Boolean)
    # Take-home naloxone (issue 12): shown on the pump card so a first responder knows it may be at hand.
    naloxone_at_home: Mapped[bool | None] = mapped_column(Boolean)
    spasticity_origin: Mapped[str] = mapped_column(String(20), default="", server_default="")  # spinal | cerebral
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    patient: Mapped[Patient] = relationship()

    @property
    def display_name(self) -> str:
        """The model as printed on the card."""
        if self.model == "other":
            return f"{self.other_model_name} {self.reservoir_ml.normalize():f} mL".strip()
        return dict(PUMP_MODEL_CHOICES).get(self.model, self.model)


class Regimen(db.Model):
    """What the pump is programmed to give: one or more drugs (a mixture) and bolus settings."""

    __tablename__ = "pump_regimen"
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    mode: Mapped[str] = mapped_column(String(40), default="simple_continuous")
    bolus_dose: Mapped[Decimal] = mapped_column(Amount, default=Decimal(0))
    boluses_per_day: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    drugs: Mapped[list["RegimenDrug"]] = relationship(order_by="RegimenDrug.position", cascade="all, delete-orphan")

    @property
    def main_drug(self) -> "RegimenDrug":
        """The first drug listed: its units carry the bolus dose and the projection."""
        return self.drugs[0]


class RegimenDrug(db.Model):
    """One drug in the reservoir: concentration (unit/mL) and daily dose (unit/day)."""

    __tablename__ = "pump_regimen_drug"
    id: Mapped[int] = mapped_column(primary_key=True)
    regimen_id: Mapped[int] = mapped_column(ForeignKey("pump_regimen.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(80))
    concentration: Mapped[Decimal] = mapped_column(Amount)
    daily_dose: Mapped[Decimal] = mapped_column(Amount)
    unit: Mapped[str] = mapped_column(String(8), default="mg")
    compounded: Mapped[bool] = mapped_column(Boolean, default=False)


class RefillRecord(db.Model):
    """A refill, first fill or dose change; it counts only once a second clinician confirms it."""

    __tablename__ = "pump_refill"
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="refill")
    performed_at: Mapped[datetime]
    filled_on: Mapped[date] = mapped_column(Date)  # the clinic-local date of performed_at
    expected_residual_ml: Mapped[Decimal | None] = mapped_column(Amount)
    withdrawn_ml: Mapped[Decimal | None] = mapped_column(Amount)
    residual_gap_flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    # For a refill: the volume put in; for a dose change: the reservoir volume the programmer shows.
    fill_volume_ml: Mapped[Decimal] = mapped_column(Amount)
    alarm_volume_ml: Mapped[Decimal] = mapped_column(Amount)
    stability_days: Mapped[int | None] = mapped_column(Integer)
    regimen_id: Mapped[int] = mapped_column(ForeignKey("pump_regimen.id"))
    is_dose_increase: Mapped[bool] = mapped_column(Boolean, default=False)
    findings: Mapped[list] = mapped_column(JSON, default=list)
    change_reason: Mapped[str] = mapped_column(Text, default="")
    reprogrammed_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    override_note: Mapped[str] = mapped_column(Text, default="")
    override_reason: Mapped[str] = mapped_column(String(30), default="", server_default="")  # OVERRIDE_REASONS
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(24), default="pending_confirmation")
    first_clinician_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    second_clinician_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    confirmed_at: Mapped[datetime | None]
    # The projection made at confirmation (schedule.project), kept so the history shows what was known.
    daily_volume_ml: Mapped[Decimal | None] = mapped_column(Amount)
    alarm_on: Mapped[date | None] = mapped_column(Date)
    empty_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    limited_by: Mapped[str] = mapped_column(String(24), default="")

    regimen: Mapped[Regimen] = relationship()
    patient: Mapped[Patient] = relationship()
    first_clinician: Mapped[User] = relationship(foreign_keys=[first_clinician_id])
    second_clinician: Mapped[User | None] = relationship(foreign_keys=[second_clinician_id])

    __table_args__ = (Index("ix_pump_refill_patient_status", "patient_id", "status"),)

    @property
    def residual_gap_ml(self) -> Decimal | None:
        """Withdrawn minus expected residual (negative: less came back than expected)."""
        if self.expected_residual_ml is None or self.withdrawn_ml is None:
            return None
        return self.withdrawn_ml - self.expected_residual_ml


class Appointment(db.Model):
    """A booked refill visit; moving it changes starts_at (the audit log keeps the old time)."""

    __tablename__ = "pump_appointment"
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="refill")
    starts_at: Mapped[datetime]
    minutes: Mapped[int] = mapped_column(Integer, default=30)
    booked_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]
    attended_refill_id: Mapped[int | None] = mapped_column(ForeignKey("pump_refill.id"))

    patient: Mapped[Patient] = relationship()


class PatientMedicine(db.Model):
    """Another medicine the patient takes; sedating classes are flagged for the care team."""

    __tablename__ = "pump_patient_medicine"
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    medicine_class: Mapped[str] = mapped_column(String(40), default="other")
    reported_by: Mapped[str] = mapped_column(String(20))  # patient | caregiver | staff
    reported_by_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    stopped_at: Mapped[datetime | None]


class ProcedureNotice(db.Model):
    """An MRI or other procedure the patient tells us about: a clinic task and a check-in after."""

    __tablename__ = "pump_procedure_notice"
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # mri | procedure
    planned_at: Mapped[datetime]
    details: Mapped[str] = mapped_column(Text, default="")
    field_tesla: Mapped[str] = mapped_column(String(8), default="", server_default="")  # MRI: "1.5", "3" or unknown
    reported_by: Mapped[str] = mapped_column(String(20))
    reported_by_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    followup_at: Mapped[datetime]
    task_done_at: Mapped[datetime | None]
    # When the scan or procedure really happened (the patient's "I had it", or staff): the red-flag rules count
    # days since an MRI from this, never from a planned date that may have moved (issue 12).
    happened_at: Mapped[datetime | None]
    confirmed_by: Mapped[str] = mapped_column(String(20), default="", server_default="")
    task_done_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    patient: Mapped[Patient] = relationship()


class PumpDoseSettings(db.Model):
    """The clinic's dose-check settings: change limit (per cent); no built-in numbers."""

    __tablename__ = "pump_dose_settings"
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"), unique=True)
    change_percent_limit: Mapped[Decimal | None] = mapped_column(Amount)
    # "No visit booked" shows from this many days before the due date (None: 45).
    no_visit_flag_days: Mapped[int | None] = mapped_column(Integer)
    # Battery life in years for models whose maker gives no figure (Prometra: "clinic to set").
    prometra_battery_years: Mapped[int | None] = mapped_column(Integer)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class PumpDoseCeiling(db.Model):
    """A clinic ceiling for one drug (either limit may be empty)."""

    __tablename__ = "pump_dose_ceiling"
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"), index=True)
    drug: Mapped[str] = mapped_column(String(80))
    max_daily_dose: Mapped[Decimal | None] = mapped_column(Amount)
    max_concentration: Mapped[Decimal | None] = mapped_column(Amount)
    unit: Mapped[str] = mapped_column(String(8), default="mg")

    __table_args__ = (UniqueConstraint("clinic_id", "drug"),)


class ReminderOptIn(db.Model):
    """A linked caregiver who asked to get the patient's refill reminders too."""

    __tablename__ = "pump_reminder_opt_in"
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
