"""Read-only pump look-ups for views, jobs and other capabilities (diary, escalation)."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from companion.accounts.models import Clinic, Patient
from companion.extensions import db
from companion.i18n import N_
from companion.pump import schedule
from companion.pump.dose_checks import OVERRIDE_REASONS, DoseSettings, drug_key, finding_title
from companion.pump.models import (Appointment, PatientMedicine, ProcedureNotice, PumpDoseCeiling, PumpDoseSettings,
                                   PumpProfile, RefillRecord, RegimenDrug)

# The drug names the escalation rules know (vignettes.yaml context vocabulary).
RULE_DRUGS = frozenset({"morphine", "hydromorphone", "fentanyl", "sufentanil", "ziconotide", "bupivacaine",
                        "clonidine", "baclofen"})
# How long after a switch the old regimen is still sent as previous_drugs: withdrawal from it starts within
# hours to days (T50-T53). 30 days is a suggestion for a physician to confirm (unverified).
SWITCH_DAYS = 30
CONFIRMED = "confirmed"
PENDING = "pending_confirmation"


def clinic_zone(clinic: Clinic) -> ZoneInfo:
    """The clinic's time zone (New York if it names none)."""
    return ZoneInfo(clinic.timezone or "America/New_York")


def local_date(clinic: Clinic, at: datetime) -> date:
    """The clinic-local calendar date of a UTC instant."""
    return at.astimezone(clinic_zone(clinic)).date()


def profile(patient: Patient) -> PumpProfile | None:
    """The patient's pump profile, if the clinic has entered one."""
    return db.session.scalar(select(PumpProfile).where(PumpProfile.patient_id == patient.id))


def confirmed_records(patient: Patient) -> list[RefillRecord]:
    """Confirmed refills, first fills and dose changes, newest first."""
    stmt = select(RefillRecord).where(RefillRecord.patient_id == patient.id, RefillRecord.status == CONFIRMED)
    return list(db.session.scalars(stmt.order_by(RefillRecord.performed_at.desc(), RefillRecord.id.desc())))


def refill_history(patient: Patient) -> list[RefillRecord]:
    """Every record, pending ones included, newest first."""
    stmt = select(RefillRecord).where(RefillRecord.patient_id == patient.id)
    return list(db.session.scalars(stmt.order_by(RefillRecord.performed_at.desc(), RefillRecord.id.desc())))


def latest_confirmed(patient: Patient) -> RefillRecord | None:
    """The record whose regimen and projection are current."""
    records = confirmed_records(patient)
    return records[0] if records else None


def pending_records(patient: Patient) -> list[RefillRecord]:
    """Records waiting for a second clinician."""
    stmt = select(RefillRecord).where(RefillRecord.patient_id == patient.id, RefillRecord.status == PENDING)
    return list(db.session.scalars(stmt.order_by(RefillRecord.performed_at.desc())))


def clinic_record(clinic_id: int, record_id: int) -> RefillRecord | None:
    """One record, only within the clinic."""
    return db.session.scalar(select(RefillRecord).where(RefillRecord.id == record_id,
                                                        RefillRecord.clinic_id == clinic_id))


def next_appointment(patient: Patient, now: datetime) -> Appointment | None:
    """The next booked refill visit not yet attended (kept on screen until 12 hours after it starts)."""
    stmt = select(Appointment).where(Appointment.patient_id == patient.id, Appointment.cancelled_at.is_(None),
                                     Appointment.attended_refill_id.is_(None),
                                     Appointment.starts_at >= now - timedelta(hours=12))
    return db.session.scalar(stmt.order_by(Appointment.starts_at))


def clinic_appointment(clinic_id: int, appointment_id: int) -> Appointment | None:
    """One appointment, only within the clinic."""
    return db.session.scalar(select(Appointment).where(Appointment.id == appointment_id,
                                                       Appointment.clinic_id == clinic_id))


