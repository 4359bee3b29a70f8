"""Around the refills: visits, other medicines, dose settings, caregiver reminders."""
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from companion.accounts.models import Patient, User
from companion.audit import services as audit
from companion.clock import utcnow
from companion.extensions import db
from companion.pump import notices, queries
from companion.pump.dose_checks import drug_key
from companion.pump.models import Appointment, PatientMedicine, PumpDoseCeiling, PumpDoseSettings, ReminderOptIn
from companion.pump.services.refills import PumpError


def book_appointment(actor: User, patient: Patient, starts_at: datetime, minutes: int = 30) -> Appointment:
    """Book the refill visit, or move the one already booked (reminders follow the new date)."""
    if starts_at < utcnow() - timedelta(minutes=5):
        raise PumpError("Choose a time that has not passed.", "starts_on")
    appointment = queries.next_appointment(patient, utcnow())
    if appointment is None:
        appointment = Appointment(patient_id=patient.id, clinic_id=patient.clinic_id, booked_by_id=actor.id)
        action, before = "pump_appointment_booked", ""
    else:
        action, before = "pump_appointment_moved", appointment.starts_at.isoformat()
    appointment.starts_at, appointment.minutes, appointment.updated_at = starts_at, minutes, utcnow()
    db.session.add(appointment)
    db.session.flush()
    audit.record(action, patient_id=patient.id, object_type="pump_appointment", object_id=appointment.id,
                 user=actor, before=before, after=starts_at.isoformat())
    current = queries.latest_confirmed(patient)
    if current and current.due_on and queries.local_date(patient.clinic, starts_at) > current.due_on:
        notices.tell_patient_to_call(patient, appointment)  # the same transaction as the booking
    db.session.commit()
    return appointment


def cancel_appointment(actor: User, appointment: Appointment) -> None:
    """Cancel a booked visit (kept, marked cancelled)."""
    appointment.cancelled_at = utcnow()
    audit.record("pump_appointment_cancelled", patient_id=appointment.patient_id, object_type="pump_appointment",
                 object_id=appointment.id, user=actor)
    db.session.commit()


def add_medicine(actor: User, patient: Patient, *, name: str, medicine_class: str, reported_by: str) -> PatientMedicine:
    """Note another medicine the patient takes (sedating classes are flagged for the care team)."""
    medicine = PatientMedicine(patient_id=patient.id, name=name.strip(), medicine_class=medicine_class,
                               reported_by=reported_by, reported_by_user_id=actor.id)
    db.session.add(medicine)
    db.session.flush()
    audit.record("pump_medicine_added", patient_id=patient.id, object_type="pump_medicine", object_id=medicine.id,
                 user=actor, medicine_class=medicine_class)
    db.session.commit()
    return medicine


def stop_medicine(actor: User, medicine: PatientMedicine) -> None:
    """Mark a medicine stopped (kept in the record)."""
    medicine.stopped_at = utcnow()
    audit.record("pump_medicine_stopped", patient_id=medicine.patient_id, object_type="pump_medicine",
                 object_id=medicine.id, user=actor)
    db.session.commit()


def save_dose_settings(actor: User, *, change_percent_limit: Decimal | None,
                       ceilings: list[tuple[str, Decimal | None, Decimal | None, str]]) -> None:
    """Store the clinic's change limit and per-drug ceilings (rows with no limit are removed)."""
    row = queries.dose_settings_row(actor.clinic_id) or PumpDoseSettings(clinic_id=actor.clinic_id)
    row.change_percent_limit, row.updated_by_id, row.updated_at = change_percent_limit, actor.id, utcnow()
    db.session.add(row)
    existing = {c.drug: c for c in queries.ceilings(actor.clinic_id)}
    for drug, max_dose, max_conc, unit in ceilings:
        key = drug_key(drug)
        ceiling = existing.pop(key, None) or PumpDoseCeiling(clinic_id=actor.clinic_id, drug=key)
        ceiling.max_daily_dose, ceiling.max_concentration, ceiling.unit = max_dose, max_conc, unit
        db.session.add(ceiling)
    for stale in existing.values():
        db.session.delete(stale)  # a setting, not clinical data
    audit.record("pump_dose_settings_saved", user=actor, change_percent_limit=str(change_percent_limit),
                 ceilings=[c[0] for c in ceilings])
    db.session.commit()


def set_caregiver_reminders(actor: User, patient: Patient, on: bool) -> None:
    """A linked caregiver opts in to (or out of) the patient's refill reminders."""
    rows = db.session.scalars(select(ReminderOptIn).where(
        ReminderOptIn.patient_id == patient.id, ReminderOptIn.user_id == actor.id, ReminderOptIn.revoked_at.is_(None)))
    live = list(rows)
    if on and not live:
        db.session.add(ReminderOptIn(patient_id=patient.id, user_id=actor.id))
    if not on:
        for row in live:
            row.revoked_at = utcnow()
    audit.record("pump_caregiver_reminders_set", patient_id=patient.id, user=actor, on=on)
    db.session.commit()
