"""Refill records: the pump profile, a refill with its dose checks, and the second clinician's blind check."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from companion.accounts.models import Patient, User
from companion.audit import services as audit
from companion.clock import utcnow
from companion.extensions import db
from companion.roster import services as roster
from companion.pump import notices, queries, schedule
from companion.pump.dose_checks import (DrugDose, Finding, HistoryPoint, RegimenSnapshot, check_refill,
                                        confirm_blind_check, drug_key, needs_physician, resolve)
from companion.pump.dose_checks.limits import MG, SPASTICITY_ORIGINS, default_stability
from companion.pump.models import Appointment, PumpProfile, RefillRecord, Regimen, RegimenDrug


class PumpError(ValueError):
    """A refused pump operation; `field` names the form field to show it beside (or "")."""

    def __init__(self, message: str, field: str = "", findings: list[Finding] | None = None):
        super().__init__(message)
        self.field = field
        self.findings = findings or []


@dataclass(frozen=True)
class DrugEntry:
    """One drug line as entered on the refill form."""

    name: str
    concentration: Decimal
    daily_dose: Decimal
    unit: str = "mg"
    compounded: bool = False


def save_profile(actor: User, patient: Patient, *, model: str, reservoir_ml: Decimal | None,
                 other_model_name: str = "", implanted_on: date | None = None, pocket_side: str = "",
                 catheter_tip_level: str = "", replacement_indicator_on: date | None = None,
                 opioid_tolerant: bool | None = None, spasticity_origin: str = "",
                 naloxone_at_home: bool | None = None) -> PumpProfile:
    """Create or correct the pump profile (the audit event keeps what changed)."""
    spec = schedule.PUMP_MODELS.get(model)
    if spec is not None:
        reservoir_ml = Decimal(spec.reservoir_ml)  # the model fixes the size
    elif not reservoir_ml or reservoir_ml <= 0:
        raise PumpError("Enter the reservoir size in mL for this model.", "reservoir_ml")
    if replacement_indicator_on and implanted_on and replacement_indicator_on < implanted_on:
        raise PumpError("The replacement indicator date cannot be before the implant date.",
                        "replacement_indicator_on")
    if spasticity_origin and spasticity_origin not in SPASTICITY_ORIGINS:
        raise PumpError("Choose spinal or cerebral.", "spasticity_origin")
    pump = queries.profile(patient) or PumpProfile(patient_id=patient.id)
    before = {k: str(getattr(pump, k, "") or "") for k in ("model", "reservoir_ml", "implanted_on", "opioid_tolerant",
                                                          "spasticity_origin", "naloxone_at_home")}
    pump.opioid_tolerant, pump.spasticity_origin = opioid_tolerant, spasticity_origin
    pump.naloxone_at_home = naloxone_at_home
    pump.model, pump.reservoir_ml, pump.other_model_name = model, reservoir_ml, other_model_name.strip()
    pump.implanted_on, pump.pocket_side, pump.catheter_tip_level = implanted_on, pocket_side, catheter_tip_level.strip()
    pump.replacement_indicator_on, pump.updated_by_id, pump.updated_at = replacement_indicator_on, actor.id, utcnow()
    db.session.add(pump)
    db.session.flush()
    audit.record("pump_profile_saved", patient_id=patient.id, object_type="pump_profile", object_id=pump.id,
                 user=actor, before=before)
    db.session.commit()
    return pump


def _snapshot(regimen: Regimen | None, model: str | None) -> RegimenSnapshot | None:
    """A regimen as the dose checks see it (boluses included)."""
    if regimen is None:
        return None
    return RegimenSnapshot(tuple(DrugDose(d.name, d.concentration, d.daily_dose, d.unit, d.compounded)
                                 for d in regimen.drugs), model, regimen.bolus_dose or 0, regimen.boluses_per_day or 0)


HISTORY_RECORDS = 12  # enough for 30 days of ziconotide steps and the last three records


def _history(patient: Patient, model: str | None) -> list[HistoryPoint]:
    """Recent confirmed regimens, oldest first, for the interval and cumulative checks."""
    records = queries.confirmed_records(patient)[:HISTORY_RECORDS]
    return [HistoryPoint(r.filled_on, _snapshot(r.regimen, model)) for r in reversed(records)]


def _stability(drugs: list["DrugEntry"], entered: int | None, first_fill: bool) -> tuple[int | None, list[Finding]]:
    """The entered stability, or the drug's default (and a finding that says which was used)."""
    main = drugs[0]
    default = default_stability(drug_key(main.name), main.concentration * (MG if main.unit == "mg" else 1), first_fill)
    if entered is None:
        if default is None:
            return None, [Finding("stability_unknown", "info", f"No stability entered and none is known for "
                                                               f"{main.name}: the due date ignores it.")]
        return default[0], [Finding("stability_default", "info",
                                    f"No stability entered: {default[0]} days used ({default[1]}).")]
    if default is not None and entered > default[0]:
        return entered, [Finding("stability_above_default", "needs_reason",
                                 f"{entered} days is longer than the default of {default[0]} ({default[1]}).")]
    return entered, []


