"""Gathers one patient's data as plain dicts for the PDF, CSV and FHIR builders (which never touch the database)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select

from companion.accounts.models import Patient
from companion.careteam.queries import markers_for
from companion.consent.queries import records_for
from companion.diary.models import DiaryEntry
from companion.diary.queries import entries_for, local_date, trends_for
from companion.diary.questionnaires import ALL as QUESTIONNAIRES
from companion.escalation.models import Case
from companion.escalation.queries import QUEUE_STATUSES
from companion.extensions import db
from companion.pump import queries as pump
from companion.pump.dose_checks import SEDATING_CLASSES
from companion.pump.models import ProcedureNotice

SKIPPED_ANSWER_KEYS = ("client_entry_id",)


@dataclass
class ExportData:
    """Everything an export may show about one patient, as plain values."""

    patient: dict
    generated_at: datetime
    days: int | None = None
    entries: list[dict] = field(default_factory=list)
    cases: list[dict] = field(default_factory=list)
    refills: list[dict] = field(default_factory=list)
    medicines: list[dict] = field(default_factory=list)
    consents: list[dict] = field(default_factory=list)
    pump: dict | None = None
    regimens: list[dict] = field(default_factory=list)
    procedures: list[dict] = field(default_factory=list)
    staff: dict[int, dict] = field(default_factory=dict)
    series: dict[str, list[tuple[date, float]]] = field(default_factory=dict)
    markers: list[tuple[date, str]] = field(default_factory=list)
    start: date | None = None
    end: date | None = None


def _items(entry: DiaryEntry) -> list[dict]:
    """Each answer with its question text, in questionnaire order (unknown keys at the end)."""
    questionnaire = next((q for q in QUESTIONNAIRES if q.id == entry.questionnaire_id), None)
    answers = dict(entry.answers or {})
    items = []
    for item in (questionnaire.items if questionnaire else ()):
        if item.link_id in answers:
            value = answers.pop(item.link_id)
            label = {c.code: c.label for c in item.choices}
            items.append({"link_id": item.link_id, "text": item.text, "value": value,
                          "label": ", ".join(label.get(str(v), str(v)) for v in value) if isinstance(value, list)
                          else label.get(str(value), value), "unit": answers.pop(f"{item.link_id}.unit", None)})
    items += [{"link_id": k, "text": k, "value": v, "label": v, "unit": None}
              for k, v in answers.items() if k not in SKIPPED_ANSWER_KEYS]
    return items


def entry_dict(entry: DiaryEntry) -> dict:
    """One diary entry as plain values."""
    return {"id": entry.id, "kind": entry.kind, "recorded_at": entry.recorded_at, "received_at": entry.received_at,
            "reporter": entry.reporter, "questionnaire_id": entry.questionnaire_id,
            "questionnaire_version": entry.questionnaire_version, "tier": entry.tier,
            "pain_now": entry.pain_now, "peg_score": entry.peg_score, "sleepiness": entry.sleepiness,
            "breaths_per_min": entry.breaths_per_min, "temperature_c": entry.temperature_c,
            "wound_redness": entry.wound_redness, "wound_drainage": entry.wound_drainage,
            "wound_swelling": entry.wound_swelling, "photos": len(entry.photos), "items": _items(entry)}


def _patient(patient: Patient) -> dict:
    clinic = patient.clinic
    return {"id": patient.id, "given_name": patient.given_name, "family_name": patient.family_name,
            "full_name": patient.full_name, "record_number": patient.record_number, "birth_date": patient.birth_date,
            "implanted_on": patient.implanted_on, "clinic_id": clinic.id, "clinic_name": clinic.name,
            "clinic_phone": clinic.phone, "timezone": clinic.timezone or "UTC"}


def _messages(case: Case) -> list[dict]:
    """What the care team told the patient about a case (the note the patient sees on the case page)."""
    if case.resolution_note and case.resolved_at:
        return [{"key": "resolved", "sent_at": case.resolved_at, "text": case.resolution_note,
                 "sender_id": case.resolved_by_id, "sender": _person(case.resolved_by)}]
    return []


def _cases(patient: Patient, since: datetime | None) -> list[dict]:
    stmt = select(Case).where(Case.patient_id == patient.id)
    if since is not None:
        stmt = stmt.where((Case.opened_at >= since) | Case.status.in_(QUEUE_STATUSES))
    return [{"id": c.id, "tier": c.tier, "status": c.status, "opened_at": c.opened_at,
             "reasons": [r.get("staff_text", "") for r in c.reasons], "resolution": c.resolution or "",
             "resolution_note": c.resolution_note, "resolved_at": c.resolved_at, "open": c.status in QUEUE_STATUSES,
             "messages": _messages(c)}
            for c in db.session.scalars(stmt.order_by(Case.opened_at.desc()))]


def _person(user) -> dict | None:
    return {"id": user.id, "name": user.display_name, "role": user.role} if user else None


def _refills(records) -> list[dict]:
    return [{"id": r.id, "kind": r.kind, "filled_on": r.filled_on, "performed_at": r.performed_at,
             "status": r.status, "is_dose_increase": r.is_dose_increase, "regimen_id": r.regimen_id,
             "fill_volume_ml": pump.plain(r.fill_volume_ml), "due_on": r.due_on,
             "first_clinician": _person(r.first_clinician), "second_clinician": _person(r.second_clinician),
             "override": pump.override_summary(r), "findings": pump.finding_summary(r),
             "drugs": [{"name": d.name, "concentration": pump.plain(d.concentration), "unit": d.unit,
                        "daily_dose": pump.plain(d.daily_dose)} for d in r.regimen.drugs]}
            for r in records]


def _regimens(records) -> list[dict]:
    """Each regimen that a confirmed refill put in the pump, oldest first, with when it started and ended."""
    confirmed = sorted((r for r in records if r.status == "confirmed"), key=lambda r: (r.performed_at, r.id))
    out: list[dict] = []
    for record in confirmed:
        if out and out[-1]["id"] == record.regimen_id:
            continue
        if out:
            out[-1]["ended_at"] = record.performed_at
        regimen = record.regimen
        out.append({"id": regimen.id, "started_at": record.performed_at, "ended_at": None, "current": False,
                    "bolus_dose": pump.plain(regimen.bolus_dose), "boluses_per_day": regimen.boluses_per_day,
                    "drugs": [{"id": d.id, "name": d.name, "concentration": pump.plain(d.concentration),
                               "unit": d.unit, "daily_dose": pump.plain(d.daily_dose)} for d in regimen.drugs]})
    if out:
        out[-1]["current"] = True
    return out


def _procedures(patient: Patient, now: datetime) -> list[dict]:
    stmt = select(ProcedureNotice).where(ProcedureNotice.patient_id == patient.id).order_by(ProcedureNotice.planned_at)
    return [{"id": n.id, "kind": n.kind, "at": n.planned_at, "details": n.details, "happened": n.planned_at <= now}
            for n in db.session.scalars(stmt)]


def gather(patient: Patient, now: datetime, days: int | None = None) -> ExportData:
    """The patient's record for an export: everything, or the last `days` days for the visit summary."""
    since = None
    if days:
        since = datetime.combine(local_date(patient, now) - timedelta(days=days - 1), datetime.min.time(),
                                 now.tzinfo)
    entries = sorted(entries_for(patient, since=since), key=lambda e: e.recorded_at)
    card = pump.pump_card(patient)
    records = pump.refill_history(patient)
    data = ExportData(
        patient=_patient(patient), generated_at=now, days=days, entries=[entry_dict(e) for e in entries],
        cases=_cases(patient, since), refills=_refills(records),
        medicines=[{"name": m.name, "medicine_class": m.medicine_class,
                    "sedating": m.medicine_class in SEDATING_CLASSES} for m in pump.medicines(patient)],
        consents=[{"id": r.id, "signed_at": r.signed_at, "decision": r.decision, "content_version": r.content_version,
                   "clinician_name": r.clinician_name} for r in records_for(patient.id)],
        pump=card)
    data.regimens = _regimens(records)
    data.procedures = _procedures(patient, now)
    people = [_person(u) for r in records for u in (r.first_clinician, r.second_clinician)]
    people += [m["sender"] for c in data.cases for m in c["messages"]]
    data.staff = {person["id"]: person for person in people if person}
    if days:
        trends = trends_for(patient, days, now)
        data.series = {"pain": trends.pain, "peg": trends.peg, "sleepiness": trends.sleepiness}
        data.start, data.end = trends.start, trends.end
        data.markers = [(m.day, m.label) for m in markers_for(patient, trends.start, trends.end)]
        data.refills = [r for r in data.refills if r["filled_on"] >= trends.start]
    return data


def clinic_patients(clinic_id: int) -> list[Patient]:
    """Every patient record of one clinic, for the bulk export."""
    return list(db.session.scalars(select(Patient).where(Patient.clinic_id == clinic_id).order_by(Patient.id)))
