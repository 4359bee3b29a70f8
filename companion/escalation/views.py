"""HTTP for cases: the staff triage queue and case pages, and the patient's own case status."""
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user

from companion.accounts.context import current_patient
from companion.audit import services as audit
from companion.clock import in_zone, utcnow
from companion.escalation import queries, routing, services
from companion.escalation.forms import (ACK_LABELS, CONTACT_LABELS, RESOLUTION_LABELS, RUNG_LABELS, AcknowledgeForm,
                                       ClearForm, ResolveForm)
from companion.escalation.warning_signs import naloxone_applies, signs
from companion.notify import dispatcher
from companion.notify import services as notify
from companion.web import (CLINICIANS, PATIENT_SIDE, PER_PAGE, STAFF, found_or_404, render_page, roles_required,
                           wants_partial)

bp = Blueprint("escalation", __name__)


@bp.app_context_processor
def outcome_helpers() -> dict:
    """Helpers the outcome partial needs wherever the diary renders it."""
    return {"clinic_in_hours": clinic_in_hours, "resolution_labels": RESOLUTION_LABELS,
            "staff_overdue_count": staff_overdue_count, "rung_labels": RUNG_LABELS, "ack_labels": ACK_LABELS,
            "contact_labels": CONTACT_LABELS, "naloxone_applies": naloxone_applies}


def staff_overdue_count() -> int:
    """Cases of the signed-in staff member's clinic past their deadline unacknowledged (0 for anyone else)."""
    if not (current_user.is_authenticated and current_user.is_staff):
        return 0
    return queries.overdue_count(current_user.clinic_id, utcnow())


@bp.app_template_global("warning_signs")
def warning_signs(tier: str) -> tuple:
    """The warning-sign table's signs of one tier, for the emergency card (a global, so macros see it)."""
    return signs(tier, card=True)


@bp.app_template_filter("clinic_time")
def clinic_time(at, timezone: str = "UTC", fmt: str = "%H:%M") -> str:
    """An instant shown in the clinic's time zone (HH:MM by default)."""
    return in_zone(at, ZoneInfo(timezone or "UTC")).strftime(fmt) if at else ""


@bp.app_template_filter("groupby_first")
def groupby_first(items, attribute: str) -> list[tuple]:
    """(key, items) groups in the order of each group's first item: the queue's order is kept, one patient's
    several cases sit together at the place of their most pressing one."""
    groups: dict = {}
    for item in items:
        groups.setdefault(getattr(item, attribute), []).append(item)
    return list(groups.items())


@bp.app_template_filter("minutes_text")
def minutes_text(minutes: int) -> str:
    """A duration in minutes as '45 min' or '2 h 5 min'."""
    minutes = max(int(minutes), 0)
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60} min"


def clinic_in_hours(clinic) -> bool:
    """Whether the clinic is in working hours now (the urgent screen shows the day or the out-of-hours number)."""
    return routing.in_hours(clinic, routing.settings_for(clinic.id), utcnow()) if clinic else True


def _clinic_case_or_404(case_id: int):
    """A case of the signed-in staff member's clinic; 404 (audited) for any other."""
    return found_or_404(queries.clinic_case(current_user.clinic_id, case_id), "case", case_id)


def queue_context() -> dict:
    """The triage queue and review list for the signed-in staff member, with the filters in the URL."""
    scope = request.args.get("scope") if request.args.get("scope") in ("mine", "team") else "all"
    tier = request.args.get("tier") if request.args.get("tier") in ("emergency", "urgent") else ""
    patient = request.args.get("patient", type=int)  # another clinic's id simply matches nothing
    patient = patient if patient and 0 < patient < 2**31 else None  # huge numbers overflow the database
    filters = {"tier": tier or None, "patient_id": patient, "mine_user_id": current_user.id if scope == "mine" else None,
               "team_role": current_user.role if scope == "team" else None}
    clinic_id, total = current_user.clinic_id, queries.queue_count(current_user.clinic_id, **filters)
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(1, request.args.get("page", 1, type=int)), pages)
    view = "compact" if request.args.get("view") == "compact" else ""
    keep = {"scope": scope, "tier": tier, "patient": patient or "", "view": view}
    now = utcnow()
    cases = queries.triage_queue(clinic_id, limit=PER_PAGE, offset=(page - 1) * PER_PAGE, now=now, **filters)
    return {"cases": cases, "repeats": queries.repeat_reports([c.id for c in cases]), "total": total,
            "page_no": page, "pages": pages, "open_ids": queries.open_case_ids(clinic_id, **filters),
            "link": lambda n: url_for("careteam.queue", page=n, **{k: v for k, v in keep.items() if v}),
            "reviews": queries.review_list(clinic_id, patient, limit=PER_PAGE),
            "review_total": queries.review_count(clinic_id, patient), **keep, "now": now,
            "tz": current_user.clinic.timezone, "clear_form": ClearForm(), "filters": keep,
            "queue_patients": [] if request.args.get("poll") else queries.queue_patients(clinic_id),
            "oob": wants_partial()}


def render_queue():
    """The queue page, or its partial for htmx (polls are not audited: the page load was)."""
    ctx = queue_context()
    if not request.args.get("poll"):
        audit.record_now("triage_queue_viewed", object_type="queue", cases=ctx["total"], reviews=ctx["review_total"])
    return render_page("careteam/queue.html", "escalation/_queue.html", **ctx)


