"""Consent pages: the patient's course (/learn), their documents, and the clinic's consent session."""
from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from companion.accounts import queries as accounts
from companion.accounts.context import current_patient
from companion.audit import services as audit
from companion.consent import pdf, queries, rules, services
from companion.consent.content_languages import fallback_note
from companion.consent.decision_aid import queries as decision_aid
from companion.consent.decision_aid.forms import SCALE_LABELS
from companion.consent.forms import AnswerForm, QuestionForm, SignForm
from companion.i18n import LANGUAGES, language_of, supported
from companion.web import CLINICIANS, PATIENT_SIDE, found_or_404, render_page, roles_required, wants_partial

bp = Blueprint("consent", __name__)


@bp.app_template_filter("consent_date")
def consent_date(at, tz_name: str) -> str:
    """An instant as a date in the clinic's time zone (YYYY-MM-DD)."""
    return rules.local_date(at, tz_name).isoformat()


@bp.app_template_filter("consent_decision")
def consent_decision(code: str) -> str:
    """The decision in words."""
    return _(rules.DECISIONS.get(code, code))


def _module_or_404(content, module_id: str):
    """A module of the content version, or 404."""
    try:
        return content.module(module_id)
    except KeyError:
        abort(404)


def _question_or_404(module, question_id: str):
    """A teach-back question of the module, or 404."""
    question = next((q for q in module.questions if q.id == question_id), None)
    if question is None:
        abort(404)
    return question


def _reader_content():
    """The newest course in the language of the person reading (the patient, or a caregiver in theirs)."""
    return queries.current_content(language_of(current_user))


def _clinic_patient(patient_id: int):
    """A patient of the signed-in clinician's clinic; 404 (audited) for any other."""
    return found_or_404(accounts.clinic_patient(current_user.clinic_id, patient_id), "patient", patient_id)


def _pdf_response(record, action: str):
    """The record as a PDF download; every download is audited."""
    audit.record_now(action, patient_id=record.patient_id, object_type="consent_record", object_id=record.id)
    response = make_response(pdf.render(record))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="consent-record-{record.id}.pdf"'
    return response


# ---- Patient side: the course, its sources, and the patient's documents ----

@bp.route("/learn")
@roles_required(*PATIENT_SIDE)
def learn():
    """The list of modules with progress, reading time and where to pick up."""
    patient = current_patient()
    prog = queries.progress(patient, _reader_content())
    return render_page("consent/learn.html", "consent/_module_list.html", patient=patient, progress=prog)


@bp.route("/learn/about")
@roles_required(*PATIENT_SIDE)
def about():
    """The date of the information, what changed, and its sources."""
    return render_template("consent/about.html", content=_reader_content())


@bp.route("/learn/<module_id>")
@roles_required(*PATIENT_SIDE)
def module(module_id: str):
    """One module: text, diagram and teach-back questions."""
    patient = current_patient()
    prog = queries.progress(patient, _reader_content())
    mod = _module_or_404(prog.content, module_id)
    following = [m for m in prog.content.modules if m.order > mod.order]
    return render_template("consent/module.html", patient=patient, progress=prog, module=mod,
                           fallback_note=fallback_note(mod, prog.content.language),
                           next_module=following[0] if following else None,
                           alt=queries.diagram_alt(mod.diagram) if mod.diagram else "",
                           can_answer=current_user.role == "patient")


@bp.route("/learn/<module_id>/questions/<question_id>", methods=["GET", "POST"])
@roles_required(*PATIENT_SIDE)
def question(module_id: str, question_id: str):
    """GET: the question to answer (again). POST (the patient only): keep the answer, show its explanation."""
    patient = current_patient()
    content = _reader_content()
    mod = _module_or_404(content, module_id)
    q = _question_or_404(mod, question_id)
    form = AnswerForm()
    form.choice.choices = [(c.id, c.text) for c in q.choices]
    if request.method == "POST":
        if current_user.role != "patient":
            abort(403)
        if form.validate_on_submit():
            services.answer_question(patient, current_user, content, mod.id, q.id, form.choice.data)
            if not wants_partial():
                return redirect(url_for("consent.module", module_id=mod.id, _anchor=f"q-{q.id}"), 303)
    result = queries.progress(patient, content).result(mod.id, q.id) if request.method == "POST" else None
    status = 422 if form.errors else 200
    return render_page("consent/question_page.html", "consent/_question.html", status=status, module=mod,
                       question=q, result=None if form.errors else result, form=form,
                       can_answer=current_user.role == "patient")


