"""Patient and caregiver pages: the pump card, next refill, alarm help, MRI or procedure notice."""
from flask import Response, abort, make_response, render_template, request
from flask_login import current_user
from companion.accounts.context import current_patient, reported_by
from companion.clock import utcnow
from companion.pump import card_pdf, ics, queries, schedule, services
from companion.pump.forms import MedicineForm, ProcedureForm
from companion.pump.views import bp
from companion.pump.views.common import fmt_date, fmt_time, refill_status
from companion.web import PATIENT_SIDE, render_page, roles_required


def card_context(patient, **forms) -> dict:
    """Everything /pump shows."""
    card = queries.pump_card(patient)
    spec = schedule.PUMP_MODELS.get(card["model_key"]) if card else None
    return dict(patient=patient, card=card, spec=spec, refill=refill_status(patient, utcnow()),
                procedures=queries.procedures(patient), medicines=queries.medicines(patient),
                procedure_form=forms.get("procedure_form") or ProcedureForm(formdata=None),
                medicine_form=forms.get("medicine_form") or MedicineForm(formdata=None),
                opted_in=queries.caregiver_opted_in(patient, current_user.id) if current_user.role == "caregiver" else False,
                fmt_date=fmt_date, fmt_time=fmt_time, two_tone=bool(spec and spec.eri_to_stop_days), now=utcnow())


@bp.route("/pump")
@roles_required(*PATIENT_SIDE)
def card():
    """The pump card, next refill, what to do if it beeps, and MRI or procedure notices."""
    return render_page("pump/card.html", "pump/_card_page.html", **card_context(current_patient()))


@bp.route("/pump/card/offline")
@roles_required(*PATIENT_SIDE)
def card_offline():
    """The card alone, kept by the service worker only when the person asks for it."""
    patient = current_patient()
    return render_template("pump/card_offline.html", card=queries.pump_card(patient), fmt_date=fmt_date, bare=True)


@bp.route("/pump/card.pdf")
@roles_required(*PATIENT_SIDE)
def card_download():
    """The wallet-size card as a PDF."""
    card = queries.pump_card(current_patient())
    if card is None:
        abort(404)
    response = make_response(card_pdf.render(card))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = 'attachment; filename="pump-card.pdf"'
    return response


@bp.route("/pump/appointment.ics")
@roles_required(*PATIENT_SIDE)
def appointment_ics():
    """The booked refill visit as a calendar file (no health details in it)."""
    patient = current_patient()
    appointment = queries.next_appointment(patient, utcnow())
    if appointment is None:
        abort(404)
    body = ics.appointment_calendar(appointment, patient.clinic, utcnow())
    return Response(body, mimetype="text/calendar",
                    headers={"Content-Disposition": 'attachment; filename="refill-visit.ics"'})


@bp.route("/pump/procedures", methods=["POST"])
@roles_required(*PATIENT_SIDE)
def report_procedure():
    """The patient tells the clinic about an MRI scan or another procedure."""
    patient, form = current_patient(), ProcedureForm()
    if form.validate_on_submit():
        try:
            services.report_procedure(current_user, patient, kind=form.kind.data, planned_on=form.planned_on.data,
                                      planned_time=form.planned_time.data, details=form.details.data or "",
                                      reported_by=reported_by(), field_tesla=form.field_tesla.data or "")
        except services.PumpError as error:
            form[error.field].errors.append(str(error))
        else:
            return render_page("pump/card.html", "pump/_procedures.html", saved=True, **card_context(patient))
    return render_page("pump/card.html", "pump/_procedures.html", status=422,
                       **card_context(patient, procedure_form=form))


@bp.route("/pump/procedures/<int:notice_id>/happened", methods=["POST"])
@roles_required(*PATIENT_SIDE)
def procedure_happened(notice_id: int):
    """The patient (or caregiver) says the scan or procedure took place ("I had it")."""
    patient = current_patient()
    notice = next((n for n in queries.procedures(patient) if n.id == notice_id), None)
    if notice is None:
        abort(404)
    try:
        services.confirm_happened(current_user, notice, reported_by())
    except services.PumpError:
        pass  # the button shows only once the time has passed; a replayed early post changes nothing
    return render_page("pump/card.html", "pump/_procedures.html", **card_context(patient))


@bp.route("/pump/medicines", methods=["POST"])
@roles_required(*PATIENT_SIDE)
def add_medicine():
    """The patient or caregiver adds another medicine they take."""
    patient, form = current_patient(), MedicineForm()
    if form.validate_on_submit():
        services.add_medicine(current_user, patient, name=form.name.data, medicine_class=form.medicine_class.data,
                              reported_by=reported_by())
        return render_page("pump/card.html", "pump/_medicines.html", **card_context(patient))
    return render_page("pump/card.html", "pump/_medicines.html", status=422,
                       **card_context(patient, medicine_form=form))


@bp.route("/pump/reminders", methods=["POST"])
@roles_required("caregiver")
def caregiver_reminders():
    """A linked caregiver turns the refill reminders on or off for themselves."""
    patient = current_patient()
    services.set_caregiver_reminders(current_user, patient, request.form.get("on") == "1")
    return render_page("pump/card.html", "pump/_caregiver_reminders.html", **card_context(patient))
