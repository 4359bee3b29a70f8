"""Recording diary entries: validate, store once per client UUID, assess red flags in one transaction."""
from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from flask import current_app
from sqlalchemy.exc import IntegrityError

from companion.accounts.models import Patient, User
from companion.audit import services as audit
from companion.clock import utcnow
from companion.diary import queries, rules
from companion.diary.models import DiaryEntry, WoundPhoto
from companion.diary.questionnaires import CHECKIN, POST_REFILL, SITES, WOUND
from companion.db import commit_keeping_loaded
from companion.diary.services import photos as photo_files
from companion.escalation import routing
from companion.escalation import rules as red_flags
from companion.escalation import services as escalation
from companion.i18n import N_
from companion.extensions import db
from companion.roster import services as roster

QUESTIONNAIRES = {"checkin": CHECKIN, "wound": WOUND, "post_refill": POST_REFILL}
# A phone clock a little ahead is normal; one far ahead is wrong, and the server's time is used.
CLOCK_SKEW = timedelta(minutes=10)
TREND_COLUMNS = ("pain_now", "sleepiness", "breaths_per_min", "temperature_c", "wound_redness",
                 "wound_drainage", "wound_swelling")


class EntryConflict(Exception):
    """The client UUID already belongs to another patient's entry."""


@dataclass
class Recorded:
    """What record_entry did: the stored (or replayed) entry and assessment, or the errors to show."""

    entry: DiaryEntry | None = None
    assessment: object | None = None  # escalation.services.Assessment
    errors: dict[str, str] = field(default_factory=dict)
    answers: dict = field(default_factory=dict)
    # Set when the form has errors but an answer is already an emergency or urgent: never hide it.
    emergency: red_flags.Result | None = None
    urgent: red_flags.Result | None = None
    replay: bool = False

    @property
    def ok(self) -> bool:
        """True when an entry exists (new or replayed)."""
        return self.entry is not None


def clean_client_id(raw: object) -> str:
    """The canonical form of a client UUID; ValueError for anything else."""
    return str(uuid.UUID(str(raw or "").strip()))


def reporter_of(user: User) -> str:
    """"caregiver" for caregivers, else "patient"."""
    return "caregiver" if user.role == "caregiver" else "patient"


def normalise(patient: Patient, kind: str, form_data: Mapping, reporter: str, now: datetime,
              weekly_optional: bool = False, facts: queries.EntryFacts | None = None) -> rules.Normalised:
    """Run the pure normaliser for the kind of entry (the offline shell never shows the weekly questions)."""
    if kind == "checkin":
        weekly = not weekly_optional and queries.weekly_due(patient, now, facts)
        return rules.normalise_checkin(form_data, reporter=reporter, weekly_due=weekly)
    if kind == "wound":
        return rules.normalise_wound(form_data, reporter=reporter)
    if kind == "post_refill":
        return rules.normalise_post_refill(form_data, reporter=reporter)
    raise ValueError(f"unknown diary kind {kind!r}")


def danger_in(patient: Patient, observations: Mapping, now: datetime,
              facts: queries.EntryFacts | None = None) -> red_flags.Result | None:
    """The rules' result when the observations alone already call for a call (emergency or urgent)."""
    result = red_flags.evaluate(observations, queries.context_for(patient, now, facts),
                                routing.clinic_thresholds(patient.clinic_id))
    return result if result.is_case else None


def emergency_in(patient: Patient, observations: Mapping, now: datetime) -> red_flags.Result | None:
    """The rules' result when the observations alone already call for emergency services."""
    result = danger_in(patient, observations, now)
    return result if result and result.tier == "emergency" else None


def _unsaved(errors: dict[str, str], answers: dict, danger: red_flags.Result | None) -> Recorded:
    """The errors to show, with any emergency or urgent finding kept beside them (never dropped)."""
    tier = danger.tier if danger else None
    return Recorded(errors=errors, answers=answers, emergency=danger if tier == "emergency" else None,
                    urgent=danger if tier == "urgent" else None)


def _prepared_photos(uploads: Mapping[str, bytes], errors: dict[str, str]) -> dict[str, photo_files.PreparedPhoto]:
    """Re-encode each site's photo; a bad one becomes an error next to its field."""
    prepared = {}
    for site in (c.code for c in SITES):
        raw = uploads.get(site)
        if raw is None:  # no file chosen: photos are optional
            continue
        try:
            prepared[site] = photo_files.prepare(raw)
        except photo_files.PhotoError as error:
            errors[f"{site}.photo"] = str(error)
    return prepared


def device_time_problem(recorded_at: datetime | None, now: datetime, enrolled_at: datetime | None) -> str | None:
    """Why a phone's entry time cannot be stored: more than DEVICE_TIME_MAX_DAYS before the server got it, or
    before the patient's record existed (a clock set to 0001-01-01 once broke the diary pages for good)."""
    if recorded_at is None or recorded_at.tzinfo is None:
        return None  # the server's time is used instead
    days = current_app.config.get("DEVICE_TIME_MAX_DAYS", 14)  # a phone offline for a fortnight (a hospital stay)
    if recorded_at < now - timedelta(days=days):
        return N_("The date on this entry is too long ago. Check the date and time on your phone, then send it again.")
    if enrolled_at is not None and recorded_at < enrolled_at - timedelta(days=1):
        return N_("The date on this entry is before you joined. Check the date and time on your phone, then send it "
                  "again.")
    return None


