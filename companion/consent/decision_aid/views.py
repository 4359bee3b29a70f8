"""Decision aid pages: compare options, the values exercise, the visit summary (screen and PDF), and sources."""
from flask import Blueprint, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from companion.accounts import queries as accounts
from companion.accounts.context import current_patient
from companion.audit import services as audit
from companion.consent.decision_aid import pdf, queries, rules, services
from companion.consent.decision_aid.forms import SCALE_LABELS, ValuesForm
from companion.web import CLINICIANS, PATIENT_SIDE, found_or_404, render_page, roles_required, wants_partial

bp = Blueprint("decision_aid", __name__)


@bp.app_template_filter("icon_array")
def icon_array(outcome) -> Markup:
    """An outcome's chance drawn as 100 people, with a short text alternative."""
    if outcome.figure == "range":
        label = _("%(low)s to %(high)s out of 100 people", low=outcome.count, high=outcome.high)
        return Markup(rules.icon_array(outcome.count, label, maybe=outcome.high - outcome.count))
    return Markup(rules.icon_array(outcome.count, _("%(n)s out of 100 people", n=outcome.count)))


def _leaning_choices(aid) -> list[tuple[str, str]]:
    """Each option, then 'not sure yet'."""
    return [(o.key, o.name) for o in aid.options] + [(rules.UNSURE, _("I am not sure yet"))]


@bp.route("/learn/options")
@roles_required(*PATIENT_SIDE)
def options():
    """Every option side by side: what it involves, benefits and harms out of 100, certainty, living with it."""
    return render_template("consent/decision_aid/options.html", aid=queries.current_aid(), patient=current_patient())


@bp.route("/learn/options/values", methods=["GET", "POST"])
@roles_required("patient")
def values():
    """GET: the values exercise as last saved. POST: keep a new save, or show what to fix (422)."""
    patient, aid = current_patient(), queries.current_aid()
    saved = queries.latest_answer(patient.id)
    form = ValuesForm(data={"leaning": saved.leaning or None, "questions": saved.questions} if saved else None)
    form.leaning.choices = _leaning_choices(aid)
    keys = [v.key for v in aid.values]
    ratings, bad = rules.clean_ratings({k: request.form.get(f"value-{k}", "") for k in keys}, keys)
    just_saved = request.args.get("saved") == "1"
    if request.method == "POST" and form.validate_on_submit() and not bad:
        services.save_answers(patient, current_user, aid.version,
                              rules.Answers(ratings, form.leaning.data or "", form.questions.data or ""))
        if not wants_partial():
            return redirect(url_for("decision_aid.values", saved=1), 303)
        just_saved = True
    shown = ratings if request.method == "POST" else dict(saved.ratings) if saved else {}
    status = 422 if request.method == "POST" and not just_saved else 200
    return render_page("consent/decision_aid/values.html", "consent/decision_aid/_values.html", status=status,
                       aid=aid, form=form, ratings=shown, bad=bad, scale=SCALE_LABELS, saved=just_saved)


@bp.route("/learn/options/summary")
@roles_required("patient")
def summary():
    """The one-page summary to bring to the visit."""
    patient = current_patient()
    return render_template("consent/decision_aid/summary.html", summary=queries.summary(patient.id),
                           patient=patient, scale=dict(SCALE_LABELS))


@bp.route("/learn/options/summary.pdf")
@roles_required("patient")
def summary_pdf():
    """The summary as a one-page PDF for the patient."""
    patient = current_patient()
    return _pdf(patient, "decision_summary_downloaded")


@bp.route("/learn/options/about")
@roles_required(*PATIENT_SIDE)
def about():
    """Dates, sources, authors, conflicts of interest, update policy and how the page was tested."""
    return render_template("consent/decision_aid/about.html", aid=queries.current_aid())


@bp.route("/care/patients/<int:patient_id>/consent/decision-summary.pdf")
@roles_required(*CLINICIANS)
def staff_summary_pdf(patient_id: int):
    """A clinician downloads the same one-page summary the patient sees (audited)."""
    patient = found_or_404(accounts.clinic_patient(current_user.clinic_id, patient_id), "patient", patient_id)
    return _pdf(patient, "decision_summary_downloaded")


def _pdf(patient, action: str):
    """The summary PDF as a download; every download is audited."""
    audit.record_now(action, patient_id=patient.id, object_type="patient", object_id=patient.id)
    response = make_response(pdf.render(patient, queries.summary(patient.id), dict(SCALE_LABELS)))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = 'attachment; filename="decision-summary.pdf"'
    return response
