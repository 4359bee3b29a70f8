"""The roster: a page ranked from the per-patient summary rows, details loaded for that page only (no N+1)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from companion.accounts.models import Clinic, Patient
from companion.careteam import rules
from companion.clock import in_zone
from companion.consent import queries as consent_queries
from companion.consent import rules as consent_rules
from companion.consent.models import ConsentRecord, ModuleRead, TeachBackAnswer
from companion.extensions import db
from companion.pump.dose_checks import SEDATING_CLASSES
from companion.pump.models import Appointment, PatientMedicine, Regimen
from companion.pump.queries import latest_confirmed_for, plain
from companion.roster import queries as roster_queries
from companion.roster import rules as roster_rules

PER_PAGE = 50  # a page a nurse can scan; the rest is one search or "next" away


@dataclass
class RosterPage:
    """One page of the roster, most in need of attention first, and how many match in all."""

    rows: list[RosterRow]
    total: int
    page: int
    per_page: int | None

    @property
    def pages(self) -> int:
        """How many pages the matching patients fill."""
        return 1 if not self.per_page else max(1, -(-self.total // self.per_page))


@dataclass
class RosterRow:
    """One line of the roster: the facts a nurse scans for."""

    patient: Patient
    last_checkin_on: date | None = None
    quiet_days: int | None = None
    emergency_cases: int = 0
    urgent_cases: int = 0
    consent: str = "not started"
    consent_need: str = ""  # "missing" or "outdated" (consent.rules.consent_need)
    due_on: date | None = None
    appointment_at: datetime | None = None
    appointment_on: date | None = None
    drugs: list[str] = field(default_factory=list)
    sedating: list[str] = field(default_factory=list)
    overdue: bool = False
    appointment_late: bool = False
    rank: int = 4

    @property
    def open_cases(self) -> int:
        """Unresolved emergency and urgent cases."""
        return self.emergency_cases + self.urgent_cases

    @property
    def quiet(self) -> bool:
        """No check-in for 3+ days (or never, though one is expected)."""
        return rules.quiet(self.quiet_days)


def _consent_states(patients: list[Patient], ids, tz_name: str) -> dict[int, tuple[str, str]]:
    """The roster's consent column and consent need, computed with consent.rules from three grouped reads."""
    content = consent_queries.current_content()
    read: dict[int, set[str]] = defaultdict(set)
    for pid, module_id in db.session.execute(select(ModuleRead.patient_id, ModuleRead.module_id).where(
            ModuleRead.patient_id.in_(ids), ModuleRead.content_version == content.version)):
        read[pid].add(module_id)
    answers: dict[int, list] = defaultdict(list)
    for a in db.session.scalars(select(TeachBackAnswer).where(
            TeachBackAnswer.patient_id.in_(ids), TeachBackAnswer.content_version == content.version)
            .order_by(TeachBackAnswer.id)):
        answers[a.patient_id].append(consent_rules.AnswerFact(a.module_id, a.question_id, a.choice_id, a.correct,
                                                              a.answered_at))
    records: dict[int, list[ConsentRecord]] = defaultdict(list)
    for r in db.session.scalars(select(ConsentRecord).where(ConsentRecord.patient_id.in_(ids))
                                .order_by(ConsentRecord.signed_at.desc(), ConsentRecord.id.desc())):
        records[r.patient_id].append(r)
    module_ids = [m.id for m in content.modules]
    out = {}
    for p in patients:
        current = consent_rules.current_record(consent_queries.signed_facts(records[p.id]))
        state = consent_rules.consent_state(
            module_ids=module_ids, read=read[p.id], results=consent_rules.summarise_answers(answers[p.id]).values(),
            record=current, latest_major=content.major, tz_name=tz_name)
        out[p.id] = (state, consent_rules.consent_need(therapy_stage=p.therapy_stage, implanted=p.implanted_on is not None,
                                                       record=current, latest_major=content.major))
    return out


