"""Read-only look-ups of diary entries, photos, reminder times, the rules context and due tasks."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import url_for
from flask_babel import format_datetime, gettext
from sqlalchemy import String, cast, exists, literal, literal_column, or_, select, union_all

from companion.accounts import queries as accounts
from companion.accounts.models import Clinic, Patient
from companion.accounts.permissions import can_view_patient
from companion.clock import in_zone
from companion.diary import rules
from companion.diary.models import CheckinReminderPreference, DiaryEntry, WoundPhoto
from companion.extensions import db
from companion.notify.models import Notification
from companion.pump import queries as pump_queries

TASK_ENDPOINTS = {"checkin": "diary.checkin", "wound_check": "diary.wound", "post_refill_check": "diary.post_refill"}


@dataclass(frozen=True)
class HomeTask:
    """A due task with the link that opens it (what templates/home/index.html lists)."""

    kind: str
    label: str
    url: str
    due_at: datetime


def zone(patient: Patient) -> ZoneInfo:
    """The patient's clinic time zone (what "today" means for them)."""
    return ZoneInfo(patient.clinic.timezone or "UTC")


def local_date(patient: Patient, moment: datetime) -> date:
    """The clinic-local calendar date of a UTC moment."""
    return in_zone(moment, zone(patient)).date()


def entries_for(patient: Patient, kind: str | None = None, limit: int | None = None,
                since: datetime | None = None) -> list[DiaryEntry]:
    """A patient's entries, newest first by the time the patient made them."""
    stmt = select(DiaryEntry).where(DiaryEntry.patient_id == patient.id)
    if kind:
        stmt = stmt.where(DiaryEntry.kind == kind)
    if since is not None:
        stmt = stmt.where(DiaryEntry.recorded_at >= since)
    stmt = stmt.order_by(DiaryEntry.recorded_at.desc(), DiaryEntry.id.desc())
    return list(db.session.scalars(stmt.limit(limit) if limit else stmt))


def last_entry(patient: Patient, kind: str, before: datetime | None = None) -> DiaryEntry | None:
    """The newest entry of a kind (optionally made before a moment)."""
    stmt = select(DiaryEntry).where(DiaryEntry.patient_id == patient.id, DiaryEntry.kind == kind)
    if before is not None:
        stmt = stmt.where(DiaryEntry.recorded_at < before)
    return db.session.scalar(stmt.order_by(DiaryEntry.recorded_at.desc(), DiaryEntry.id.desc()).limit(1))


def entry_by_client_id(client_entry_id: str) -> DiaryEntry | None:
    """The entry stored for a client UUID, if any (for idempotent replays)."""
    return db.session.scalar(select(DiaryEntry).where(DiaryEntry.client_entry_id == client_entry_id))


def patient_entry(patient: Patient, entry_id: int) -> DiaryEntry | None:
    """One entry, only if it belongs to this patient."""
    return db.session.scalar(select(DiaryEntry).where(DiaryEntry.id == entry_id, DiaryEntry.patient_id == patient.id))


def previous_pains(patient: Patient, now: datetime) -> list[int]:
    """pain_now of the check-ins in the 7 days before `now` (the baseline the rules compare with)."""
    stmt = select(DiaryEntry.pain_now).where(
        DiaryEntry.patient_id == patient.id, DiaryEntry.kind == "checkin", DiaryEntry.pain_now.is_not(None),
        DiaryEntry.recorded_at >= now - timedelta(days=7), DiaryEntry.recorded_at < now)
    return list(db.session.scalars(stmt))


@dataclass(frozen=True)
class EntryFacts:
    """What recording an entry reads before it writes: who owns the posted UUID, last week's pains, the last PEG."""

    replay_id: int | None  # the entry already stored under the posted UUID (any patient's)
    replay_patient_id: int | None
    pains: list[int]  # as previous_pains
    last_peg_at: datetime | None  # the newest PEG inside PEG_WINDOW (an older one leaves the PEG due anyway)


# Long enough that a PEG outside it is at least 7 clinic-local days old whatever the time zone and DST.
PEG_WINDOW = timedelta(days=8)