def _is_increase(previous: Regimen | None, drugs: list[DrugEntry]) -> bool:
    """True when any drug's daily dose rises or a drug is added (the 24-72 h watch applies)."""
    if previous is None:
        return False
    factor = {"mg": Decimal(1000), "mcg": Decimal(1)}
    before = {drug_key(d.name): d.daily_dose * factor.get(d.unit, 1) for d in previous.drugs}
    return any(drug_key(d.name) not in before or d.daily_dose * factor.get(d.unit, 1) > before[drug_key(d.name)]
               for d in drugs)


def performed_at_for(patient: Patient, filled_on: date, now: datetime) -> datetime:
    """Now when the refill is dated today; otherwise noon clinic time on that date."""
    zone = queries.clinic_zone(patient.clinic)
    if filled_on == now.astimezone(zone).date():
        return now
    return datetime.combine(filled_on, time(12, 0), tzinfo=zone).astimezone(now.tzinfo)


def record_refill(actor: User, patient: Patient, *, kind: str, filled_on: date, fill_volume_ml: Decimal,
                  alarm_volume_ml: Decimal, drugs: list[DrugEntry], expected_residual_ml: Decimal | None = None,
                  withdrawn_ml: Decimal | None = None, stability_days: int | None = None,
                  mode: str = "simple_continuous", bolus_dose: Decimal = Decimal(0), boluses_per_day: int = 0,
                  change_reason: str = "", reprogrammed_confirmed: bool = False, override_note: str = "",
                  override_reason: str = "", note: str = "", now: datetime | None = None) -> RefillRecord:
    """Record a refill as the first clinician; it waits for a second clinician's blind check."""
    now = now or utcnow()
    pump = queries.profile(patient)
    if pump is None:
        raise PumpError("Enter the pump profile (model and size) before recording a refill.")
    if filled_on > now.astimezone(queries.clinic_zone(patient.clinic)).date():
        raise PumpError("The refill date cannot be in the future.", "filled_on")
    if not drugs:
        raise PumpError("Enter at least one drug.", "drugs")
    if kind == "refill" and (expected_residual_ml is None or withdrawn_ml is None):
        raise PumpError("Enter the expected and the withdrawn residual volume.", "withdrawn_ml")
    main = drugs[0]
    current = queries.latest_confirmed(patient)
    stability_days, stability_findings = _stability(drugs, stability_days, current is None or kind == "first_fill")
    try:
        schedule.project(filled_on=filled_on, fill_volume_ml=fill_volume_ml, alarm_volume_ml=alarm_volume_ml,
                         concentration=main.concentration, daily_dose=main.daily_dose, bolus_dose=bolus_dose,
                         boluses_per_day=boluses_per_day, stability_days=stability_days,
                         reservoir_ml=pump.reservoir_ml)
    except schedule.ScheduleError as error:
        raise PumpError(_schedule_message(error), _schedule_field(error)) from None
    previous = current.regimen if current else None
    new = RegimenSnapshot(tuple(DrugDose(d.name, d.concentration, d.daily_dose, d.unit, d.compounded)
                                for d in drugs), pump.model, bolus_dose, boluses_per_day)
    findings = check_refill(_snapshot(previous, pump.model), new, queries.dose_settings(patient.clinic_id),
                            opioid_tolerant=pump.opioid_tolerant, spasticity_origin=pump.spasticity_origin or None,
                            history=_history(patient, pump.model), on=filled_on) + stability_findings
    open_findings = resolve(findings, change_reason, reprogrammed_confirmed, override_note, override_reason)
    if open_findings:
        raise PumpError("Some dose checks need an answer before this can be saved.", "findings", open_findings)
    regimen = Regimen(patient_id=patient.id, mode=mode, bolus_dose=bolus_dose, boluses_per_day=boluses_per_day,
                      created_by_id=actor.id, drugs=[
                          RegimenDrug(position=i, name=d.name.strip(), concentration=d.concentration,
                                      daily_dose=d.daily_dose, unit=d.unit, compounded=d.compounded)
                          for i, d in enumerate(drugs)])
    gap = False
    if expected_residual_ml is not None and withdrawn_ml is not None:
        gap = schedule.residual_gap_flag(expected_residual_ml, withdrawn_ml, pump.reservoir_ml)
    record = RefillRecord(
        patient_id=patient.id, clinic_id=patient.clinic_id, kind=kind,
        performed_at=performed_at_for(patient, filled_on, now), filled_on=filled_on,
        expected_residual_ml=expected_residual_ml, withdrawn_ml=withdrawn_ml, residual_gap_flagged=gap,
        fill_volume_ml=fill_volume_ml, alarm_volume_ml=alarm_volume_ml, stability_days=stability_days,
        regimen=regimen, is_dose_increase=_is_increase(previous, drugs),
        findings=[{"code": f.code, "severity": f.severity, "message": f.message} for f in findings],
        change_reason=change_reason.strip(), reprogrammed_confirmed=bool(reprogrammed_confirmed),
        override_note=override_note.strip() if needs_physician(findings) else "",
        override_reason=override_reason if needs_physician(findings) else "", note=note.strip(), status=queries.PENDING,
        first_clinician_id=actor.id, recorded_at=now)
    db.session.add(record)
    db.session.flush()
    audit.record("pump_refill_recorded", patient_id=patient.id, object_type="pump_refill", object_id=record.id,
                 user=actor, kind=kind, residual_gap_flagged=gap, findings=[f.code for f in findings],
                 overridden=[f.code for f in findings if f.severity == "needs_override"],
                 override_reason=record.override_reason, override_note=record.override_note)
    notices.tell_clinic_refill_waiting(patient, record, actor, needs_physician(findings))
    db.session.commit()
    return record


