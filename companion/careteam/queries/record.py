"""The patient record's reads: one timeline from every capability, chart markers and wound photos over time."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from companion.accounts.models import Patient
from companion.accounts.queries import caregiver_links
from companion.careteam import rules
from companion.careteam.charts import record_charts
from companion.clock import in_zone
from companion.consent.models import ConsentRecord, ConsentSession
from companion.diary.models import DiaryEntry, WoundPhoto
from companion.consent.queries import consent_state
from companion.diary.queries import last_entry, trends_for
from companion.escalation.forms import RESOLUTION_LABELS
from companion.escalation.models import Case, ReviewItem
from companion.escalation.queries import QUEUE_STATUSES, patient_cases
from companion.extensions import db
from companion.pump import queries as pump
from companion.pump.dose_checks import SEDATING_CLASSES
from companion.pump.models import RefillRecord, Regimen
from companion.pump.queries import CONFIRMED, plain

RECORD_LABELS = {"refill": "Refill", "first_fill": "First fill", "dose_change": "Dose change"}
SLEEPINESS_WORDS = {"alert": "alert", "slightly_drowsy": "slightly drowsy", "drifts_off": "drifts off",
                    "hard_to_wake": "hard to wake"}


@dataclass(frozen=True)
class Marker:
    """A refill or dose change drawn on the charts' time axis."""

    day: date
    label: str
    detail: str


@dataclass
class TimelineEvent:
    """One line of the record's timeline."""

    at: datetime
    kind: str  # checkin | wound | post_refill | case | case_resolved | refill | consent | review
    title: str
    detail: str = ""
    tier: str = ""
    url_endpoint: str = ""
    url_args: dict = field(default_factory=dict)
    photos: list[WoundPhoto] = field(default_factory=list)


def _drugs(record: RefillRecord) -> str:
    return ", ".join(f"{d.name} {plain(d.concentration)} {d.unit}/mL at {plain(d.daily_dose)} {d.unit}/day"
                     for d in record.regimen.drugs)


def _entry_detail(entry: DiaryEntry) -> str:
    """The typed trend values of an entry in a few clinical words."""
    parts = []
    if entry.pain_now is not None:
        parts.append(f"pain {entry.pain_now}/10")
    if entry.peg_score is not None:
        parts.append(f"PEG {entry.peg_score:.1f}")
    if entry.sleepiness:
        parts.append(SLEEPINESS_WORDS.get(entry.sleepiness, entry.sleepiness.replace("_", " ")))
    if entry.breaths_per_min is not None:
        parts.append(f"{entry.breaths_per_min} breaths/min")
    if entry.temperature_c is not None:
        parts.append(f"{entry.temperature_c:.1f} °C")
    for name in ("wound_redness", "wound_drainage", "wound_swelling"):
        if getattr(entry, name):
            parts.append(f"{name.split('_')[1]}: {getattr(entry, name).replace('_', ' ')}")
    if entry.reporter == "caregiver":
        parts.append("reported by caregiver")
    return "; ".join(parts)


def _diary_events(patient: Patient, since: datetime) -> list[TimelineEvent]:
    stmt = (select(DiaryEntry).where(DiaryEntry.patient_id == patient.id, DiaryEntry.recorded_at >= since)
            .options(selectinload(DiaryEntry.photos)))
    titles = {"checkin": "Check-in", "wound": "Wound check", "post_refill": "Breathing check after refill"}
    return [TimelineEvent(e.recorded_at, e.kind, titles.get(e.kind, e.kind), _entry_detail(e),
                          e.tier if e.tier != "none" else "", "diary.staff_diary", {"patient_id": patient.id},
                          list(e.photos)) for e in db.session.scalars(stmt)]