def entry_facts(patient: Patient, now: datetime, client_entry_id: str) -> EntryFacts:
    """The replay check, the pain baseline's entries and the last PEG in one statement (one index range and one
    unique look-up), so an ordinary check-in reads the diary once."""
    columns = (DiaryEntry.id, DiaryEntry.patient_id, DiaryEntry.recorded_at, DiaryEntry.pain_now,
               DiaryEntry.peg_score)
    recent = select(literal_column("'recent'").label("part"), *columns).where(
        DiaryEntry.patient_id == patient.id, DiaryEntry.kind == "checkin", DiaryEntry.recorded_at >= now - PEG_WINDOW)
    stored = select(literal_column("'stored'").label("part"), *columns).where(
        DiaryEntry.client_entry_id == client_entry_id)
    rows = db.session.execute(union_all(recent, stored)).all()
    replay = next((r for r in rows if r.part == "stored"), None)
    checkins = [r for r in rows if r.part == "recent"]
    week = [r for r in checkins if now - timedelta(days=7) <= r.recorded_at < now]
    return EntryFacts(
        replay_id=replay.id if replay else None, replay_patient_id=replay.patient_id if replay else None,
        pains=[r.pain_now for r in week if r.pain_now is not None],
        last_peg_at=max((r.recorded_at for r in checkins if r.peg_score is not None), default=None))


def _pump_context(patient: Patient, today: date) -> dict:
    """Refill, dose and drug facts from the pump capability."""
    return dict(pump_queries.rules_context(patient, today))


def context_for(patient: Patient, now: datetime, facts: EntryFacts | None = None) -> dict:
    """What the red-flag rules need besides the answers: days since implant, pain baseline, pump facts (last week's
    pains from `facts` when the caller has already read them)."""
    today = local_date(patient, now)
    context: dict = {}
    if patient.implanted_on is not None:
        context["days_since_implant"] = (today - patient.implanted_on).days
    baseline = rules.pain_baseline(facts.pains if facts is not None else previous_pains(patient, now))
    if baseline is not None:
        context["pain_baseline"] = round(baseline, 2)
    context.update({k: v for k, v in _pump_context(patient, today).items() if v is not None})
    return context


def weekly_due(patient: Patient, now: datetime, facts: EntryFacts | None = None) -> bool:
    """Whether the PEG questions are due this check-in (never answered, or 7+ days ago)."""
    if facts is not None:
        last = facts.last_peg_at
    else:
        stmt = select(DiaryEntry.recorded_at).where(
            DiaryEntry.patient_id == patient.id, DiaryEntry.kind == "checkin", DiaryEntry.peg_score.is_not(None))
        last = db.session.scalar(stmt.order_by(DiaryEntry.recorded_at.desc()).limit(1))
    return rules.peg_due(local_date(patient, now), local_date(patient, last) if last else None)


def _refill_or_dose_increase_at(patient: Patient) -> datetime | None:
    """When the pump was last refilled or its dose raised (starts the 24/48/72-hour checks)."""
    return pump_queries.last_refill_or_dose_increase_at(patient)


def due_tasks(patient: Patient, now: datetime) -> list[rules.Task]:
    """What the patient should do now: post-refill check, wound check, today's check-in."""
    wound = last_entry(patient, "wound")
    checkin = last_entry(patient, "checkin")
    changed_at = _refill_or_dose_increase_at(patient)
    first_hours = patient.clinic.first_post_refill_hours  # the clinic's choice of the first check time
    done: set[int] = set()
    if changed_at is not None:
        for entry in entries_for(patient, "post_refill", since=changed_at):
            hours = (entry.recorded_at - changed_at).total_seconds() / 3600
            done.update(h for h, until in rules.post_refill_windows(first_hours) if h <= hours < until)
    return rules.due_tasks(
        now, tz=patient.clinic.timezone, implanted_on=patient.implanted_on,
        last_wound_check_at=wound.recorded_at if wound else None, refill_or_dose_increase_at=changed_at,
        completed_post_refill_checks=done, first_post_refill_hours=first_hours,
        last_checkin_on=local_date(patient, checkin.recorded_at) if checkin else None)


def home_tasks(patient: Patient, now: datetime) -> list[HomeTask]:
    """Due tasks with their links, for the home screen."""
    return [HomeTask(t.kind, t.label, url_for(TASK_ENDPOINTS[t.kind]), t.due_at) for t in due_tasks(patient, now)]


def photos_by_site(patient: Patient, site: str, limit: int = 12) -> list[tuple[WoundPhoto, DiaryEntry]]:
    """The patient's latest photos of one incision with their checks, oldest first (to compare over days)."""
    rows = db.session.execute(
        select(WoundPhoto, DiaryEntry).join(DiaryEntry, DiaryEntry.id == WoundPhoto.entry_id)
        .where(WoundPhoto.patient_id == patient.id, WoundPhoto.site == site)
        .order_by(DiaryEntry.recorded_at.desc(), WoundPhoto.id.desc()).limit(limit)).all()
    return [(photo, entry) for photo, entry in reversed(rows)]


