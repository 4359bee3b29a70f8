"""The only writer of cases and review items: assess a report, acknowledge, resolve, escalate, clear."""
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from companion.audit import services as audit
from companion.clock import utcnow
from companion.escalation import routing
from companion.escalation.models import LADDER, RESOLUTIONS, Case, CaseEvent, CaseRecipient, ReviewItem
from companion.escalation.rules import evaluate
from companion.extensions import db
from companion.notify import services as notify
from companion.notify.models import Notification

log = logging.getLogger(__name__)
STAFF_CHANNELS = ("in_app", "email", "push")
PATIENT_CHANNELS = ("in_app", "push")  # the patient learns of a change in the app; never by email


class CaseError(Exception):
    """A case step that is not allowed in the case's current state."""


@dataclass(frozen=True)
class Assessment:
    """What assess() decided: the tier, the rules' reasons, and the rows it wrote (if any)."""

    tier: str
    reasons: tuple
    case_id: int | None
    review_item_id: int | None
    notification_ids: tuple[int, ...]

    @property
    def patient_texts(self) -> tuple[str, ...]:
        """The patient-facing texts of the most severe tier only (never conflicting actions)."""
        return tuple(dict.fromkeys(r.patient_text for r in self.reasons if r.tier == self.tier))


def _snapshot(reasons) -> list[dict]:
    """The reasons as plain data, kept on the case so later rule changes never rewrite history."""
    return [{"code": r.code, "tier": r.tier, "staff_text": r.staff_text, "patient_text": r.patient_text,
             "source": r.source} for r in reasons]


def assess(patient, *, observations: Mapping, context: Mapping, source_type: str, source_id: int,
           reported_by_user, now: datetime | None = None) -> Assessment:
    """Run the red-flag rules with the clinic's thresholds; open a case or review item in the caller's transaction."""
    now = now or utcnow()
    result = evaluate(observations, context, routing.clinic_thresholds(patient.clinic_id))
    if result.tier == "none":
        return Assessment("none", result.reasons, None, None, ())
    if result.is_case:
        case, ids = _open_case(patient, result, source_type, source_id, reported_by_user, now)
        return Assessment(result.tier, result.reasons, case.id, None, tuple(ids))
    item = _add_review_item(patient, result, source_type, source_id, reported_by_user, now)
    return Assessment(result.tier, result.reasons, None, item.id, ())


def after_commit(assessment: Assessment) -> None:
    """Try to deliver the assessment's notifications now; whatever fails stays pending for dispatch_outbox."""
    if not assessment.notification_ids:
        return
    from companion.notify import dispatcher

    try:
        dispatcher.deliver_after_request(assessment.notification_ids)
    except Exception:  # noqa: BLE001 - the scheduler retries; the patient's answer must not fail
        db.session.rollback()
        log.exception("immediate delivery failed; the outbox job will retry")


def _open_case(patient, result, source_type, source_id, reporter, now) -> tuple[Case, list[int]]:
    """A new case routed to the first staffed rung (nurses in hours, on-call out of hours), with notifications."""
    existing = db.session.scalar(select(Case).where(Case.source_type == source_type, Case.source_id == source_id))
    if existing is not None:  # the same report assessed twice (a retried request) opens one case
        return existing, _notification_ids(existing, 1)
    settings = routing.settings_for(patient.clinic_id)
    hours = routing.in_hours(patient.clinic, settings, now)
    level, people = routing.first_staffed_rung(patient.clinic_id, settings, 0 if hours else 1, now)
    case = Case(clinic_id=patient.clinic_id, patient_id=patient.id, tier=result.tier, status="open",
                source_type=source_type, source_id=source_id, reasons=_snapshot(result.reasons),
                reported_by_id=getattr(reporter, "id", None), opened_at=now, in_hours=hours,
                ack_due_at=now + routing.deadline(settings, result.tier), ladder_level=level, notify_round=1)
    db.session.add(case)
    db.session.flush()
    _event(case, "opened", reporter, now, tier=result.tier, codes=list(result.codes), in_hours=hours)
    ids = _route(case, people, LADDER[level], now, kind="case_opened")
    audit.record("case_opened", patient_id=patient.id, object_type="case", object_id=case.id, user=reporter,
                 clinic_id=patient.clinic_id, tier=result.tier, codes=list(result.codes), routed_to=LADDER[level])
    return case, ids