@bp.route("/learn/<module_id>/read", methods=["POST"])
@roles_required("patient")
def mark_read(module_id: str):
    """The patient finished a module: keep that, and go on to the next one."""
    content = queries.current_content()
    mod = _module_or_404(content, module_id)
    services.mark_read(current_patient(), content, mod.id)
    following = [m for m in content.modules if m.order > mod.order]
    target = url_for("consent.module", module_id=following[0].id) if following else url_for("consent.learn")
    return redirect(target, 303)


@bp.route("/documents")
@roles_required("patient")
def documents():
    """My documents: the patient's signed consent records."""
    patient = current_patient()
    records = queries.records_for(patient.id)
    return render_template("consent/documents.html", records=records, replaced=queries.superseded_ids(patient.id),
                           tz=patient.clinic.timezone)


@bp.route("/documents/consent/<int:record_id>.pdf")
@roles_required("patient")
def patient_pdf(record_id: int):
    """The patient downloads their own signed consent record."""
    record = queries.record_for(current_patient().id, record_id)
    if record is None:
        abort(404)
    return _pdf_response(record, "consent_pdf_downloaded")


# ---- Care team: the consent session on a tablet ----

def _session_page(patient, question_form=None, sign_form=None, status: int = 200, partial: str = ""):
    """The consent session page (or one of its parts for htmx)."""
    content = queries.current_content()
    session = queries.open_session(patient.id)
    sign_form = sign_form if sign_form is not None else _sign_form(content, request.args.get("corrects", type=int))
    prog = queries.progress(patient, content)
    ctx = dict(patient=patient, content=content, progress=prog, readiness=queries.readiness(patient, prog),
               read_in=queries.patient_content(patient),
               records=queries.records_for(patient.id), replaced=queries.superseded_ids(patient.id),
               state=queries.consent_state(patient), reconsent=queries.needs_reconsent(patient),
               session_questions=session.questions if session else [],
               question_form=question_form if question_form is not None else QuestionForm(formdata=None),
               sign_form=sign_form, tz=patient.clinic.timezone, rules=rules,
               decision_summary=decision_aid.summary(patient.id), decision_scale=dict(SCALE_LABELS))
    return render_page("consent/session.html", partial or "consent/session.html", status=status, **ctx)


def _sign_form(content, corrects: int | None = None) -> SignForm:
    """The signing form with this version's risk topics as choices."""
    form = SignForm(formdata=request.form if request.method == "POST" else None)
    form.topics.choices = [(t, _(rules.risk_topic_label(t))) for t in content.risk_topics]
    if request.method != "POST":
        form.content_version.data = content.version
        form.supersedes_id.data = corrects
    return form


@bp.route("/care/patients/<int:patient_id>/consent")
@roles_required(*CLINICIANS)
def session(patient_id: int):
    """The consent session: reading, teach-back gaps, questions, risks discussed, decision and signatures."""
    patient = _clinic_patient(patient_id)
    audit.record_now("consent_viewed", patient_id=patient.id, object_type="patient", object_id=patient.id)
    return _session_page(patient)