def photo_for(user, photo_id: int) -> WoundPhoto | None:
    """A wound photo if this user may see it: the patient, a linked caregiver, or clinic staff."""
    photo = db.session.get(WoundPhoto, photo_id)
    if photo is None:
        return None
    patient = db.session.get(Patient, photo.patient_id)
    linked = accounts.caregiver_patient_ids(user) if user.role == "caregiver" else ()
    return photo if can_view_patient(user, patient, linked) else None


def reminder_preference(patient: Patient) -> CheckinReminderPreference | None:
    """The patient's check-in reminder time, if they chose one."""
    return db.session.scalar(select(CheckinReminderPreference).where(
        CheckinReminderPreference.patient_id == patient.id))


def due_checkin_reminders(now: datetime) -> list[tuple[int, int, date]]:
    """(patient id, user id, clinic-local date) of every switched-on reminder whose time has come today for a patient
    who has not checked in today and has no reminder queued today: one query per clinic time zone, the day's
    bounds computed here, not in SQL."""
    zones: dict[str, list[int]] = {}
    for clinic_id, tz in db.session.execute(select(Clinic.id, Clinic.timezone)):
        zones.setdefault(tz or "UTC", []).append(clinic_id)
    due = []
    for tz, clinic_ids in zones.items():
        local = in_zone(now, ZoneInfo(tz))
        start, end = (datetime.combine(local.date() + timedelta(days=d), time(0), tzinfo=ZoneInfo(tz)) for d in (0, 1))
        checkins = select(DiaryEntry.id).where(DiaryEntry.patient_id == Patient.id, DiaryEntry.kind == "checkin")
        # The outbox key of today's reminder (notify's unique index): the 5-minutely reruns find nothing to add.
        key = literal("checkin:", String) + cast(Patient.id, String) + literal(f":{local.date().isoformat()}", String)
        # As the per-patient loop did: the newest check-in decides, so one dated after today means no check-in today.
        stmt = select(Patient.id, Patient.user_id).join(
            CheckinReminderPreference, CheckinReminderPreference.patient_id == Patient.id).where(
            Patient.clinic_id.in_(clinic_ids), Patient.user_id.is_not(None),
            CheckinReminderPreference.enabled.is_(True), CheckinReminderPreference.remind_at <= local.time(),
            ~exists(select(Notification.id).where(Notification.dedupe_key == key)),
            or_(~exists(checkins.where(DiaryEntry.recorded_at >= start, DiaryEntry.recorded_at < end)),
                exists(checkins.where(DiaryEntry.recorded_at >= end))))
        due += [(patient_id, user_id, local.date()) for patient_id, user_id in db.session.execute(stmt)]
    return due


@dataclass(frozen=True)
class Trends:
    """Chart series over the last `days` days (clinic-local dates), with the SVGs drawn from them."""

    days: int
    start: date
    end: date
    pain: list[tuple[date, float]]
    peg: list[tuple[date, float]]
    sleepiness: list[tuple[date, int]]
    wound: list[tuple[date, dict[str, int]]]
    adherence: list[tuple[date, bool]]
    svg: dict[str, str]

    @property
    def checkin_days(self) -> int:
        """Days in the window with at least one check-in."""
        return sum(1 for _, done in self.adherence if done)


WOUND_SIGNS = (("wound_redness", "Redness"), ("wound_drainage", "Leaking"), ("wound_swelling", "Swelling"))
SLEEPY_LABELS = ("Awake", "Drowsy", "Drifts off", "Hard to wake")