def _schedule_message(error: schedule.ScheduleError) -> str:
    """The projection's error in the clinic's words."""
    text = str(error)
    if "fill_volume_ml" in text and "reservoir_ml" in text:
        return "The fill volume is more than the reservoir holds. Do not overfill the pump."
    if "alarm_volume_ml" in text:
        return "The alarm volume must be below the fill volume."
    return f"Check the numbers: {text}."


def _schedule_field(error: schedule.ScheduleError) -> str:
    """The form field a projection error belongs to."""
    text = str(error)
    for name in ("alarm_volume_ml", "fill_volume_ml", "stability_days", "bolus_dose", "boluses_per_day"):
        if text.startswith(name) or f"({name}" in text or name in text.split(" ")[0]:
            return name
    return "fill_volume_ml" if "fill" in text else ""


# Everything that sets the dose or the date is re-entered blind by the second clinician.
BLIND_FIELDS = {"bolus_dose": "bolus dose", "boluses_per_day": "boluses a day", "fill_volume_ml": "fill volume",
                "alarm_volume_ml": "alarm volume"}


def _first_values(record: RefillRecord) -> dict:
    """The first clinician's values of the blind-checked fields (never shown to the second)."""
    return {"bolus_dose": record.regimen.bolus_dose or 0, "boluses_per_day": record.regimen.boluses_per_day or 0,
            "fill_volume_ml": record.fill_volume_ml, "alarm_volume_ml": record.alarm_volume_ml}


