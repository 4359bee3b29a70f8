"""Care-team pump pages: the patient's pump record (refills with a blind double check) and the refill calendar."""
from datetime import datetime, timedelta

from flask import abort, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from companion.accounts import queries as accounts
from companion.audit import services as audit
from companion.clock import utcnow
from companion.pump import queries, schedule, services
from companion.pump.dose_checks import SEDATING_CLASSES, finding_title, needs_physician
from companion.pump.forms import (MAX_DRUGS, AppointmentForm, ConfirmForm, MedicineForm, ProcedureForm, ProfileForm,
                                  RefillForm, SettingsForm)
from companion.pump.reminders import clinic_review_items, refill_reminder_times
from companion.pump.views import bp
from companion.pump.views.common import fmt_clock, fmt_date, fmt_day, fmt_time, refill_status
from companion.web import CLINICIANS, found_or_404, page_of, render_page, roles_required

PAGE, PART = "pump/staff.html", "pump/_staff.html"


def patient_or_404(patient_id: int):
    """A patient of the signed-in clinician's clinic; 404 (audited) for any other."""
    return found_or_404(accounts.clinic_patient(current_user.clinic_id, patient_id), "patient", patient_id)


def _of_patient(row, patient):
    """A row of the clinic that belongs to this patient; 404 otherwise."""
    if row is None or row.patient_id != patient.id:
        abort(404)
    return row


def _profile_form(patient):
    pump = queries.profile(patient)
    form = ProfileForm(formdata=None, obj=pump)
    form.opioid_tolerant.data = {True: "yes", False: "no"}.get(pump.opioid_tolerant, "") if pump else ""
    form.naloxone_at_home.data = {True: "yes", False: "no"}.get(pump.naloxone_at_home, "") if pump else ""
    if pump is None:
        form.implanted_on.data = patient.implanted_on
    elif form.reservoir_ml.data is not None:
        form.reservoir_ml.data = form.reservoir_ml.data.normalize()  # "20", not the stored "20.0000"
    return form


def _refill_form(patient):
    """A new refill form prefilled from the current regimen (the clinician checks every number)."""
    form = RefillForm(formdata=None)
    form.filled_on.data = utcnow().astimezone(queries.clinic_zone(patient.clinic)).date()
    current = queries.latest_confirmed(patient)
    if current is not None:
        form.kind.data, form.alarm_volume_ml.data = "refill", current.alarm_volume_ml.normalize()
        form.stability_days.data, form.mode.data = current.stability_days, current.regimen.mode
        for line, drug in zip(form.drugs.entries, current.regimen.drugs):
            line.form.name.data, line.form.unit.data = drug.name, drug.unit
    else:
        form.kind.data = "first_fill"
    return form


def _reminders(patient, refill) -> list[datetime]:
    """When the patient's reminders go out for the booked visit (clinic time)."""
    if refill["appointment_on"] is None:
        return []
    return [at for _, at in refill_reminder_times(refill["appointment_on"], tz=patient.clinic.timezone,
                                                   not_before=utcnow())]


def staff_context(patient, **forms) -> dict:
    """Everything the pump record page shows."""
    now = utcnow()
    refill = refill_status(patient, now)
    meds = queries.medicines(patient)
    history = queries.refill_history(patient)
    confirm_forms = {r.id: forms.get(f"confirm_{r.id}") or ConfirmForm(formdata=None, entries=[{}] * len(r.regimen.drugs))
                     for r in history if r.status == queries.PENDING}
    battery = queries.battery_window(patient)
    early_visit = queries.visit_booked_before(refill.get("record"), refill.get("appointment"))
    return dict(patient=patient, pump=queries.profile(patient), refill=refill, history=history, medicines=meds,
                sedating=[m for m in meds if m.medicine_class in SEDATING_CLASSES], classes=SEDATING_CLASSES,
                procedures=queries.procedures(patient), battery=battery, mri=services.mri_review,
                procedure_form=forms.get("procedure_form") or ProcedureForm(formdata=None), reminders=_reminders(patient, refill),
                profile_form=forms.get("profile_form") or _profile_form(patient),
                refill_form=forms.get("refill_form") or _refill_form(patient),
                appointment_form=forms.get("appointment_form") or AppointmentForm(formdata=None),
                medicine_form=forms.get("medicine_form") or MedicineForm(formdata=None),
                confirm_forms=confirm_forms, findings=forms.get("findings", []), message=forms.get("message"),
                early_visit=early_visit,
                fmt_date=fmt_date, fmt_time=fmt_time, models=schedule.PUMP_MODELS, now=now,
                finding_title=finding_title, needs_physician=needs_physician, override_summary=queries.override_summary)