def _device_time(recorded_at: datetime | None, now: datetime) -> datetime:
    """The phone's time of the entry in UTC (as stored, so the result shows what a replay will); the server's when
    missing, naive or implausibly in the future."""
    if recorded_at is None or recorded_at.tzinfo is None or recorded_at > now + CLOCK_SKEW:
        return now
    return recorded_at.astimezone(timezone.utc)


def replay_of(patient: Patient, client_entry_id: str, facts: queries.EntryFacts | None = None) -> Recorded | None:
    """The entry already stored for this UUID, as a replay (EntryConflict if another patient's); with `facts`, an
    unknown UUID costs no query of its own."""
    if facts is not None and facts.replay_id is None:
        return None
    existing = db.session.get(DiaryEntry, facts.replay_id) if facts else queries.entry_by_client_id(client_entry_id)
    if existing is None:
        return None
    if existing.patient_id != patient.id:
        raise EntryConflict(client_entry_id)
    return Recorded(entry=existing, assessment=escalation_for(existing), answers=existing.answers, replay=True)


def escalation_for(entry: DiaryEntry):
    """The assessment of a stored entry, rebuilt from what was stored (for replays and result pages)."""
    result = red_flags.evaluate(entry.observations, entry.context, routing.clinic_thresholds(entry.patient.clinic_id))
    reasons = tuple(r for r in result.reasons if r.code in set(entry.reason_codes)) or result.reasons
    return escalation.Assessment(tier=entry.tier, reasons=reasons, case_id=entry.case_id,
                                 review_item_id=None, notification_ids=())


def record_entry(patient: Patient, kind: str, form_data: Mapping, *, reporter_user: User, client_entry_id: str,
                 recorded_at: datetime | None, now: datetime | None = None,
                 photos: Mapping[str, bytes] | None = None, weekly_optional: bool = False) -> Recorded:
    """Store one entry with its assessment in one transaction; a replayed UUID returns the stored entry."""
    now = now or utcnow()
    client_entry_id = clean_client_id(client_entry_id)
    facts = queries.entry_facts(patient, now, client_entry_id)  # the diary's one read before the write
    replay = replay_of(patient, client_entry_id, facts)
    if replay:
        return replay
    reporter = reporter_of(reporter_user)
    result = normalise(patient, kind, form_data, reporter, now, weekly_optional, facts)
    errors = dict(result.errors)
    prepared = _prepared_photos(photos or {}, errors) if kind == "wound" else {}
    problem = device_time_problem(recorded_at, now, patient.created_at)
    if problem:
        errors["recorded_at"] = problem
    if errors:
        return _unsaved(errors, result.answers, danger_in(patient, result.observations, now, facts))
    context = queries.context_for(patient, now, facts)
    entry = _new_entry(patient, kind, result, reporter_user, reporter, client_entry_id,
                       _device_time(recorded_at, now), now, context)
    db.session.add(entry)
    db.session.flush()
    if kind == "checkin":  # the roster's last check-in: one UPDATE in this transaction
        roster.checkin_recorded(patient.id, entry.recorded_at)
    stored = _store_photos(entry, prepared)
    assessment = escalation.assess(patient, observations=result.observations, context=context,
                                   source_type="diary_entry", source_id=entry.id, reported_by_user=reporter_user,
                                   now=now)
    # Values equal to the inserted ones (no red flag) are no change, so an ordinary entry is not updated again.
    entry.tier, entry.case_id = assessment.tier, assessment.case_id
    entry.reason_codes = [r.code for r in assessment.reasons]
    audit.record("diary_entry_recorded", patient_id=patient.id, object_type="diary_entry", object_id=entry.id,
                 user=reporter_user, clinic_id=patient.clinic_id, kind=kind, tier=assessment.tier,
                 reporter=reporter, photos=len(stored))
    try:
        # The result is rendered from the rows this request read and wrote; an expiring commit would reload each.
        commit_keeping_loaded(db.session())
    except IntegrityError:  # the same UUID arrived twice at once: the other request stored it
        db.session.rollback()
        for name in stored:
            photo_files.discard(name)
        return replay_of(patient, client_entry_id) or Recorded(errors={"": "Not saved. Please try again."})
    escalation.after_commit(assessment)
    return Recorded(entry=entry, assessment=assessment, answers=result.answers)


def _new_entry(patient, kind, result, user, reporter, client_entry_id, recorded_at, now, context) -> DiaryEntry:
    """The entry row, with the typed trend columns copied from the observations."""
    questionnaire = QUESTIONNAIRES[kind]
    obs = result.observations
    entry = DiaryEntry(
        patient_id=patient.id, kind=kind, reported_by_user_id=user.id, reporter=reporter,
        questionnaire_id=questionnaire.id, questionnaire_version=questionnaire.version,
        answers=dict(result.answers), observations=dict(obs), context=dict(context),
        client_entry_id=client_entry_id, recorded_at=recorded_at, received_at=now, tier="none", reason_codes=[],
        case_id=None,
        peg_score=rules.peg_score(result.answers) if kind == "checkin" else None)
    for column in TREND_COLUMNS:
        value = obs.get(column)
        setattr(entry, column, value if not isinstance(value, (bool, list)) else None)
    return entry


def _store_photos(entry: DiaryEntry, prepared: Mapping[str, photo_files.PreparedPhoto]) -> list[str]:
    """Keep each prepared photo (disk, or a row in this transaction) and add its row to the entry's transaction."""
    names = []
    for site, photo in prepared.items():
        name = photo_files.store(photo)
        names.append(name)
        db.session.add(WoundPhoto(entry_id=entry.id, patient_id=entry.patient_id, site=site, stored_name=name,
                                  width=photo.width, height=photo.height, size_bytes=len(photo.data)))
    return names