def trends_for(patient: Patient, days: int, now: datetime) -> Trends:
    """Pain, PEG, sleepiness, wound signs and check-in days over the last `days` days, with charts."""
    from companion.diary import charts

    end = local_date(patient, now)
    start = end - timedelta(days=days - 1)
    since = datetime.combine(start, datetime.min.time(), zone(patient))
    entries = sorted(entries_for(patient, since=since), key=lambda e: e.recorded_at)
    by_day: dict[date, list[DiaryEntry]] = {}
    for entry in entries:
        by_day.setdefault(local_date(patient, entry.recorded_at), []).append(entry)
    pain, peg, sleepy, wound, moments, checked = [], [], [], [], [], set()
    for day, group in sorted(by_day.items()):
        pains = [e.pain_now for e in group if e.pain_now is not None]
        if pains:
            pain.append((day, round(sum(pains) / len(pains), 1)))
        peg += [(day, round(e.peg_score, 1)) for e in group if e.peg_score is not None]
        levels = [rules.SEVERITY["sleepiness"].index(e.sleepiness) for e in group if e.sleepiness]
        if levels:
            sleepy.append((day, max(levels)))
        wound += [(day, {k: rules.SEVERITY[k].index(getattr(e, k)) for k, _ in WOUND_SIGNS if getattr(e, k)})
                  for e in group if e.kind == "wound"]
        moments += [in_zone(e.recorded_at, zone(patient)) for e in group if e.kind == "wound"]
        checked.update(day for e in group if e.kind == "checkin")
    adherence = [(start + timedelta(days=i), start + timedelta(days=i) in checked) for i in range(days)]
    svg = {
        "pain": charts.line_chart(f"pain-{days}", f"Pain now, last {days} days (0 to 10)", pain, start=start, end=end),
        "peg": charts.line_chart(f"peg-{days}", f"Weekly PEG score, last {days} days (0 to 10)", peg,
                                 start=start, end=end),
        "sleepiness": charts.line_chart(
            f"sleepy-{days}", f"Sleepiness, last {days} days", sleepy, start=start, end=end, y_max=3, left=74,
            y_ticks=tuple((i, label) for i, label in enumerate(SLEEPY_LABELS))),
        "wound": charts.level_chart(
            f"wound-{days}", "Wound signs", [
                (label, [(at, signs[k]) for at, (_, signs) in zip(moments, wound) if k in signs])
                for k, label in WOUND_SIGNS],
            # Wound checks cover days, not months: draw from the first one (a week at least).
            start=min(max(start, (wound[0][0] if wound else end) - timedelta(days=1)), end - timedelta(days=6)),
            end=end, levels=4),
        "adherence": charts.adherence_chart(f"adherence-{days}", f"Check-ins, last {days} days", adherence),
    }
    return Trends(days, start, end, pain, peg, sleepy, wound, adherence, svg)


def answer_label(item, value) -> str:
    """An answer in the words the patient picked (Yes/No, choice labels, numbers)."""
    # Labels in the reader's language; free text and numbers exactly as written.
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, list):
        return ", ".join(gettext(item.label_for(v)) for v in value)
    return gettext(item.label_for(str(value))) if item.choices else str(value)


def when(entry: DiaryEntry) -> str:
    """When the patient made the entry, in the clinic's time zone, like "Mon 23 Nov, 10:04"."""
    moment = in_zone(entry.recorded_at, zone(entry.patient))
    return format_datetime(moment.replace(tzinfo=None), "EEE d MMM, HH:mm")  # in the reader's language


def answer_rows(entry: DiaryEntry) -> list[tuple[str, str]]:
    """(question, answer) pairs of an entry, in questionnaire order."""
    from companion.diary.questionnaires import ALL

    questionnaire = next((q for q in ALL if q.id == entry.questionnaire_id), None)
    if questionnaire is None:
        return [(k, str(v)) for k, v in entry.answers.items()]
    rows = []
    for item in questionnaire.items:
        if item.link_id in entry.answers:
            label = answer_label(item, entry.answers[item.link_id])
            unit = entry.answers.get(f"{item.link_id}.unit")
            rows.append((item.text, f"{label} °{unit}" if unit else label))
    return rows


# The rules count clinic-local days, so the phone keeps dates and counts the days itself on the day of an
# offline check-in. Only what the offline rules read: no name, no record number, no doses.
_KEPT_SINCE = {"days_since_refill": "refill_on", "days_since_dose_increase": "dose_increase_on",
               "days_since_implant": "implanted_on", "days_since_mri": "mri_on"}


def kept_rules_context(patient: Patient, now: datetime) -> dict:
    """The rules context as the phone keeps it for the offline rules: event dates, drugs, pump state, baseline."""
    today = local_date(patient, now)
    context = context_for(patient, now)
    kept: dict = {"timezone": patient.clinic.timezone}
    kept.update({name: (today - timedelta(days=context[key])).isoformat()
                 for key, name in _KEPT_SINCE.items() if key in context})
    if "days_until_low_reservoir" in context:
        kept["low_reservoir_on"] = (today + timedelta(days=context["days_until_low_reservoir"])).isoformat()
    current = pump_queries.latest_confirmed(patient)
    if current is not None and current.due_on is not None:
        kept["refill_due_on"] = current.due_on.isoformat()
    # The dose count and a switch are as of today: after days offline they may be out of date (never missing).
    kept.update({k: context[k] for k in ("drugs", "previous_drugs", "pain_baseline", "dose_increases_last_90_days")
                 if k in context})
    return kept
