"""The patient whose data a patient-side request is about (own record, or a caregiver's link)."""
from flask import abort, g, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user

from companion.accounts import queries
from companion.accounts.models import Patient
from companion.extensions import db


def current_patient() -> Patient:
    """The signed-in patient's record, or the patient a caregiver is acting for (404 if none)."""
    if "current_patient" in g:
        return g.current_patient
    patient = None
    if current_user.role == "patient":
        patient = queries.patient_for_user(current_user)
    elif current_user.role == "caregiver":
        patient = _caregivers_patient()
    if patient is None:
        abort(404)
    g.current_patient = patient
    return patient


def reported_by() -> str:
    """Whether the patient or a caregiver is making an entry."""
    return "caregiver" if current_user.role == "caregiver" else "patient"


def _caregivers_patient() -> Patient | None:
    """The patient a caregiver chose; with several and no choice yet, a page asks first (wrong-patient risk)."""
    ids = queries.caregiver_patient_ids(current_user)
    chosen = session.get("acting_for")
    if chosen in ids:
        return db.session.get(Patient, chosen)
    if not ids:
        ended = queries.ended_caregiver_link(current_user)
        if ended is not None:  # a clear page, with no menu, instead of "not found"
            abort(make_response(render_template("accounts/access_ended.html", link=ended, bare=True), 403))
        return None
    if len(ids) > 1 and request.method == "GET" and not request.path.startswith("/api/"):
        abort(redirect(url_for("accounts.caring_for", next=request.full_path.rstrip("?"))))
    return db.session.get(Patient, ids[0])


def caring_for() -> Patient | None:
    """For the banner on every caregiver page: the patient being helped now, or None (never aborts)."""
    if not (current_user.is_authenticated and current_user.role == "caregiver"):
        return None
    if "current_patient" in g:
        return g.current_patient
    ids = queries.caregiver_patient_ids(current_user)
    chosen = session.get("acting_for")
    pid = chosen if chosen in ids else (ids[0] if len(ids) == 1 else None)
    return db.session.get(Patient, pid) if pid else None


def audit_caregiver_view(response):
    """A caregiver's page that showed a patient's data is audited like a staff view (the patient's own are not)."""
    if request.method == "GET" and response.status_code == 200 and "current_patient" in g \
            and current_user.is_authenticated and current_user.role == "caregiver":
        from companion.audit import services as audit

        audit.record_now("caregiver_viewed", patient_id=g.current_patient.id, object_type="page",
                         object_id=request.endpoint or "", clinic_id=g.current_patient.clinic_id)
    return response
