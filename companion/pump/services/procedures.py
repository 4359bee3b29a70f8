"""MRI and procedure notices: recorded, and a reported MRI opens a case in the triage queue with the model's checklist."""
from datetime import date, datetime, time, timedelta

from companion.accounts.models import Patient, User
from companion.audit import services as audit
from companion.clock import utcnow
from companion.escalation import services as escalation
from companion.extensions import db
from companion.pump import notices, queries, rules
from companion.pump.models import ProcedureNotice
from companion.pump.services.refills import PumpError

ACTIONS = {"empty": "the pump must be emptied before the scan, or the patient can be overdosed",
           "check": "the pump must be checked around the scan (it may not restart on its own)"}


def report_procedure(actor: User, patient: Patient, *, kind: str, planned_on: date, planned_time: time | None,
                     details: str, reported_by: str, field_tesla: str = "") -> ProcedureNotice:
    """Record an MRI or procedure (a check-in 24 h after); a patient-reported MRI opens an urgent case."""
    zone = queries.clinic_zone(patient.clinic)
    local = datetime.combine(planned_on, planned_time or time(12, 0), tzinfo=zone)
    if local.date() < utcnow().astimezone(zone).date():
        raise PumpError("Choose today or a day ahead.", "planned_on")
    if local.date() > utcnow().astimezone(zone).date() + timedelta(days=731):  # and 9999-12-31 would overflow
        raise PumpError("Choose a date within the next two years.", "planned_on")
    planned_at = local.astimezone(utcnow().tzinfo)
    notice = ProcedureNotice(patient_id=patient.id, clinic_id=patient.clinic_id, kind=kind, planned_at=planned_at,
                             details=details.strip(), reported_by=reported_by, reported_by_user_id=actor.id,
                             field_tesla=field_tesla if kind == "mri" else "",
                             followup_at=planned_at + timedelta(hours=24))
    db.session.add(notice)
    db.session.flush()
    audit.record("pump_procedure_reported", patient_id=patient.id, object_type="pump_procedure",
                 object_id=notice.id, user=actor, kind=kind, reported_by=reported_by)
    assessment = None
    if kind == "mri" and reported_by != "staff":  # staff who enter it already know; a patient's report must reach them
        assessment = _open_mri_case(actor, patient, notice, local)
    else:
        notices.tell_clinic_about_procedure(patient, notice)
    db.session.commit()
    if assessment is not None:
        escalation.after_commit(assessment)
    return notice


def mri_review(patient: Patient, notice: ProcedureNotice) -> rules.MriReview:
    """The notice's MRI held against the patient's pump model (unknown model: the cautious checklist)."""
    pump = queries.profile(patient)
    return rules.review_mri(pump.model if pump else None, notice.field_tesla)


def _open_mri_case(actor: User, patient: Patient, notice: ProcedureNotice, local: datetime):
    """An urgent case naming the model, the action, the checklist and the field-strength verdict."""
    pump = queries.profile(patient)
    review = mri_review(patient, notice)
    model = pump.display_name if pump else "Pump model not recorded"
    when = local.strftime("%d %b %Y %H:%M")
    reasons = [{"code": f"mri_pump_{review.action}", "source": review.source, "checklist": list(review.checklist),
                "staff_text": f"MRI planned {when} (reported by the {notice.reported_by}). {model}: "
                              f"{ACTIONS[review.action]}.",
                "patient_text": "Your clinic will contact you about your MRI scan."}]
    if review.field_ok is False:
        reasons.append({"code": "mri_field_over_limit", "source": review.source, "patient_text": "",
                        "staff_text": f"Scanner {review.field_tesla:g} T is above this model's "
                                      f"{review.max_tesla:g} T limit."})
    elif review.field_ok is None and review.max_tesla is not None:
        reasons.append({"code": "mri_field_unknown", "source": review.source, "patient_text": "",
                        "staff_text": f"Field strength not given: confirm the scanner is {review.max_tesla:g} T "
                                      "or less."})
    return escalation.open_case(patient, tier="urgent", reasons=reasons, source_type="pump_procedure",
                                source_id=notice.id, reported_by_user=actor)


def complete_procedure_task(actor: User, notice: ProcedureNotice) -> None:
    """The clinic has acted on the notice (called the patient, planned emptying or a check)."""
    notice.task_done_at, notice.task_done_by_id = utcnow(), actor.id
    audit.record("pump_procedure_task_done", patient_id=notice.patient_id, object_type="pump_procedure",
                 object_id=notice.id, user=actor)
    db.session.commit()


def confirm_happened(actor: User, notice: ProcedureNotice, confirmed_by: str, now: datetime | None = None) -> None:
    """The scan or procedure took place (the patient's "I had it", or staff): from now on the red-flag rules count
    days since it. Refused before its time; a second confirmation changes nothing."""
    now = now or utcnow()
    if notice.planned_at > now:
        raise PumpError("You can say it happened once its time has passed.", "notice")
    if notice.happened_at is None:
        notice.happened_at, notice.confirmed_by = notice.planned_at, confirmed_by
        audit.record("pump_procedure_confirmed", patient_id=notice.patient_id, object_type="pump_procedure",
                     object_id=notice.id, user=actor, confirmed_by=confirmed_by)
    db.session.commit()