@bp.route("/care/queue")
@roles_required(*STAFF)
def queue():
    """The triage queue partial that the /care page polls every 5 seconds (with ?poll=1)."""
    return render_queue()


@bp.route("/care/cases/<int:case_id>/acknowledge", methods=["POST"])
@roles_required(*STAFF)
def acknowledge(case_id: int):
    """I'm on it / Seen, with an internal note and an optional message to the patient: stops re-paging."""
    case = _clinic_case_or_404(case_id)
    form = AcknowledgeForm()
    kind = request.values.get("kind") if request.values.get("kind") in ACK_LABELS else "on_it"
    if not form.validate_on_submit():
        return _case_page(case, ack_form=form, status=422)
    try:
        ids = services.acknowledge(case, current_user, kind, form.note.data or "", form.message.data or "")
    except services.CaseError:
        ids = []  # resolved meanwhile: the refreshed queue shows it
    dispatcher.deliver_after_request(ids)  # never waits on the network
    if wants_partial() and request.args.get("from") != "case":
        return render_queue()
    return redirect(url_for("escalation.staff_case", case_id=case.id))


def _case_page(case, status: int = 200, **forms):
    """The staff case page (or its partial) with its forms."""
    forms = {"form": ResolveForm(formdata=None), "ack_form": AcknowledgeForm(formdata=None), **forms}
    return render_page("escalation/staff_case.html", "escalation/_staff_case.html", status=status, case=case,
                       now=utcnow(), tz=current_user.clinic.timezone, phones=queries.case_phones(case), **forms)


@bp.route("/care/cases/<int:case_id>/contact", methods=["POST"])
@roles_required(*CLINICIANS)
def contact(case_id: int):
    """One tap records a contact attempt (reached, no answer, voicemail, caregiver) on the timeline, audited."""
    case = _clinic_case_or_404(case_id)
    try:
        services.record_contact(case, current_user, request.form.get("outcome", ""))
    except services.CaseError as error:  # a tampered button: say so beside the buttons, keep the page
        return _case_page(case, 422, contact_error=str(error))
    return _case_page(case) if wants_partial() else redirect(url_for("escalation.staff_case", case_id=case.id))


@bp.route("/care/cases/<int:case_id>")
@roles_required(*STAFF)
def staff_case(case_id: int):
    """One case with its reasons, steps and the resolve form (every opening is audited)."""
    case = _clinic_case_or_404(case_id)
    audit.record_now("case_viewed", patient_id=case.patient_id, object_type="case", object_id=case.id)
    return _case_page(case)


@bp.route("/care/cases/<int:case_id>/resolve", methods=["POST"])
@roles_required(*CLINICIANS)
def resolve(case_id: int):
    """Close the case with a resolution, an internal note and an optional message (422 with values kept)."""
    case = _clinic_case_or_404(case_id)
    form = ResolveForm()
    if form.validate_on_submit():
        try:
            dispatcher.deliver_after_request(services.resolve(case, current_user, form.resolution.data, form.note.data,
                                                              message=form.message.data or ""))
        except services.CaseError as error:
            form.resolution.errors = [*form.resolution.errors, str(error)]
        else:
            if not wants_partial():
                return redirect(url_for("escalation.staff_case", case_id=case.id))
            form = ResolveForm(formdata=None)
    return _case_page(case, status=422 if form.errors else 200, form=form)


@bp.route("/care/review/<int:item_id>/clear", methods=["POST"])
@roles_required(*CLINICIANS)
def clear_review(item_id: int):
    """A routine item has been reviewed."""
    item = queries.clinic_review_item(current_user.clinic_id, item_id)
    if item is None:
        audit.record_now("access_refused", object_type="review_item", object_id=item_id, outcome="refused")
        abort(404)
    services.clear_review_item(item, current_user, ClearForm().note.data or "")
    return render_queue() if wants_partial() else redirect(url_for("careteam.queue"))


def _own_case_or_404(case_id: int):
    """One of the current patient's own cases (a caregiver's linked patient), else 404."""
    case = queries.patient_case(current_patient().id, case_id)
    if case is None:
        abort(404)
    return case


@bp.route("/cases/<int:case_id>")
@roles_required(*PATIENT_SIDE)
def patient_case(case_id: int):
    """The patient's view of their case: sent, seen by whom and when, resolved with the note."""
    case = _own_case_or_404(case_id)
    return render_page("escalation/case.html", "escalation/_status.html", case=case, tz=case.clinic.timezone)


@bp.route("/cases/<int:case_id>/read", methods=["POST"])
@roles_required(*PATIENT_SIDE)
def patient_case_read(case_id: int):
    """The case page, once open, marks its notifications read (a POST: GET changes nothing)."""
    case = _own_case_or_404(case_id)
    notify.mark_read_for(current_user, f"case:{case.id}:patient:")
    return "", 204


@bp.route("/cases/<int:case_id>/status")
@roles_required(*PATIENT_SIDE)
def patient_case_status(case_id: int):
    """The status partial the case page polls (stops polling once resolved)."""
    case = _own_case_or_404(case_id)
    return render_template("escalation/_status.html", case=case, tz=case.clinic.timezone)