def _case_events(patient: Patient, since: datetime) -> list[TimelineEvent]:
    events = []
    stmt = select(Case).where(Case.patient_id == patient.id, (Case.opened_at >= since) | (Case.resolved_at >= since))
    for case in db.session.scalars(stmt):
        args = {"case_id": case.id}
        if case.opened_at >= since:
            events.append(TimelineEvent(case.opened_at, "case", f"{case.tier.capitalize()} case opened",
                                        "; ".join(r.get("staff_text", "") for r in case.reasons), case.tier,
                                        "escalation.staff_case", args))
        if case.resolved_at and case.resolved_at >= since:
            label = RESOLUTION_LABELS.get(case.resolution, case.resolution or "")
            events.append(TimelineEvent(case.resolved_at, "case_resolved", "Case resolved",
                                        " — ".join(x for x in (str(label), case.resolution_note) if x), "",
                                        "escalation.staff_case", args))
    return events


def _review_events(patient: Patient, since: datetime) -> list[TimelineEvent]:
    stmt = select(ReviewItem).where(ReviewItem.patient_id == patient.id, ReviewItem.created_at >= since)
    return [TimelineEvent(item.created_at, "review", "Routine finding for review",
                          "; ".join(r.get("staff_text", "") for r in item.reasons)
                          + (f" — reviewed: {item.note}" if item.cleared_at and item.note else ""), "routine")
            for item in db.session.scalars(stmt)]


def _refill_events(patient: Patient, since: datetime) -> list[TimelineEvent]:
    stmt = (select(RefillRecord).where(RefillRecord.patient_id == patient.id, RefillRecord.performed_at >= since)
            .options(selectinload(RefillRecord.regimen).selectinload(Regimen.drugs)))
    events = []
    for r in db.session.scalars(stmt):
        title = RECORD_LABELS.get(r.kind, r.kind) + (" (dose increase)" if r.is_dose_increase else "")
        if r.status != CONFIRMED:
            title += " — waiting for second check"
        notes = " ".join(x for x in (r.change_reason, r.note, pump.override_summary(r)) if x)
        if r.status != CONFIRMED:  # the second clinician re-enters these blind: keep them off the timeline
            detail = "values hidden until the second check"
        else:
            detail = f"{_drugs(r)}; {plain(r.fill_volume_ml)} mL" + (f"; due {r.due_on.isoformat()}" if r.due_on else "")
        flagged = pump.finding_summary(r, with_values=r.status == CONFIRMED)
        if flagged:
            detail += " — checks: " + "; ".join(flagged)
        events.append(TimelineEvent(r.performed_at, "refill", title, detail + (f" — {notes}" if notes else ""), "",
                                    "pump.record", {"patient_id": patient.id}))
    return events


def _consent_events(patient: Patient, since: datetime) -> list[TimelineEvent]:
    events = [TimelineEvent(r.signed_at, "consent", f"Consent signed: {r.decision.replace('_', ' ')}",
                            f"content {r.content_version}; with {r.clinician_name}"
                            + ("; interpreter" if r.interpreter_used else ""), "", "consent.session",
                            {"patient_id": patient.id})
              for r in db.session.scalars(select(ConsentRecord).where(
                  ConsentRecord.patient_id == patient.id, ConsentRecord.signed_at >= since))]
    events += [TimelineEvent(s.opened_at, "consent", "Consent discussion opened",
                             f"content {s.content_version}; {len(s.questions)} questions noted", "",
                             "consent.session", {"patient_id": patient.id})
               for s in db.session.scalars(select(ConsentSession).where(
                   ConsentSession.patient_id == patient.id, ConsentSession.opened_at >= since)
                   .options(selectinload(ConsentSession.questions)))]
    return events


def timeline_for(patient: Patient, since: datetime) -> list[TimelineEvent]:
    """Check-ins, wound checks, cases, review items, refills, dose changes and consent since a moment, newest first."""
    events = (_diary_events(patient, since) + _case_events(patient, since) + _review_events(patient, since)
              + _refill_events(patient, since) + _consent_events(patient, since))
    return sorted(events, key=lambda e: e.at, reverse=True)


