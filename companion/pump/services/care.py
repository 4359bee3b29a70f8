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
from companion.pump.dose_checks.limits import MG, default_ceiling
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
    """Cancel a booked visit (kept, marked cancelled) with its reminders: none is sent after this (they are made
    from live bookings only) and those already in the patient's or caregivers' in-app list are marked read."""
    from companion.notify.services import mark_read_for
    from companion.pump.jobs import reminder_recipients

    if appointment.cancelled_at is not None:
        raise PumpError("This visit is already cancelled.")
    appointment.cancelled_at = utcnow()
    audit.record("pump_appointment_cancelled", patient_id=appointment.patient_id, object_type="pump_appointment",
                 object_id=appointment.id, user=actor, starts_at=appointment.starts_at.isoformat())
    on = queries.local_date(appointment.patient.clinic, appointment.starts_at)
    db.session.commit()
    patient = appointment.patient
    for user_id, kind in reminder_recipients({patient.id: patient.user_id})[patient.id]:
        mark_read_for(db.session.get(User, user_id), f"{appointment.patient_id}:{kind}:{on.isoformat()}:")


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
                       ceilings: list[tuple[str, Decimal | None, Decimal | None, str]],
                       no_visit_flag_days: int | None = None, prometra_battery_years: int | None = None) -> None:
    """Store the clinic's change limit and per-drug ceilings (rows with no limit are removed)."""
    loosened = _loosened(ceilings)
    if loosened and actor.role != "physician":
        raise PumpError(f"Only a physician can set a ceiling above the default for {', '.join(loosened)}.", "ceilings")
    row = queries.dose_settings_row(actor.clinic_id) or PumpDoseSettings(clinic_id=actor.clinic_id)
    row.change_percent_limit, row.updated_by_id, row.updated_at = change_percent_limit, actor.id, utcnow()
    row.no_visit_flag_days, row.prometra_battery_years = no_visit_flag_days, prometra_battery_years
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
                 ceilings=[c[0] for c in ceilings], no_visit_flag_days=no_visit_flag_days,
                 prometra_battery_years=prometra_battery_years)
    for drug in loosened:
        audit.record("pump_dose_default_loosened", user=actor, drug=drug,
                     ceiling=[[str(v) if v is not None else None for v in c[1:]] for c in ceilings
                              if drug_key(c[0]) == drug][0])
    db.session.commit()


def _loosened(ceilings: list[tuple[str, Decimal | None, Decimal | None, str]]) -> list[str]:
    """Drugs whose clinic ceiling is above the sourced or suggested default (a physician's decision)."""
    found = []
    for drug, max_dose, max_conc, unit in ceilings:
        factor = MG if unit == "mg" else Decimal(1)
        default_dose, default_conc = default_ceiling(drug_key(drug))
        if (max_dose is not None and default_dose is not None and max_dose * factor > default_dose) or \
                (max_conc is not None and default_conc is not None and max_conc * factor > default_conc):
            found.append(drug_key(drug))
    return found


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