def confirm_refill(actor: User, record: RefillRecord, entries: list[tuple[Decimal | None, Decimal | None]],
                   now: datetime | None = None, *, volumes: dict | None = None) -> RefillRecord:
    """A second clinician re-enters each drug's concentration and daily dose, the bolus dose and count, the fill
    and the alarm volume blind; any mismatch saves nothing. An overridden refill needs a physician."""
    now = now or utcnow()
    if record.status != queries.PENDING:
        raise PumpError("This refill has already been confirmed.")
    refusal = _confirm_refusal(actor, record)
    if refusal:
        audit.record_now("pump_refill_confirm_refused", patient_id=record.patient_id, object_type="pump_refill",
                         object_id=record.id, outcome="refused", reason=refusal[0])
        raise PumpError(refusal[1])
    drugs = record.regimen.drugs
    if len(entries) < len(drugs) or any(c is None or d is None for c, d in entries[:len(drugs)]):
        raise PumpError("Enter the concentration and the daily dose for every drug.", "entries")
    checks = [(f"{drug.name}: ", {"c": drug.concentration, "d": drug.daily_dose}, {"c": c, "d": d},
               {"c": "concentration", "d": "daily dose"}) for drug, (c, d) in zip(drugs, entries)]
    checks.append(("", _first_values(record), volumes or {}, BLIND_FIELDS))
    for prefix, first, second, labels in checks:
        result = confirm_blind_check(first, second, labels)
        if result is not True:
            audit.record_now("pump_refill_double_check_mismatch", patient_id=record.patient_id,
                             object_type="pump_refill", object_id=record.id, outcome="refused", code=result.code)
            raise PumpError(f"{prefix}{result.message} Nothing was saved.", "entries")
    main = record.regimen.main_drug
    projection = schedule.project(
        filled_on=record.filled_on, fill_volume_ml=record.fill_volume_ml, alarm_volume_ml=record.alarm_volume_ml,
        concentration=main.concentration, daily_dose=main.daily_dose, bolus_dose=record.regimen.bolus_dose,
        boluses_per_day=record.regimen.boluses_per_day, stability_days=record.stability_days)
    record.daily_volume_ml, record.alarm_on, record.empty_on = (
        projection.daily_volume_ml, projection.alarm_on, projection.empty_on)
    record.due_on, record.limited_by = projection.due_on, projection.limited_by
    record.status, record.second_clinician_id, record.confirmed_at = queries.CONFIRMED, actor.id, now
    roster.refresh(record.patient_id)  # the roster's refill due date, in this transaction
    _mark_attended(record)
    notices.refill_checked(record)
    audit.record("pump_refill_confirmed", patient_id=record.patient_id, object_type="pump_refill",
                 object_id=record.id, user=actor, due_on=projection.due_on.isoformat(),
                 overrides_confirmed=[f["code"] for f in record.findings if f.get("severity") == "needs_override"])
    db.session.commit()
    return record


def _confirm_refusal(actor: User, record: RefillRecord) -> tuple[str, str] | None:
    """Why this clinician may not confirm the refill (code, message), or None."""
    if record.first_clinician_id == actor.id:
        return "same_clinician", "You recorded this refill. A different nurse or doctor must confirm it."
    if needs_physician(record.findings) and actor.role != "physician":
        return "override_needs_physician", ("This refill has an override of a dose limit. Only a physician can "
                                            "confirm it.")
    return None


def _mark_attended(record: RefillRecord) -> None:
    """The booked visit this refill happened at (on or before the refill date) is no longer ahead."""
    patient = db.session.get(Patient, record.patient_id)
    for appointment in db.session.query(Appointment).filter(
            Appointment.patient_id == record.patient_id, Appointment.cancelled_at.is_(None),
            Appointment.attended_refill_id.is_(None)):
        if queries.local_date(patient.clinic, appointment.starts_at) <= record.filled_on + timedelta(days=1):
            appointment.attended_refill_id = record.id