def _add_review_item(patient, result, source_type, source_id, reporter, now) -> ReviewItem:
    """A routine finding goes on the review list (no notification: it is cleared in working hours)."""
    existing = db.session.scalar(select(ReviewItem).where(
        ReviewItem.source_type == source_type, ReviewItem.source_id == source_id))
    if existing is not None:
        return existing
    item = ReviewItem(clinic_id=patient.clinic_id, patient_id=patient.id, source_type=source_type,
                      source_id=source_id, reasons=_snapshot(result.reasons), created_at=now,
                      reported_by_id=getattr(reporter, "id", None))
    db.session.add(item)
    db.session.flush()
    audit.record("review_item_created", patient_id=patient.id, object_type="review_item", object_id=item.id,
                 user=reporter, clinic_id=patient.clinic_id, codes=list(result.codes))
    return item


def _route(case: Case, people, rung: str, now: datetime, *, kind: str) -> list[int]:
    """Add the people as recipients (once each) and queue this round's notification to every recipient."""
    known = {r.user_id for r in case.recipients}
    for person in people:
        if person.id not in known:
            db.session.add(CaseRecipient(case_id=case.id, user_id=person.id, rung=rung, first_notified_at=now))
            known.add(person.id)
    db.session.flush()
    db.session.refresh(case, ["recipients"])
    ids: list[int] = []
    for recipient in case.recipients:
        # A new dedupe key per round: each round re-notifies; a retry of the same round never doubles.
        ids += notify.enqueue(user_id=recipient.user_id, kind=kind, channels=STAFF_CHANNELS, patient_id=case.patient_id,
                              dedupe_key=f"case:{case.id}:round:{case.notify_round}:user:{recipient.user_id}", due_at=now)
    _event(case, "notified", None, now, rung=rung, round=case.notify_round, user_ids=sorted(known))
    return ids


def _notification_ids(case: Case, round_no: int) -> list[int]:
    """The outbox rows of one notification round of a case."""
    return list(db.session.scalars(select(Notification.id).where(
        Notification.dedupe_key.like(f"case:{case.id}:round:{round_no}:user:%")).order_by(Notification.id)))


def _event(case: Case, kind: str, user, now: datetime, note: str = "", **detail) -> CaseEvent:
    """Append one step to the case's history."""
    event = CaseEvent(case_id=case.id, kind=kind, user_id=getattr(user, "id", None), at=now, note=note, detail=detail)
    db.session.add(event)
    return event


def _tell_patient(case: Case, what: str) -> list[int]:
    """Queue a content-free 'new message' notification to the patient about their case."""
    if case.patient.user_id is None:
        return []
    return notify.enqueue(user_id=case.patient.user_id, kind=f"case_{what}", channels=PATIENT_CHANNELS,
                          patient_id=case.patient_id, dedupe_key=f"case:{case.id}:patient:{what}")


def acknowledge(case: Case, user, now: datetime | None = None) -> list[int]:
    """This person has seen the case: stops re-notification and records who; commits. Returns notification ids."""
    ids = _acknowledge(case, user, now or utcnow())
    db.session.commit()
    return ids


def _acknowledge(case: Case, user, now: datetime) -> list[int]:
    """Acknowledge in the current transaction (per person: a second person is recorded too)."""
    if case.status == "resolved":
        raise CaseError("This case is already resolved.")
    recipient = next((r for r in case.recipients if r.user_id == user.id), None)
    if recipient is not None and recipient.acknowledged_at is not None:
        return []  # the same person twice: nothing new
    if recipient is None:  # someone not paged took it from the queue: they are now on the case
        recipient = CaseRecipient(case_id=case.id, user_id=user.id, rung="queue", first_notified_at=now)
        db.session.add(recipient)
    recipient.acknowledged_at = now
    ids: list[int] = []
    if case.status == "open":
        case.status, case.acknowledged_at, case.acknowledged_by_id = "acknowledged", now, user.id
        ids = _tell_patient(case, "seen")
    _event(case, "acknowledged", user, now)
    _mark_case_read(case, user, now)
    audit.record("case_acknowledged", patient_id=case.patient_id, object_type="case", object_id=case.id, user=user,
                 clinic_id=case.clinic_id)
    return ids


def resolve(case: Case, user, resolution: str, note: str = "", now: datetime | None = None) -> list[int]:
    """Close the case with a resolution and note (acknowledging it first if nobody had); commits."""
    now = now or utcnow()
    if resolution not in RESOLUTIONS:
        raise CaseError("Choose how the case was resolved.")
    if case.status == "resolved":
        raise CaseError("This case is already resolved.")
    ids = _acknowledge(case, user, now) if case.status == "open" else []
    case.status, case.resolved_at, case.resolved_by_id = "resolved", now, user.id
    case.resolution, case.resolution_note = resolution, note.strip()
    _event(case, "resolved", user, now, note=case.resolution_note, resolution=resolution)
    ids += _tell_patient(case, "resolved")
    audit.record("case_resolved", patient_id=case.patient_id, object_type="case", object_id=case.id, user=user,
                 clinic_id=case.clinic_id, resolution=resolution)
    db.session.commit()
    return ids


