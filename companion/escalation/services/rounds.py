"""The ladder's rounds: page the people of a rung, and re-page everyone so far plus the next rung while nobody answers."""
from datetime import datetime

from sqlalchemy import or_, select

from companion.audit import services as audit
from companion.clock import utcnow
from companion.escalation import routing
from companion.escalation.models import Case, CaseEvent, CaseRecipient
from companion.extensions import db
from companion.notify import dispatcher
from companion.notify import services as notify
from companion.notify.models import Notification
from companion.scheduler import Job, register

STAFF_CHANNELS = ("in_app", "email", "push")


def case_path(case_id: int) -> str:
    """The staff case page's path (the link in emails and pushes; built without a request)."""
    return f"/care/cases/{case_id}"


def _event(case: Case, kind: str, user, now: datetime, note: str = "", patient_message: str = "",
           **detail) -> CaseEvent:
    """Append one step to the case's history."""
    event = CaseEvent(case_id=case.id, kind=kind, user_id=getattr(user, "id", None), at=now, note=note,
                      patient_message=patient_message, detail=detail)
    db.session.add(event)
    return event


def _route(case: Case, people, rung: str, now: datetime, *, kind: str) -> list[int]:
    """Add the people as recipients (once each) and queue this round's notification to every recipient."""
    known = {r.user_id for r in case.recipients}
    for person in people:
        if person.id not in known:
            db.session.add(CaseRecipient(case_id=case.id, user_id=person.id, rung=rung, first_notified_at=now))
            known.add(person.id)
    db.session.flush()
    db.session.refresh(case, ["recipients"])
    # Only the tier, the round and the link leave the app: never a name or a health detail.
    detail = {"tier": case.tier, "round": case.notify_round, "path": case_path(case.id)}
    ids: list[int] = []
    for recipient in case.recipients:
        # A new dedupe key per round: each round re-notifies; a retry of the same round never doubles.
        ids += notify.enqueue(user_id=recipient.user_id, kind=kind, channels=STAFF_CHANNELS, patient_id=case.patient_id,
                              dedupe_key=f"case:{case.id}:round:{case.notify_round}:user:{recipient.user_id}",
                              due_at=now, detail=detail)
    _event(case, "notified", None, now, rung=rung, round=case.notify_round, user_ids=sorted(known))
    return ids


def notification_ids(case: Case, round_no: int) -> list[int]:
    """The outbox rows of one notification round of a case."""
    return list(db.session.scalars(select(Notification.id).where(
        Notification.dedupe_key.like(f"case:{case.id}:round:{round_no}:user:%")).order_by(Notification.id)))


def _round_due(now: datetime):
    """Open cases whose next round is due (cases from before fixed deadlines use the deadline)."""
    return select(Case.id).where(Case.status == "open", or_(
        Case.next_round_at <= now, Case.next_round_at.is_(None) & (Case.ack_due_at <= now)))


def escalate_overdue(now: datetime | None = None) -> list[int]:
    """Each open case whose round is due: re-page everyone paged so far and add the next rung; commits per case.

    The deadline never moves; the next round is one deadline-length later.
    """
    now = now or utcnow()
    case_ids = list(db.session.scalars(_round_due(now).order_by(Case.ack_due_at)))
    ids: list[int] = []
    for case_id in case_ids:
        case = db.session.get(Case, case_id)
        if case is None or case.status != "open" or (case.next_round_at or case.ack_due_at) > now:
            continue  # acknowledged meanwhile
        settings = routing.settings_for(case.clinic_id)
        ladder = routing.ladder_for(settings, case.in_hours)
        level, people = _next_rung(case, ladder, settings, now)
        moved = level > case.ladder_level
        case.ladder_level, case.notify_round = max(level, case.ladder_level), case.notify_round + 1
        case.next_round_at = now + routing.deadline(settings, case.tier)
        rung = ladder[min(case.ladder_level, len(ladder) - 1)]
        _event(case, "escalated" if moved else "renotified", None, now, rung=rung, round=case.notify_round)
        ids += _route(case, people, rung, now, kind="case_escalated")
        audit.record("case_escalated", patient_id=case.patient_id, object_type="case", object_id=case.id,
                     clinic_id=case.clinic_id, rung=rung, round=case.notify_round)
        db.session.commit()
    return ids


def _next_rung(case: Case, ladder: tuple[str, ...], settings, now: datetime) -> tuple[int, list]:
    """The next rung up that adds someone not yet paged (on call: who is on the rota now); else nobody new."""
    paged = {r.user_id for r in case.recipients}
    for level in range(case.ladder_level + 1, len(ladder)):
        people = routing.rung_people(case.clinic_id, ladder[level], settings, now)
        if any(p.id not in paged for p in people):
            return level, people
    return case.ladder_level, []


def sweep(now: datetime | None = None) -> int:
    """Run the due rounds and send their notifications at once; the escalation_sweep job."""
    return dispatcher.deliver(escalate_overdue(now), now)


def escalation_sweep_job() -> None:
    """Scheduler entry: sweep overdue cases (one runner at a time on PostgreSQL)."""
    dispatcher.run_locked("escalation_sweep", sweep)


register(Job("escalation_sweep", 60, escalation_sweep_job))