def medicines(patient: Patient) -> list[PatientMedicine]:
    """Medicines the patient takes now."""
    stmt = select(PatientMedicine).where(PatientMedicine.patient_id == patient.id,
                                         PatientMedicine.stopped_at.is_(None))
    return list(db.session.scalars(stmt.order_by(PatientMedicine.created_at)))


def procedures(patient: Patient) -> list[ProcedureNotice]:
    """MRI and procedure notices, newest planned first."""
    stmt = select(ProcedureNotice).where(ProcedureNotice.patient_id == patient.id)
    return list(db.session.scalars(stmt.order_by(ProcedureNotice.planned_at.desc())))


def open_procedure_tasks(clinic_id: int) -> list[ProcedureNotice]:
    """Notices the clinic has not yet acted on, soonest first."""
    stmt = select(ProcedureNotice).where(ProcedureNotice.clinic_id == clinic_id,
                                         ProcedureNotice.task_done_at.is_(None))
    return list(db.session.scalars(stmt.order_by(ProcedureNotice.planned_at)))


def procedure_followups(patient: Patient, now: datetime) -> list[ProcedureNotice]:
    """Notices whose 24-hour follow-up check-in is due now (within 3 days of it); for the diary."""
    stmt = select(ProcedureNotice).where(ProcedureNotice.patient_id == patient.id,
                                         ProcedureNotice.followup_at <= now,
                                         ProcedureNotice.followup_at > now - timedelta(days=3))
    return list(db.session.scalars(stmt.order_by(ProcedureNotice.followup_at)))


def dose_settings(clinic_id: int) -> DoseSettings:
    """The clinic's settings for dose checks; an unset limit is 0 %, so every change needs a reason (and a rise
    above the suggested step an override)."""
    row = db.session.scalar(select(PumpDoseSettings).where(PumpDoseSettings.clinic_id == clinic_id))
    ceilings = db.session.scalars(select(PumpDoseCeiling).where(PumpDoseCeiling.clinic_id == clinic_id))
    limit = row.change_percent_limit if row and row.change_percent_limit is not None else 0
    return DoseSettings(limit, {c.drug: (c.max_daily_dose, c.max_concentration, c.unit) for c in ceilings},
                        change_limit_set=bool(row and row.change_percent_limit is not None))


def dose_settings_row(clinic_id: int) -> PumpDoseSettings | None:
    """The stored settings row (None until the clinic saves one)."""
    return db.session.scalar(select(PumpDoseSettings).where(PumpDoseSettings.clinic_id == clinic_id))


def ceilings(clinic_id: int) -> list[PumpDoseCeiling]:
    """The clinic's ceilings by drug name."""
    stmt = select(PumpDoseCeiling).where(PumpDoseCeiling.clinic_id == clinic_id).order_by(PumpDoseCeiling.drug)
    return list(db.session.scalars(stmt))


def clinic_battery_years(clinic_id: int, model: str) -> tuple[int, int] | None:
    """The clinic's battery life for a model whose maker gives no figure (Prometra), else None."""
    spec = schedule.PUMP_MODELS.get(model)
    if spec is None or spec.battery_years is not None:
        return None
    row = dose_settings_row(clinic_id)
    years = row.prometra_battery_years if row is not None and model.startswith("prometra") else None
    return (years, years) if years else None


def no_visit_days(clinic_id: int) -> int:
    """Days before the due date from which "no visit booked" is flagged (the clinic's, else 45)."""
    from companion.pump.reminders import REVIEW_WINDOW_DAYS

    row = dose_settings_row(clinic_id)
    return row.no_visit_flag_days if row is not None and row.no_visit_flag_days else REVIEW_WINDOW_DAYS


def battery_window(patient: Patient) -> tuple[date, date] | None:
    """When the pump battery may stop (schedule.battery_window), if known."""
    pump = profile(patient)
    implanted = (pump.implanted_on if pump else None) or patient.implanted_on
    if pump is None or implanted is None:
        return None
    return schedule.battery_window(pump.model, implanted, pump.replacement_indicator_on,
                                   clinic_years=clinic_battery_years(patient.clinic_id, pump.model))


