"""The patient whose data a patient-side request is about (own record, or a caregiver's link)."""
from flask import abort, g, request, session
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
        ids = queries.caregiver_patient_ids(current_user)
        chosen = session.get("acting_for")
        pid = chosen if chosen in ids else (ids[0] if ids else None)
        patient = db.session.get(Patient, pid) if pid else None
    if patient is None:
        abort(404)
    g.current_patient = patient
    return patient


def reported_by() -> str:
    """Whether the patient or a caregiver is making an entry."""
    return "caregiver" if current_user.role == "caregiver" else "patient"


def audit_caregiver_view(response):
    """A caregiver's page that showed a patient's data is audited like a staff view (the patient's own are not)."""
    if request.method == "GET" and response.status_code == 200 and "current_patient" in g \
            and current_user.is_authenticated and current_user.role == "caregiver":
        from companion.audit import services as audit

        audit.record_now("caregiver_viewed", patient_id=g.current_patient.id, object_type="page",
                         object_id=request.endpoint or "", clinic_id=g.current_patient.clinic_id)
    return response
