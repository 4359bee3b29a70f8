"""Care-team pages: queue and roster, new patient with an enrolment code, patient record (exports: exports/views)."""
import segno
from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from companion.accounts import queries, services
from companion.accounts.forms import PatientForm, PhoneForm
from companion.audit import services as audit
from companion.careteam import queries as careteam_queries
from companion.careteam import rules
from companion.clock import utcnow
from companion.web import CLINICIANS, STAFF, code_link, found_or_404, render_page, roles_required

bp = Blueprint("careteam", __name__, url_prefix="/care")


def clinic_patient_or_404(patient_id: int):
    """A patient of the signed-in staff member's clinic; 404 for any other (no existence leak)."""
    return found_or_404(queries.clinic_patient(current_user.clinic_id, patient_id), "patient", patient_id)


@bp.route("")
@roles_required(*STAFF)
def queue():
    """The care team's start page: the triage queue (cases, then routine review items)."""
    from companion.escalation.views import render_queue

    return render_queue()


@bp.route("/patients")
@roles_required(*STAFF)
def roster():
    """Every patient of the clinic, most in need of attention first, 50 a page."""
    return _roster_page("", request.args.get("page", 1, type=int))


@bp.route("/patients/search", methods=["POST"])
@roles_required(*STAFF)
def roster_search():
    """The roster filtered by name or record number; the term travels in the body, never the URL (ASVS 14.2.1)."""
    return _roster_page(request.form.get("q", "").strip()[:100], 1)


def _roster_page(search: str, page: int):
    """A page of the roster, or its partial for htmx; every showing is audited."""
    roster = careteam_queries.roster_page(current_user.clinic, utcnow(), search, page)
    audit.record_now("roster_viewed", object_type="roster", patients=roster.total, shown=len(roster.rows),
                     page=roster.page, searched=bool(search))
    return render_page("careteam/roster.html", "careteam/_roster.html", rows=roster.rows, roster=roster,
                       search=search, link=lambda n: url_for("careteam.roster", page=n),
                       tz=current_user.clinic.timezone or "UTC", now=utcnow())


@bp.route("/patients/new", methods=["GET", "POST"])
@roles_required(*CLINICIANS)
def new_patient():
    """A nurse creates a patient record, then gives them an enrolment code."""
    form = PatientForm()
    if form.validate_on_submit():
        try:
            patient = services.create_patient(current_user, **{k: form[k].data for k in (
                "given_name", "family_name", "record_number", "birth_date", "implanted_on", "therapy_stage")})
        except services.AccountError as error:
            form[error.field].errors.append(str(error))
        else:
            return redirect(url_for("careteam.patient", patient_id=patient.id))
    return render_template("careteam/new_patient.html", form=form), 422 if form.errors else 200


@bp.route("/patients/<int:patient_id>")
@roles_required(*STAFF)
def patient(patient_id: int):
    """The patient record (every opening is audited)."""
    record = clinic_patient_or_404(patient_id)
    days = rules.days_choice(request.args.get("days"))
    audit.record_now("patient_record_viewed", patient_id=record.id, object_type="patient", object_id=record.id,
                     days=days)
    return render_page("careteam/patient.html", "careteam/_record_main.html",
                       **careteam_queries.record_context(record, days, utcnow(), request.args.get("all") == "1"))


@bp.route("/patients/<int:patient_id>/enrolment-code", methods=["POST"])
@roles_required(*CLINICIANS)
def enrolment_code(patient_id: int):
    """A new one-time enrolment code, with a QR code the patient scans."""
    record = clinic_patient_or_404(patient_id)
    if record.user_id:
        abort(409)
    code = services.issue_enrolment_code(current_user, record)
    link = code_link("accounts.enrol", code)
    qr_svg = segno.make(link, error="m").svg_inline(scale=5, dark="#111111")
    context = careteam_queries.record_context(record, rules.days_choice(None), utcnow())
    return render_page("careteam/patient.html", "careteam/_enrolment_code.html", code=code, qr_svg=qr_svg,
                       **context)


@bp.route("/patients/<int:patient_id>/phone", methods=["POST"])
@roles_required(*CLINICIANS)
def phone(patient_id: int):
    """Staff keep the patient's or a linked caregiver's phone number (422 beside the field, value kept)."""
    record = clinic_patient_or_404(patient_id)
    people = {str(u.id): u for u in careteam_queries.contact_people(record)}
    form, person = PhoneForm(), people.get(request.form.get("user_id", ""))
    if person is not None and form.validate_on_submit():
        services.set_phone(person, form.phone.data or "", current_user)
        return redirect(url_for("careteam.patient", patient_id=record.id) + "#phones-title")
    if person is None:
        form.phone.errors = [*form.phone.errors, _("Choose the patient or one of their caregivers.")]
    context = careteam_queries.record_context(record, rules.days_choice(None), utcnow())
    return render_template("careteam/patient.html", phone_errors={getattr(person, "id", None): form}, **context), 422


@bp.app_template_filter("pump_amount")
def pump_amount(value) -> str:
    """A stored amount as people write it (10, 0.5), for the record's header."""
    from companion.pump.queries import plain

    return plain(value)