def last_refill_or_dose_increase_at(patient: Patient) -> datetime | None:
    """When the last confirmed refill, first fill or dose increase was done (UTC): starts 24/48/72 h checks."""
    for record in confirmed_records(patient):
        if record.kind in ("refill", "first_fill") or record.is_dose_increase:
            return record.performed_at
    return None


@dataclass(frozen=True)
class _Fill:
    """What the rules context reads of one confirmed record, with its regimen's drug names in order."""

    kind: str
    filled_on: date
    due_on: date | None
    alarm_on: date | None
    is_dose_increase: bool
    drugs: tuple[str, ...]


def _rules_facts(patient: Patient, today: date) -> tuple[list[_Fill], datetime | None]:
    """Every confirmed record, newest first, with its drugs, and the last MRI that took place by the end of
    `today` in clinic time: one statement (a query per record's regimen once grew with the refill history)."""
    end_of_today = datetime.combine(today + timedelta(days=1), time.min, clinic_zone(patient.clinic))
    # Only a scan someone confirmed took place counts: a planned date may have moved or been cancelled.
    last_mri = select(func.max(ProcedureNotice.happened_at)).where(
        ProcedureNotice.patient_id == patient.id, ProcedureNotice.kind == "mri",
        ProcedureNotice.happened_at < end_of_today).scalar_subquery()
    rows = db.session.execute(
        select(last_mri.label("last_mri"), RefillRecord.id, RefillRecord.kind, RefillRecord.filled_on,
               RefillRecord.due_on, RefillRecord.alarm_on, RefillRecord.is_dose_increase, RegimenDrug.name)
        .select_from(Patient)
        .outerjoin(RefillRecord, (RefillRecord.patient_id == Patient.id) & (RefillRecord.status == CONFIRMED))
        .outerjoin(RegimenDrug, RegimenDrug.regimen_id == RefillRecord.regimen_id)
        .where(Patient.id == patient.id)
        .order_by(RefillRecord.performed_at.desc(), RefillRecord.id.desc(), RegimenDrug.position, RegimenDrug.id)
    ).all()
    drugs: dict[int, list[str]] = {}
    for row in rows:
        if row.id is not None:
            drugs.setdefault(row.id, []).extend([row.name] if row.name is not None else [])
    fills = {row.id: _Fill(row.kind, row.filled_on, row.due_on, row.alarm_on, row.is_dose_increase,
                           tuple(drugs[row.id])) for row in rows if row.id is not None}
    return list(fills.values()), rows[0].last_mri if rows else None


def _rule_drugs(record: _Fill) -> list[str]:
    """The drugs of a record's regimen that the rules know, in the regimen's order."""
    names = [drug_key(name) for name in record.drugs]
    return [n for n in dict.fromkeys(names) if n in RULE_DRUGS]


def _switch(records: list[_Fill], today: date) -> dict:
    """previous_drugs when the drugs changed within SWITCH_DAYS (records newest first)."""
    current = set(_rule_drugs(records[0]))
    for newer, older in zip(records, records[1:]):
        if set(_rule_drugs(older)) != current:
            recent = (today - newer.filled_on).days <= SWITCH_DAYS
            return {"previous_drugs": _rule_drugs(older)} if recent and _rule_drugs(older) else {}
    return {}