@bp.route("/care/patients/<int:patient_id>/consent/modules/<module_id>")
@roles_required(*CLINICIANS)
def care_module(patient_id: int, module_id: str):
    """Walk through one module with the patient (in English or the patient's language: ?lang=es), answers beside."""
    patient = _clinic_patient(patient_id)
    shown = supported(request.args.get("lang"))
    prog = queries.progress(patient, queries.current_content(shown))
    mod = _module_or_404(prog.content, module_id)
    audit.record_now("consent_module_viewed", patient_id=patient.id, object_type="consent_module", object_id=mod.id)
    return render_template("consent/care_module.html", patient=patient, progress=prog, module=mod, shown=shown,
                           languages=LANGUAGES, patient_language=language_of(patient.user),
                           alt=queries.diagram_alt(mod.diagram) if mod.diagram else "")


@bp.route("/care/patients/<int:patient_id>/consent/questions", methods=["POST"])
@roles_required(*CLINICIANS)
def add_question(patient_id: int):
    """Record a question the patient asked and the answer given (htmx adds the row)."""
    patient = _clinic_patient(patient_id)
    form = QuestionForm()
    if form.validate_on_submit():
        services.record_question(current_user, patient, form.question.data, form.answer.data)
        if not wants_partial():
            return redirect(url_for("consent.session", patient_id=patient.id, _anchor="questions"), 303)
        form = QuestionForm(formdata=None)
    return _session_page(patient, question_form=form, status=422 if form.errors else 200,
                         partial="consent/_questions.html")


@bp.route("/care/patients/<int:patient_id>/consent/sign", methods=["POST"])
@roles_required(*CLINICIANS)
def sign(patient_id: int):
    """Both have signed: save the immutable record, or return the form with what is missing (422)."""
    patient = _clinic_patient(patient_id)
    form = _sign_form(queries.current_content())
    if form.validate_on_submit():
        try:
            record = services.sign_consent(current_user, patient, _consent_input(form))
        except services.ConsentError as error:
            form[error.field].errors = list(form[error.field].errors) + [str(error)]
        else:
            flash(_("The consent record is saved. Both of you can download it."), "success")
            # No #fragment: htmx would treat a same-page hash as an in-page jump and not reload.
            return _redirect(url_for("consent.session", patient_id=patient.id, signed=record.id))
    return _session_page(patient, sign_form=form, status=422, partial="consent/_sign_form.html")


def _redirect(target: str):
    """A full-page redirect that works for htmx (HX-Redirect) and plain posts (303)."""
    if wants_partial():
        response = make_response("", 200)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target, 303)


def _consent_input(form: SignForm) -> services.ConsentInput:
    """The service's input from the submitted form."""
    return services.ConsentInput(
        decision=form.decision.data, topics_discussed=list(form.topics.data or []),
        interpreter_used=form.interpreter_used.data, interpreter_language=form.interpreter_language.data or "",
        representative_present=form.representative_present.data,
        representative_name=form.representative_name.data or "",
        patient_signature=services.Signature(form.patient_sign_method.data, form.patient_signature.data or "",
                                             form.patient_typed_name.data or ""),
        clinician_signature=services.Signature(form.clinician_sign_method.data, form.clinician_signature.data or "",
                                               form.clinician_typed_name.data or ""),
        content_version=form.content_version.data or "", supersedes_id=form.supersedes_id.data,
        correction_reason=form.correction_reason.data or "", readiness_reason=form.readiness_reason.data or "")


@bp.route("/care/patients/<int:patient_id>/consent/records/<int:record_id>.pdf")
@roles_required(*CLINICIANS)
def staff_pdf(patient_id: int, record_id: int):
    """A clinician downloads a patient's signed consent record."""
    patient = _clinic_patient(patient_id)
    record = queries.record_for(patient.id, record_id)
    if record is None:
        abort(404)
    return _pdf_response(record, "consent_pdf_downloaded")


@bp.route("/care/consent/re-consent")
@roles_required(*CLINICIANS)
def reconsent():
    """Patients whose agreement used an older major version of the information."""
    rows = queries.reconsent_list(current_user.clinic_id)
    audit.record_now("reconsent_list_viewed", object_type="consent_record", count=len(rows))
    return render_template("consent/reconsent.html", rows=rows, content=queries.current_content(),
                           tz=current_user.clinic.timezone)
