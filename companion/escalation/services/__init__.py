"""The only writer of cases and review items: assess a report, acknowledge, resolve, contact, clear (rounds: rounds.py)."""
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from companion.audit import services as audit
from companion.clock import utcnow
from companion.escalation import routing
from companion.escalation.models import (ACK_KINDS, CONTACT_OUTCOMES, RESOLUTIONS, Case, CaseEvent, CaseRecipient,
                                        ReviewItem)
from companion.escalation.rules import CASE_TIERS, RANK, Reason, Result, evaluate
from companion.escalation.services.rounds import (_event, _route, escalate_overdue,  # noqa: F401 - re-exported
                                                  notification_ids, sweep)
from companion.extensions import db
from companion.roster import services as roster
from companion.notify import dispatcher
from companion.notify import services as notify
from companion.notify.models import Notification

log = logging.getLogger(__name__)
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
        case, ids = _open_case(patient, result, source_type, source_id, reported_by_user, now, join_repeats=True)
        return Assessment(result.tier, result.reasons, case.id, None, tuple(ids))
    item = _add_review_item(patient, result, source_type, source_id, reported_by_user, now)
    return Assessment(result.tier, result.reasons, None, item.id, ())


def open_case(patient, *, tier: str, reasons: list[dict], source_type: str, source_id: int, reported_by_user,
              now: datetime | None = None) -> Assessment:
    """Open a case decided outside the red-flag rules (e.g. an MRI on a pump to empty); caller's transaction.

    Each reason is a dict with code, staff_text, patient_text and source; extra keys (a checklist) are kept.
    """
    found = tuple(Reason(r["code"], tier, r.get("patient_text", ""), r["staff_text"], r["source"]) for r in reasons)
    case, ids = _open_case(patient, Result(tier, found), source_type, source_id, reported_by_user, now or utcnow())
    if ids:  # a new case: keep the callers' extra keys beside the snapshot
        case.reasons = [dict(snap, **r, tier=tier) for snap, r in zip(_snapshot(found), reasons)]
    return Assessment(tier, found, case.id, None, tuple(ids))


def _waiting_case_with_same_signs(patient_id: int, result: Result) -> Case | None:
    """The patient's open, not yet acknowledged case that already holds every urgent or emergency sign of this
    report at this tier or higher: the same danger reported again (a second check-in, the caregiver too)."""
    signs = {r.code for r in result.reasons if r.tier in CASE_TIERS}
    for case in db.session.scalars(select(Case).where(Case.patient_id == patient_id, Case.status == "open")
                                   .order_by(Case.opened_at, Case.id)):
        if RANK[case.tier] >= RANK[result.tier] and signs <= {r["code"] for r in case.reasons or []}:
            return case
    return None


def _join_report(case: Case, result: Result, source_type: str, source_id: int, reporter, now: datetime) -> None:
    """Record a repeated report on the waiting case instead of opening another.

    Its rounds already re-page until someone acknowledges; a second case would page again for the same signs and
    need a second acknowledgement (20 reports of one empty pump made 20 cases). Any new sign, a higher tier, or a
    report after someone acknowledged still opens a case of its own."""
    _event(case, "reported_again", reporter, now, codes=list(result.codes), source_type=source_type,
           source_id=source_id)
    audit.record("case_report_joined", patient_id=case.patient_id, object_type="case", object_id=case.id,
                 user=reporter, clinic_id=case.clinic_id, tier=result.tier, codes=list(result.codes),
                 source_type=source_type, source_id=source_id)


def after_commit(assessment: Assessment) -> None:
    """Try to deliver the assessment's notifications now; whatever fails stays pending for dispatch_outbox."""
    if not assessment.notification_ids:
        return
    try:
        dispatcher.deliver_after_request(assessment.notification_ids)
    except Exception:  # noqa: BLE001 - the scheduler retries; the patient's answer must not fail
        db.session.rollback()
        log.exception("immediate delivery failed; the outbox job will retry")


def _open_case(patient, result, source_type, source_id, reporter, now,
               join_repeats: bool = False) -> tuple[Case, list[int]]:
    """A new case routed to the first staffed rung (nurses in hours, on-call out of hours), with notifications."""
    existing = db.session.scalar(select(Case).where(Case.source_type == source_type, Case.source_id == source_id))
    if existing is not None:  # the same report assessed twice (a retried request) opens one case
        return existing, notification_ids(existing, 1)
    if join_repeats and (waiting := _waiting_case_with_same_signs(patient.id, result)) is not None:
        _join_report(waiting, result, source_type, source_id, reporter, now)
        return waiting, []
    settings = routing.settings_for(patient.clinic_id)
    hours = routing.in_hours(patient.clinic, settings, now)
    ladder = routing.ladder_for(settings, hours)
    level, people = routing.first_staffed_rung(patient.clinic_id, settings, ladder, now)
    due = routing.deadline(settings, result.tier)
    # The deadline is fixed now, from the clinic's settings; only the next round's time moves.
    case = Case(clinic_id=patient.clinic_id, patient_id=patient.id, tier=result.tier, status="open",
                source_type=source_type, source_id=source_id, reasons=_snapshot(result.reasons),
                reported_by_id=getattr(reporter, "id", None), opened_at=now, in_hours=hours,
                ack_due_at=now + due, next_round_at=now + due, ladder_level=level, notify_round=1)
    db.session.add(case)
    db.session.flush()
    roster.refresh(patient.id)
    _event(case, "opened", reporter, now, tier=result.tier, codes=list(result.codes), in_hours=hours)
    ids = _route(case, people, ladder[level], now, kind="case_opened")
    audit.record("case_opened", patient_id=patient.id, object_type="case", object_id=case.id, user=reporter,
                 clinic_id=patient.clinic_id, tier=result.tier, codes=list(result.codes), routed_to=ladder[level])
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