def _page(patient, status: int = 200, **forms):
    return render_page(PAGE, PART, status=status, **staff_context(patient, **forms))


@bp.route("/care/patients/<int:patient_id>/pump")
@roles_required(*CLINICIANS)
def record(patient_id: int):
    """The patient's pump: profile, regimen, refills, visit, medicines (every opening is audited)."""
    patient = patient_or_404(patient_id)
    audit.record_now("pump_record_viewed", patient_id=patient.id, object_type="patient", object_id=patient.id)
    return _page(patient)


@bp.route("/care/patients/<int:patient_id>/pump/profile", methods=["POST"])
@roles_required(*CLINICIANS)
def save_profile(patient_id: int):
    """Create or correct the pump profile."""
    patient, form = patient_or_404(patient_id), ProfileForm()
    if form.validate_on_submit():
        try:
            services.save_profile(current_user, patient, **{k: form[k].data for k in (
                "model", "reservoir_ml", "other_model_name", "implanted_on", "pocket_side", "catheter_tip_level",
                "replacement_indicator_on", "spasticity_origin")},
                opioid_tolerant={"yes": True, "no": False}.get(form.opioid_tolerant.data),
                naloxone_at_home={"yes": True, "no": False}.get(form.naloxone_at_home.data))
            return _page(patient, message=_("Pump profile saved."))
        except services.PumpError as error:
            form[error.field].errors.append(str(error))
    return _page(patient, 422, profile_form=form)


def _drug_entries(form: RefillForm) -> list[services.DrugEntry]:
    """The filled-in drug lines, in order."""
    return [services.DrugEntry(line.form.name.data.strip(), line.form.concentration.data, line.form.daily_dose.data,
                               line.form.unit.data, bool(line.form.compounded.data))
            for line in form.drugs.entries if (line.form.name.data or "").strip()]


@bp.route("/care/patients/<int:patient_id>/pump/refills", methods=["POST"])
@roles_required(*CLINICIANS)
def record_refill(patient_id: int):
    """The first clinician records a refill; dose checks must be answered before it is saved."""
    patient, form = patient_or_404(patient_id), RefillForm()
    if form.validate_on_submit():
        fields = {k: form[k].data for k in ("kind", "filled_on", "fill_volume_ml", "alarm_volume_ml",
                                            "expected_residual_ml", "withdrawn_ml", "stability_days", "mode")}
        try:
            services.record_refill(current_user, patient, drugs=_drug_entries(form), **fields,
                                   bolus_dose=form.bolus_dose.data or 0, boluses_per_day=form.boluses_per_day.data or 0,
                                   change_reason=form.change_reason.data or "", override_note=form.override_note.data or "",
                                   override_reason=form.override_reason.data or "",
                                   reprogrammed_confirmed=form.reprogrammed_confirmed.data, note=form.note.data or "")
            return _page(patient, message=_("Refill recorded. A second clinician must now confirm it."))
        except services.PumpError as error:
            target = form[error.field] if error.field in form else form.drugs if error.field == "drugs" else None
            if target is not None and error.field != "findings":
                target.errors.append(str(error))
            else:
                form.form_errors.append(str(error))
            return _page(patient, 422, refill_form=form, findings=error.findings)
    return _page(patient, 422, refill_form=form)


@bp.route("/care/patients/<int:patient_id>/pump/refills/<int:record_id>/confirm", methods=["POST"])
@roles_required(*CLINICIANS)
def confirm_refill(patient_id: int, record_id: int):
    """A second clinician re-enters every value that sets the dose or the date blind; a mismatch saves nothing."""
    patient = patient_or_404(patient_id)
    record = _of_patient(queries.clinic_record(current_user.clinic_id, record_id), patient)
    form = ConfirmForm()
    if form.validate_on_submit():
        entries = [(e.form.concentration.data, e.form.daily_dose.data) for e in form.entries.entries][:MAX_DRUGS]
        try:
            services.confirm_refill(current_user, record, entries, volumes={
                k: form[f"check_{k}"].data for k in ("bolus_dose", "boluses_per_day", "fill_volume_ml", "alarm_volume_ml")})
            return _page(patient, message=_("Refill confirmed. The next due date is updated."))
        except services.PumpError as error:
            form.form_errors.append(str(error))
    return _page(patient, 422, **{f"confirm_{record.id}": form})