def _mark_case_read(case: Case, user, now: datetime) -> None:
    """The person's in-app notifications about this case are read once they acknowledge it."""
    for row in db.session.scalars(select(Notification).where(
            Notification.user_id == user.id, Notification.channel == "in_app", Notification.read_at.is_(None),
            Notification.dedupe_key.like(f"case:{case.id}:round:%"))):
        row.read_at = now


def escalate_overdue(now: datetime | None = None) -> list[int]:
    """Each open case past its deadline: re-notify everyone routed so far and add the next rung; commits per case."""
    now = now or utcnow()
    case_ids = list(db.session.scalars(select(Case.id).where(Case.status == "open", Case.ack_due_at <= now)
                                       .order_by(Case.ack_due_at)))
    notification_ids: list[int] = []
    for case_id in case_ids:
        case = db.session.get(Case, case_id)
        if case is None or case.status != "open" or case.ack_due_at > now:
            continue  # acknowledged meanwhile
        settings = routing.settings_for(case.clinic_id)
        level, people = _next_rung(case, settings, now)
        moved = level > case.ladder_level
        case.ladder_level, case.notify_round = max(level, case.ladder_level), case.notify_round + 1
        case.ack_due_at = now + routing.deadline(settings, case.tier)
        _event(case, "escalated" if moved else "renotified", None, now, rung=LADDER[case.ladder_level],
               round=case.notify_round)
        notification_ids += _route(case, people, LADDER[level], now, kind="case_escalated")
        audit.record("case_escalated", patient_id=case.patient_id, object_type="case", object_id=case.id,
                     clinic_id=case.clinic_id, rung=LADDER[case.ladder_level], round=case.notify_round)
        db.session.commit()
    return notification_ids


def _next_rung(case: Case, settings, now: datetime) -> tuple[int, list]:
    """The next rung up that adds someone not yet paged (on call: who is on the rota now); else nobody new."""
    paged = {r.user_id for r in case.recipients}
    for level in range(case.ladder_level + 1, len(LADDER)):
        people = routing.rung_people(case.clinic_id, LADDER[level], settings, now)
        if any(p.id not in paged for p in people):
            return level, people
    return case.ladder_level, []


def clear_review_item(item: ReviewItem, user, note: str = "", now: datetime | None = None) -> None:
    """The team has reviewed a routine finding; commits."""
    if item.cleared_at is not None:
        return
    item.cleared_at, item.cleared_by_id, item.note = now or utcnow(), user.id, note.strip()
    audit.record("review_item_cleared", patient_id=item.patient_id, object_type="review_item", object_id=item.id,
                 user=user, clinic_id=item.clinic_id)
    db.session.commit()


def set_threshold(clinic_id: int, name: str, value: float, by) -> None:
    """Tighten one red-flag threshold for the clinic (ValueError if unknown or looser); audited; commits."""
    from companion.escalation.models import ClinicThreshold
    from companion.escalation.thresholds import DEFAULTS, tighten

    tighten(DEFAULTS, {name: value})  # raises ValueError for an unknown name or a looser value
    row = db.session.scalar(select(ClinicThreshold).where(ClinicThreshold.clinic_id == clinic_id,
                                                          ClinicThreshold.name == name))
    before = row.value if row else DEFAULTS[name].value
    if row is None:
        row = ClinicThreshold(clinic_id=clinic_id, name=name, value=float(value))
        db.session.add(row)
    row.value, row.updated_at, row.updated_by_id = float(value), utcnow(), by.id
    audit.record("clinic_threshold_changed", object_type="clinic_threshold", object_id=name, user=by,
                 clinic_id=clinic_id, before=before, after=float(value))
    db.session.commit()


def save_settings(clinic_id: int, by, **values) -> None:
    """Change the clinic's working hours, on-call clinician or acknowledgement deadlines; audited; commits."""
    row = routing.settings_for(clinic_id)
    if row.id is None:
        db.session.add(row)
    before = {k: getattr(row, k) for k in values}
    for key, value in values.items():
        setattr(row, key, value)
    row.updated_at = utcnow()
    audit.record("escalation_settings_changed", object_type="clinic", object_id=clinic_id, user=by,
                 clinic_id=clinic_id, before=before, after=values)
    db.session.commit()