def rules_context(patient: Patient, today: date) -> dict:
    """The pump part of the escalation context (vignettes.yaml vocabulary); unknown keys are left out."""
    context: dict = {}
    records, last_mri = _rules_facts(patient, today)
    if records:
        current = records[0]
        names = _rule_drugs(current)
        if current.drugs and drug_key(current.drugs[0]) in RULE_DRUGS:
            context["drug"] = names[0]
        if names:
            context["drugs"] = names  # every drug of a mixture, so no rule reads only the first
        context.update(_switch(records, today))
        if current.due_on is not None:
            context["refill_overdue"] = current.due_on < today
        refill = next((r for r in records if r.kind in ("refill", "first_fill")), None)
        if refill is not None:
            context["days_since_refill"] = (today - refill.filled_on).days
        increase = next((r for r in records if r.is_dose_increase), None)
        if increase is not None:
            context["days_since_dose_increase"] = (today - increase.filled_on).days
        if current.alarm_on is not None:
            context["days_until_low_reservoir"] = schedule.days_until(current.alarm_on, today)
        since = today - timedelta(days=90)
        context["dose_increases_last_90_days"] = sum(1 for r in records if r.is_dose_increase and r.filled_on > since)
    if last_mri is not None:
        context["days_since_mri"] = (today - local_date(patient.clinic, last_mri)).days
    return context


def plain(value) -> str:
    """A stored amount as people write it: 10, 0.5, 0.025 (no exponent, no trailing zeros)."""
    return format(value.normalize(), "f")


def _drug_lines(record: RefillRecord | None) -> list[dict]:
    """Drugs of a record as plain dicts for the card and the PDF."""
    if record is None:
        return []
    return [{"name": d.name, "concentration": plain(d.concentration), "unit": d.unit,
             "concentration_unit": f"{d.unit}/mL", "daily_dose": plain(d.daily_dose),
             "daily_dose_unit": f"{d.unit}/day", "compounded": d.compounded} for d in record.regimen.drugs]


def pump_card(patient: Patient) -> dict | None:
    """What the pump card shows (model, drugs, implant date, clinic numbers, MRI notes); None if nothing known."""
    pump = profile(patient)
    current = latest_confirmed(patient)
    if pump is None and current is None:
        return None
    spec = schedule.PUMP_MODELS.get(pump.model) if pump else None
    clinic = patient.clinic
    return {
        "patient_name": patient.full_name,
        "model": pump.display_name if pump else "",
        "model_key": pump.model if pump else "",
        "reservoir_ml": plain(pump.reservoir_ml) if pump else None,
        "implanted_on": (pump.implanted_on if pump else None) or patient.implanted_on,
        "naloxone_at_home": pump.naloxone_at_home if pump else None,
        "holds_baclofen": any("baclofen" in d.name.lower() for d in current.regimen.drugs) if current else False,
        "drugs": _drug_lines(current),
        "clinic_name": clinic.name,
        "clinic_phone": clinic.phone,
        "out_of_hours_phone": clinic.out_of_hours_phone,
        "emergency_number": clinic.emergency_number,
        "mri_note": spec.mri_patient_note if spec else N_("Ask your pump clinic before any MRI scan."),
        "mri_before": list(spec.before_mri) if spec else [],
        "mri_after": list(spec.after_mri) if spec else [],
    }


def latest_confirmed_for(*patients_where) -> dict[int, RefillRecord]:
    """The current confirmed record of each patient matching the conditions on Patient, in one query."""
    # One index descent per patient (patient, status): a window over every record let PostgreSQL scan the
    # whole table once there were many clinics.
    newest = (select(RefillRecord.id).where(RefillRecord.patient_id == Patient.id, RefillRecord.status == CONFIRMED)
              .order_by(RefillRecord.performed_at.desc(), RefillRecord.id.desc()).limit(1)
              .correlate(Patient).scalar_subquery())
    stmt = select(RefillRecord).where(RefillRecord.id.in_(select(newest).where(*patients_where)))
    return {record.patient_id: record for record in db.session.scalars(stmt)}