@bp.route("/care/patients/<int:patient_id>/pump/appointment", methods=["POST"])
@roles_required(*CLINICIANS)
def book_appointment(patient_id: int):
    """Book the refill visit or move the booked one (the reminders follow)."""
    patient, form = patient_or_404(patient_id), AppointmentForm()
    if form.validate_on_submit():
        local = datetime.combine(form.starts_on.data, form.starts_time.data, tzinfo=queries.clinic_zone(patient.clinic))
        try:
            services.book_appointment(current_user, patient, local.astimezone(utcnow().tzinfo), form.minutes.data or 30)
            return _page(patient, message=_("Refill visit saved. Reminders follow the new date."))
        except services.PumpError as error:
            form[error.field].errors.append(str(error))
    return _page(patient, 422, appointment_form=form)


@bp.route("/care/patients/<int:patient_id>/pump/appointment/<int:appointment_id>/cancel", methods=["POST"])
@roles_required(*CLINICIANS)
def cancel_appointment(patient_id: int, appointment_id: int):
    """Cancel the booked refill visit and its reminders."""
    patient = patient_or_404(patient_id)
    appointment = _of_patient(queries.clinic_appointment(current_user.clinic_id, appointment_id), patient)
    try:
        services.cancel_appointment(current_user, appointment)
    except services.PumpError as error:
        return _page(patient, 422, message=str(error))
    return _page(patient, message=_("Visit cancelled. Its reminders will not be sent."))


@bp.route("/care/patients/<int:patient_id>/pump/medicines", methods=["POST"])
@roles_required(*CLINICIANS)
def add_staff_medicine(patient_id: int):
    """Staff add a medicine the patient takes."""
    patient, form = patient_or_404(patient_id), MedicineForm()
    if form.validate_on_submit():
        services.add_medicine(current_user, patient, name=form.name.data, medicine_class=form.medicine_class.data,
                              reported_by="staff")
        return _page(patient, message=_("Medicine added."))
    return _page(patient, 422, medicine_form=form)


@bp.route("/care/patients/<int:patient_id>/pump/medicines/<int:medicine_id>/stop", methods=["POST"])
@roles_required(*CLINICIANS)
def stop_medicine(patient_id: int, medicine_id: int):
    """Mark a medicine stopped."""
    patient = patient_or_404(patient_id)
    medicine = next((m for m in queries.medicines(patient) if m.id == medicine_id), None)
    if medicine is None:
        abort(404)
    services.stop_medicine(current_user, medicine)
    return _page(patient, message=_("Medicine marked stopped."))


@bp.route("/care/patients/<int:patient_id>/pump/procedures/<int:notice_id>/done", methods=["POST"])
@roles_required(*CLINICIANS)
def procedure_done(patient_id: int, notice_id: int):
    """The clinic has acted on an MRI or procedure notice."""
    patient = patient_or_404(patient_id)
    notice = next((n for n in queries.procedures(patient) if n.id == notice_id), None)
    if notice is None:
        abort(404)
    services.complete_procedure_task(current_user, notice)
    return _page(patient, message=_("Task marked done."))


@bp.route("/care/patients/<int:patient_id>/pump/procedures/<int:notice_id>/happened", methods=["POST"])
@roles_required(*CLINICIANS)
def staff_procedure_happened(patient_id: int, notice_id: int):
    """A clinician records that the scan or procedure took place (the rules count days since an MRI from it)."""
    patient = patient_or_404(patient_id)
    notice = next((n for n in queries.procedures(patient) if n.id == notice_id), None)
    if notice is None:
        abort(404)
    try:
        services.confirm_happened(current_user, notice, "staff")
    except services.PumpError as error:
        return _page(patient, 422, message=str(error))
    return _page(patient, message=_("Recorded that it took place."))


@bp.route("/care/patients/<int:patient_id>/pump/procedures", methods=["POST"])
@roles_required(*CLINICIANS)
def add_procedure(patient_id: int):
    """A clinician enters a planned MRI or procedure from the record (audited; the calendar lists it)."""
    patient, form = patient_or_404(patient_id), ProcedureForm()
    if form.validate_on_submit():
        try:
            services.report_procedure(current_user, patient, kind=form.kind.data, planned_on=form.planned_on.data,
                                      planned_time=form.planned_time.data, details=form.details.data or "",
                                      reported_by="staff", field_tesla=form.field_tesla.data or "")
            return _page(patient, message=_("Procedure added to the calendar."))
        except services.PumpError as error:
            form[error.field].errors.append(str(error))
    return _page(patient, 422, procedure_form=form)