def _next_appointments(ids, now: datetime) -> dict[int, Appointment]:
    stmt = (select(Appointment).where(Appointment.patient_id.in_(ids), Appointment.cancelled_at.is_(None),
                                      Appointment.attended_refill_id.is_(None),
                                      Appointment.starts_at >= now - timedelta(hours=12))
            .order_by(Appointment.starts_at))
    found: dict[int, Appointment] = {}
    for appointment in db.session.scalars(stmt):
        found.setdefault(appointment.patient_id, appointment)
    return found


def _sedating(ids) -> dict[int, list[str]]:
    stmt = select(PatientMedicine).where(PatientMedicine.patient_id.in_(ids), PatientMedicine.stopped_at.is_(None),
                                         PatientMedicine.medicine_class.in_(tuple(SEDATING_CLASSES)))
    out: dict[int, list[str]] = defaultdict(list)
    for medicine in db.session.scalars(stmt.order_by(PatientMedicine.created_at)):
        out[medicine.patient_id].append(medicine.name)
    return out


def roster_page(clinic: Clinic, now: datetime, search: str = "", page: int = 1,
                per_page: int | None = PER_PAGE) -> RosterPage:
    """A page of the clinic's patients (optionally searched), most in need of attention first, then by name."""
    zone = ZoneInfo(clinic.timezone or "UTC")
    cut = roster_rules.cutoffs(now, clinic.timezone)
    page = max(1, page)
    # One statement over the summary rows (roster.services keeps them): the clinic's history is never scanned.
    ranked, total = roster_queries.ranked_page(clinic.id, cut, search, (page - 1) * (per_page or 0), per_page)
    if not ranked and page > 1:  # past the end: show the last page, as before
        total = roster_queries.clinic_size(clinic.id, search)
        page = RosterPage([], total, 1, per_page).pages
        ranked, total = roster_queries.ranked_page(clinic.id, cut, search, (page - 1) * (per_page or 0), per_page)
    patients = {p.id: p for p in db.session.scalars(select(Patient).where(Patient.id.in_([r.patient_id for r in ranked])))}
    rows = []
    for r in ranked:
        row = RosterRow(patients[r.patient_id], emergency_cases=r.emergency_open, urgent_cases=r.urgent_open,
                        due_on=r.refill_due_on, rank=r.bucket,
                        last_checkin_on=in_zone(r.last_checkin_at, zone).date() if r.last_checkin_at else None)
        row.quiet_days = rules.days_without_checkin(row.last_checkin_on, cut.today, expected=r.expects_checkins)
        row.overdue = rules.refill_overdue(row.due_on, cut.today)
        rows.append(row)
    _add_details(rows, clinic, now, zone)
    return RosterPage(rows, total, page, per_page)


def _add_details(rows: list[RosterRow], clinic: Clinic, now: datetime, zone: ZoneInfo) -> None:
    """Consent, pump drugs, next visit and sedating medicines for the rows on the page."""
    if not rows:
        return
    ids = [r.patient.id for r in rows]
    consent = _consent_states([r.patient for r in rows], ids, clinic.timezone)
    refills, visits, sedating = latest_confirmed_for(Patient.id.in_(ids)), _next_appointments(ids, now), _sedating(ids)
    regimens = {r.id: r for r in db.session.scalars(select(Regimen).where(
        Regimen.id.in_([record.regimen_id for record in refills.values()])).options(selectinload(Regimen.drugs)))}
    for row in rows:
        pid = row.patient.id
        (row.consent, row.consent_need), row.sedating = consent[pid], sedating.get(pid, [])
        if (refill := refills.get(pid)) is not None:
            row.drugs = [f"{d.name} {plain(d.daily_dose)} {d.unit}/day" for d in regimens[refill.regimen_id].drugs]
        if (visit := visits.get(pid)) is not None:
            row.appointment_at, row.appointment_on = visit.starts_at, visit.starts_at.astimezone(zone).date()
        row.appointment_late = rules.appointment_late(row.due_on, row.appointment_on)


def roster_rows(clinic: Clinic, now: datetime, search: str = "") -> list[RosterRow]:
    """Every matching patient on one list (exports and tests), ordered as the roster is."""
    return roster_page(clinic, now, search, per_page=None).rows
