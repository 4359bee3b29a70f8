"""The roster: per-patient facts for a whole clinic loaded with a fixed number of grouped queries (no N+1)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from companion.accounts.models import Clinic, Patient
from companion.careteam import rules
from companion.clock import in_zone
from companion.consent import queries as consent_queries
from companion.consent import rules as consent_rules
from companion.consent.models import ConsentRecord, ModuleRead, TeachBackAnswer
from companion.diary.models import DiaryEntry
from companion.escalation.models import Case
from companion.escalation.queries import QUEUE_STATUSES
from companion.extensions import db
from companion.pump.dose_checks import SEDATING_CLASSES
from companion.pump.models import Appointment, PatientMedicine, RefillRecord, Regimen
from companion.pump.queries import CONFIRMED, latest_confirmed_for, plain

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


def _where(clinic_id: int, search: str) -> list:
    """The clinic's patients, optionally by name or record number (shared by the list and the subquery)."""
    conditions = [Patient.clinic_id == clinic_id]
    if search:
        like = f"%{search.strip()}%"
        conditions.append(Patient.family_name.ilike(like) | Patient.given_name.ilike(like)
                          | Patient.record_number.ilike(like))
    return conditions


def _ranking_facts(where: list) -> list[tuple]:
    """(id, implanted on, last check-in, current refill due date) of each patient, by name, in one query."""
    # Correlated subqueries make one index descent per patient ((patient, kind, recorded_at) and
    # (patient, status)); a GROUP BY or window over an IN-subquery let PostgreSQL scan every clinic's
    # year of entries (seconds at 10,000 patients). Plain rows, not ORM objects: only one page is shown.
    last = (select(func.max(DiaryEntry.recorded_at)).where(DiaryEntry.patient_id == Patient.id,
                                                            DiaryEntry.kind == "checkin")
            .correlate(Patient).scalar_subquery())
    due = (select(RefillRecord.due_on).where(RefillRecord.patient_id == Patient.id, RefillRecord.status == CONFIRMED)
           .order_by(RefillRecord.performed_at.desc(), RefillRecord.id.desc()).limit(1)
           .correlate(Patient).scalar_subquery())
    return list(db.session.execute(select(Patient.id, Patient.implanted_on, last, due).where(*where)
                                   .order_by(Patient.family_name, Patient.given_name, Patient.id)))


def _case_counts(ids) -> dict[tuple[int, str], int]:
    stmt = (select(Case.patient_id, Case.tier, func.count(Case.id))
            .where(Case.patient_id.in_(ids), Case.status.in_(QUEUE_STATUSES)).group_by(Case.patient_id, Case.tier))
    return {(pid, tier): n for pid, tier, n in db.session.execute(stmt)}


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
    where = _where(clinic.id, search)
    ids = select(Patient.id).where(*where).scalar_subquery()  # the same set, inside each grouped query
    zone = ZoneInfo(clinic.timezone or "UTC")
    today = now.astimezone(zone).date()
    # Everyone is ranked from cheap facts; patients' rows and the costly columns are loaded for one page.
    cases = _case_counts(ids)
    ranked = []
    for pid, implanted_on, last, due_on in _ranking_facts(where):
        row = RosterRow(None, last_checkin_on=in_zone(last, zone).date() if last else None,  # type: ignore[arg-type]
                        emergency_cases=cases.get((pid, "emergency"), 0), urgent_cases=cases.get((pid, "urgent"), 0),
                        due_on=due_on)
        row.quiet_days = rules.days_without_checkin(row.last_checkin_on, today, expected=implanted_on is not None)
        row.overdue = rules.refill_overdue(row.due_on, today)
        row.rank = rules.attention_rank(emergency_cases=row.emergency_cases, urgent_cases=row.urgent_cases,
                                        overdue=row.overdue, quiet_days=row.quiet_days)
        ranked.append((pid, row))
    ranked.sort(key=lambda item: item[1].rank)  # stable: by name within a rank
    page = min(max(1, page), RosterPage([], len(ranked), 1, per_page).pages)
    shown = ranked if per_page is None else ranked[(page - 1) * per_page:page * per_page]
    patients = {p.id: p for p in db.session.scalars(select(Patient).where(Patient.id.in_([i for i, _ in shown])))}
    for pid, row in shown:
        row.patient = patients[pid]
    rows = [row for _, row in shown]
    _add_details(rows, clinic, now, zone)
    return RosterPage(rows, len(ranked), page, per_page)


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