def calendar_rows(clinic_id: int, now: datetime) -> list[dict]:
    """Per pump patient of the clinic: due date, alarm date, next visit and battery window (for the calendar)."""
    # A fixed handful of grouped queries for the whole clinic (a query per patient took seconds at 1,000).
    in_clinic = select(Patient.id).where(Patient.clinic_id == clinic_id).scalar_subquery()
    latest = latest_confirmed_for(Patient.clinic_id == clinic_id)
    pumps = {p.patient_id: p for p in db.session.scalars(select(PumpProfile).where(PumpProfile.patient_id.in_(in_clinic)))}
    visits: dict[int, Appointment] = {}
    for appointment in db.session.scalars(select(Appointment).where(
            Appointment.patient_id.in_(in_clinic), Appointment.cancelled_at.is_(None),
            Appointment.attended_refill_id.is_(None), Appointment.starts_at >= now - timedelta(hours=12))
            .order_by(Appointment.starts_at)):
        visits.setdefault(appointment.patient_id, appointment)
    pending = set(db.session.scalars(select(RefillRecord.patient_id).where(
        RefillRecord.patient_id.in_(in_clinic), RefillRecord.status == PENDING)))
    clinic = db.session.get(Clinic, clinic_id)
    prometra = clinic_battery_years(clinic_id, "prometra_ii_20")
    rows = []
    stmt = select(Patient).where(Patient.clinic_id == clinic_id).order_by(Patient.family_name, Patient.given_name)
    for patient in db.session.scalars(stmt):
        current, pump = latest.get(patient.id), pumps.get(patient.id)
        if current is None and pump is None:
            continue
        appointment = visits.get(patient.id)
        implanted = (pump.implanted_on if pump else None) or patient.implanted_on
        battery = (schedule.battery_window(pump.model, implanted, pump.replacement_indicator_on,
                                           clinic_years=prometra if pump.model.startswith("prometra") else None)
                   if pump is not None and implanted is not None else None)
        rows.append({
            "patient_id": patient.id, "patient": patient, "record": current,
            "due_on": current.due_on if current else None,
            "alarm_on": current.alarm_on if current else None,
            "appointment": appointment,
            "appointment_on": local_date(clinic, appointment.starts_at) if appointment else None,
            "battery_window_start": battery[0] if battery else None,
            "battery_window_end": battery[1] if battery else None,
            "pending": patient.id in pending,
        })
    return rows


def caregiver_opted_in(patient: Patient, user_id: int) -> bool:
    """Whether this caregiver asked for the patient's refill reminders."""
    from companion.pump.models import ReminderOptIn

    return db.session.scalar(select(ReminderOptIn.id).where(
        ReminderOptIn.patient_id == patient.id, ReminderOptIn.user_id == user_id,
        ReminderOptIn.revoked_at.is_(None))) is not None


def override_summary(record: RefillRecord) -> str:
    """The override of a record in one line (reason and note), or "" when none was needed."""
    if not record.override_reason:
        return ""
    return f"Override ({OVERRIDE_REASONS.get(record.override_reason, record.override_reason)}): {record.override_note}"


def finding_summary(record: RefillRecord, *, with_values: bool = True) -> list[str]:
    """Each finding of a record that needed an answer or is worth noting: its message, or only its title."""
    return [f"{finding_title(f['code'])}: {f['message']}" if with_values else finding_title(f["code"])
            for f in record.findings or []]


def waiting_refills(clinic_id: int, limit: int = 20) -> list[RefillRecord]:
    """Refills of the clinic waiting for their second check, oldest first (for the triage queue)."""
    stmt = select(RefillRecord).where(RefillRecord.clinic_id == clinic_id, RefillRecord.status == PENDING)
    return list(db.session.scalars(stmt.order_by(RefillRecord.recorded_at, RefillRecord.id).limit(limit)))


def visit_booked_before(record: RefillRecord | None, appointment: Appointment | None) -> Appointment | None:
    """The next visit when it was booked before the current refill was done (an early refill): to move or cancel."""
    if record is None or appointment is None or record.confirmed_at is None:
        return None
    return appointment if appointment.created_at < record.recorded_at else None