def _week_start(value: str | None, today):
    """Monday of the requested week (default: this week)."""
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date() if value else today
    except ValueError:
        day = today
    if abs((day - today).days) > 3660:  # 9999-12-31 or 0001-01-01 overflowed the week's dates into a 500
        abort(400)
    return day - timedelta(days=day.weekday())


@bp.route("/care/refills", endpoint="refills")
@roles_required(*CLINICIANS)
def refills():
    """The clinic refill calendar: what needs action, then a week of visits and due dates."""
    now = utcnow()
    today = now.astimezone(queries.clinic_zone(current_user.clinic)).date()
    rows = queries.calendar_rows(current_user.clinic_id, now)
    start = _week_start(request.args.get("week"), today)
    days = [start + timedelta(days=i) for i in range(7)]
    actions = clinic_review_items(today, rows, queries.no_visit_days(current_user.clinic_id))
    items, item_page, item_pages = page_of(actions, request.args.get("actions", 1, type=int))
    listed, page, pages = page_of(sorted(rows, key=_due_key), request.args.get("page", 1, type=int))
    week = start.isoformat() if request.args.get("week") else None
    link = lambda key: lambda n: url_for("pump.refills", week=week, **{key: n})  # noqa: E731 - keeps the week
    audit.record_now("pump_refill_calendar_viewed", object_type="calendar", object_id=start.isoformat())
    return render_page("pump/refills.html", "pump/_refills.html", rows=listed, items=items, item_total=len(actions),
                       by_id={r["patient_id"]: r for r in rows}, days=days, events=_week_events(rows, days),
                       today=today, start=start, paging={"actions": (item_page, item_pages, link("actions")),
                                                         "all": (page, pages, link("page"))},
                       tasks=queries.open_procedure_tasks(current_user.clinic_id), fmt_date=fmt_date,
                       fmt_time=fmt_time, fmt_clock=fmt_clock, fmt_day=fmt_day, timedelta=timedelta,
                       clinic=current_user.clinic)


def _week_events(rows: list[dict], days: list) -> dict:
    """Each day of the week: its booked visits (by time) and its due dates (one pass, not one per day)."""
    events: dict = {day: {"visits": [], "due": []} for day in days}
    for row in rows:
        if row["appointment_on"] in events:
            events[row["appointment_on"]]["visits"].append(row)
        if row["due_on"] in events:
            events[row["due_on"]]["due"].append(row)
    for day in events.values():
        day["visits"].sort(key=lambda r: r["appointment"].starts_at)
    return events


def _due_key(row: dict):
    """Soonest due first; patients without a due date last."""
    return (row["due_on"] is None, row["due_on"] or datetime.max.date(), row["patient"].family_name)


@bp.route("/care/pump-settings", methods=["GET", "POST"])
@roles_required("physician", "admin")
def settings():
    """The clinic's dose-check settings: change limit and per-drug ceilings (no built-in numbers)."""
    form = SettingsForm() if request.method == "POST" else _settings_form()
    if request.method == "POST" and form.validate_on_submit():
        rows = [(c.form.drug.data.strip(), c.form.max_daily_dose.data, c.form.max_concentration.data, c.form.unit.data)
                for c in form.ceilings.entries if (c.form.drug.data or "").strip()
                and (c.form.max_daily_dose.data or c.form.max_concentration.data)]
        try:
            services.save_dose_settings(current_user, change_percent_limit=form.change_percent_limit.data, ceilings=rows,
                                        no_visit_flag_days=form.no_visit_flag_days.data,
                                        prometra_battery_years=form.prometra_battery_years.data)
            return render_page("pump/settings.html", "pump/_settings.html", form=_settings_form(), saved=True)
        except services.PumpError as error:
            return render_page("pump/settings.html", "pump/_settings.html", status=422, form=form,
                               ceiling_error=str(error))
    return render_page("pump/settings.html", "pump/_settings.html", status=422 if form.errors else 200, form=form)


def _settings_form() -> SettingsForm:
    """The stored settings in the form."""
    row = queries.dose_settings_row(current_user.clinic_id)
    stored = queries.ceilings(current_user.clinic_id)
    form = SettingsForm(formdata=None, change_percent_limit=row.change_percent_limit if row else None,
                        no_visit_flag_days=row.no_visit_flag_days if row else None,
                        prometra_battery_years=row.prometra_battery_years if row else None,
                        ceilings=[{"drug": c.drug, "max_daily_dose": c.max_daily_dose,
                                   "max_concentration": c.max_concentration, "unit": c.unit} for c in stored])
    while len(form.ceilings.entries) < len(stored) + 3 and len(form.ceilings.entries) < 12:
        form.ceilings.append_entry()
    return form