def _tell_patient(case: Case, what: str, user=None, message: str = "", key: str = "") -> list[int]:
    """Tell the patient about their case: in the app who and what (and any message to them); push stays neutral."""
    if case.patient.user_id is None:
        return []
    detail = {"by": getattr(user, "display_name", "") or "", "message": (message or "").strip()}
    return notify.enqueue(user_id=case.patient.user_id, kind=f"case_{what}", channels=PATIENT_CHANNELS,
                          patient_id=case.patient_id, dedupe_key=f"case:{case.id}:patient:{key or what}", detail=detail)


def _message_patient(case: Case, message: str, user, event: CaseEvent, told: bool) -> list[int]:
    """Keep an optional message to the patient on the case (their page shows it); unless the 'seen' or 'resolved'
    message just carried it, tell them it is there. Never the internal note."""
    if not message:
        return []
    case.patient_message = message
    db.session.flush()
    return [] if told else _tell_patient(case, "message", user, message, key=f"message:{event.id}")


def acknowledge(case: Case, user, kind: str = "on_it", note: str = "", message: str = "",
                now: datetime | None = None) -> list[int]:
    """This person has the case ("on_it") or has seen the page ("seen"), with an internal note and an optional
    message to the patient; the first acknowledgement stops re-paging; commits. Returns notification ids."""
    ids = _acknowledge(case, user, now or utcnow(), kind, note.strip(), message.strip())
    db.session.commit()
    return ids


def _acknowledge(case: Case, user, now: datetime, kind: str = "on_it", note: str = "", message: str = "") -> list[int]:
    """Acknowledge in the current transaction (per person: everyone paged can acknowledge once, with a time)."""
    if kind not in ACK_KINDS:
        raise CaseError("Choose 'I'm on it' or 'Seen'.")
    if case.status == "resolved":
        raise CaseError("This case is already resolved.")
    recipient = next((r for r in case.recipients if r.user_id == user.id), None)
    if recipient is not None and recipient.acknowledged_at is not None:
        return []  # the same person twice: nothing new
    if recipient is None:  # someone not paged took it from the queue: they are now on the case
        recipient = CaseRecipient(case_id=case.id, user_id=user.id, rung="queue", first_notified_at=now)
        db.session.add(recipient)
    recipient.acknowledged_at, recipient.ack_kind = now, kind
    ids: list[int] = []
    if case.status == "open":  # the first acknowledgement, of either kind, stops the rounds
        case.status, case.acknowledged_at, case.acknowledged_by_id = "acknowledged", now, user.id
        case.next_round_at = None
        ids = _tell_patient(case, "seen", user, message)
    event = _event(case, "acknowledged", user, now, note=note, patient_message=message, ack_kind=kind)
    ids += _message_patient(case, message, user, event, told=bool(ids))
    _mark_case_read(case, user, now)
    audit.record("case_acknowledged", patient_id=case.patient_id, object_type="case", object_id=case.id, user=user,
                 clinic_id=case.clinic_id, ack_kind=kind, messaged_patient=bool(message))
    return ids


def resolve(case: Case, user, resolution: str, note: str = "", now: datetime | None = None,
            message: str = "") -> list[int]:
    """Close the case with a resolution, an internal note and an optional message to the patient (acknowledging
    it first if nobody had); commits."""
    now = now or utcnow()
    if resolution not in RESOLUTIONS:
        raise CaseError("Choose how the case was resolved.")
    if case.status == "resolved":
        raise CaseError("This case is already resolved.")
    ids = _acknowledge(case, user, now) if case.status == "open" else []
    case.status, case.resolved_at, case.resolved_by_id = "resolved", now, user.id
    case.resolution, case.resolution_note, case.next_round_at = resolution, note.strip(), None
    roster.refresh(case.patient_id)
    event = _event(case, "resolved", user, now, note=case.resolution_note, patient_message=message.strip(),
                   resolution=resolution)
    told = _tell_patient(case, "resolved", user, message.strip())  # the patient message, never the internal note
    ids += told + _message_patient(case, message.strip(), user, event, told=bool(told))
    audit.record("case_resolved", patient_id=case.patient_id, object_type="case", object_id=case.id, user=user,
                 clinic_id=case.clinic_id, resolution=resolution, messaged_patient=bool(message.strip()))
    db.session.commit()
    return ids


def record_contact(case: Case, user, outcome: str, now: datetime | None = None) -> CaseEvent:
    """One attempt to reach the patient (reached, no answer, voicemail, spoke to caregiver): on the case's
    timeline and in the audit log; commits."""
    if outcome not in CONTACT_OUTCOMES:
        raise CaseError("Choose how the call went.")
    event = _event(case, "contact", user, now or utcnow(), outcome=outcome)
    audit.record("case_contact_attempt", patient_id=case.patient_id, object_type="case", object_id=case.id,
                 user=user, clinic_id=case.clinic_id, contact_outcome=outcome)
    db.session.commit()
    return event


def _mark_case_read(case: Case, user, now: datetime) -> None:
    """The person's in-app notifications about this case are read once they acknowledge it."""
    for row in db.session.scalars(select(Notification).where(
            Notification.user_id == user.id, Notification.channel == "in_app", Notification.read_at.is_(None),
            Notification.dedupe_key.like(f"case:{case.id}:round:%"))):
        row.read_at = now


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