def markers_for(patient: Patient, start: date, end: date) -> list[Marker]:
    """Confirmed refills, first fills and dose changes between two clinic-local dates, oldest first."""
    stmt = (select(RefillRecord).where(RefillRecord.patient_id == patient.id, RefillRecord.status == CONFIRMED,
                                       RefillRecord.filled_on >= start, RefillRecord.filled_on <= end)
            .order_by(RefillRecord.filled_on, RefillRecord.id)
            .options(selectinload(RefillRecord.regimen).selectinload(Regimen.drugs)))
    return [Marker(r.filled_on, RECORD_LABELS.get(r.kind, r.kind) + (", dose up" if r.is_dose_increase else ""),
                   _drugs(r)) for r in db.session.scalars(stmt)]


def photo_series(patient: Patient, limit: int = 8) -> dict[str, list[tuple[WoundPhoto, datetime]]]:
    """Wound photos per site (belly, back), oldest first, the last `limit` of each: compared side by side."""
    stmt = (select(WoundPhoto, DiaryEntry.recorded_at).join(DiaryEntry, DiaryEntry.id == WoundPhoto.entry_id)
            .where(WoundPhoto.patient_id == patient.id).order_by(DiaryEntry.recorded_at, WoundPhoto.id))
    series: dict[str, list[tuple[WoundPhoto, datetime]]] = {}
    zone = ZoneInfo(patient.clinic.timezone or "UTC")
    for photo, at in db.session.execute(stmt):
        series.setdefault(photo.site, []).append((photo, in_zone(at, zone)))
    return {site: items[-limit:] for site, items in series.items()}


def record_context(patient: Patient, days: int, now: datetime, show_all: bool = False) -> dict:
    """Everything the patient record page shows: key facts, charts with markers, timeline, pump, medicines.

    Unless `show_all`, the timeline leaves out ordinary check-ins (no finding): the charts already show them.
    """
    zone = ZoneInfo(patient.clinic.timezone or "UTC")
    trends = trends_for(patient, days, now)
    markers = markers_for(patient, trends.start, trends.end)
    latest, checkin = pump.latest_confirmed(patient), last_entry(patient, "checkin")
    today = now.astimezone(zone).date()
    last_on = in_zone(checkin.recorded_at, zone).date() if checkin else None
    appointment = pump.next_appointment(patient, now)
    medicines = pump.medicines(patient)
    events = timeline_for(patient, datetime.combine(trends.start, time.min, zone))
    return {
        "patient": patient, "days": days, "ranges": rules.RANGES, "trends": trends, "markers": markers,
        "charts": record_charts(trends, [(m.day, m.label) for m in markers]),
        "timeline": [e for e in events if show_all or e.kind != "checkin" or e.tier], "show_all": show_all,
        "ordinary_hidden": 0 if show_all else sum(1 for e in events if e.kind == "checkin" and not e.tier),
        "photos": photo_series(patient), "card": pump.pump_card(patient), "latest": latest,
        "due_on": latest.due_on if latest else None, "overdue": rules.refill_overdue(latest.due_on if latest else None,
                                                                                    today),
        "appointment": appointment, "appointment_late": rules.appointment_late(
            latest.due_on if latest else None, appointment.starts_at.astimezone(zone).date() if appointment else None),
        "medicines": medicines, "sedating": SEDATING_CLASSES,
        "open_cases": [c for c in patient_cases(patient.id, limit=50) if c.status in QUEUE_STATUSES],
        "consent": consent_state(patient), "last_checkin": checkin,
        "quiet_days": rules.days_without_checkin(last_on, today, expected=patient.implanted_on is not None),
        "links": caregiver_links(patient), "tz": patient.clinic.timezone or "UTC", "now": now,
        "contacts": contact_people(patient),
    }


def contact_people(patient: Patient) -> list:
    """The accounts the care team may call about this patient: the patient's own and each live caregiver's."""
    people = [patient.user] + [link.caregiver for link in caregiver_links(patient) if link.is_live]
    return [person for person in people if person is not None]
