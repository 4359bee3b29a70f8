"""Enrolment codes (single use, expiry) and caregiver invites (link, revoke), through HTTP."""
import re
from datetime import timedelta

from sqlalchemy import select

from companion import clock
from companion.accounts.models import Patient, User
from companion.audit.models import AuditEvent
from companion.extensions import db
from tests.conftest import FIXED_NOW, HX, login

NEW_PASSWORD = "my new pump password"


def _issue_code(client, nurse, patient) -> str:
    login(client, nurse)
    page = client.post(f"/care/patients/{patient.id}/enrolment-code", headers=HX).get_data(as_text=True)
    assert "<svg" in page  # the QR code
    return re.search(r'class="code-box big">([A-Z0-9-]+)<', page).group(1)


def _enrol(client, code, email="new.patient@test.example"):
    return client.post("/enrol", data={"code": code, "email": email, "password": NEW_PASSWORD,
                                       "confirm": NEW_PASSWORD})


def test_nurse_creates_patient_and_patient_enrols_once(app, factory, world):
    nurse_client = app.test_client()
    login(nurse_client, world.nurse1)
    response = nurse_client.post("/care/patients/new", data={"given_name": "Dana", "family_name": "Quinn",
                                                             "record_number": "MRN-77", "therapy_stage": "before_trial"})
    assert response.status_code == 302
    patient = db.session.scalar(select(Patient).where(Patient.record_number == "MRN-77"))
    code = _issue_code(nurse_client, world.nurse1, patient)
    phone = app.test_client()
    assert _enrol(phone, code).status_code == 302
    assert "Hello, Dana" in phone.get("/").get_data(as_text=True)
    second = _enrol(app.test_client(), code, email="someone.else@test.example")
    assert second.status_code == 422 and "This code does not work" in second.get_data(as_text=True)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "patient_enrolled")) is not None


def test_enrolment_code_expires(app, factory, world):
    patient = factory.patient(world.clinic1, with_account=False)
    code = _issue_code(app.test_client(), world.nurse1, patient)
    clock.freeze(FIXED_NOW + timedelta(hours=app.config["ENROLMENT_CODE_HOURS"], seconds=1))
    response = _enrol(app.test_client(), code)
    assert response.status_code == 422
    assert db.session.get(Patient, patient.id).user_id is None


def test_a_new_code_replaces_the_old_one(app, factory, world):
    patient = factory.patient(world.clinic1, with_account=False)
    client = app.test_client()
    old = _issue_code(client, world.nurse1, patient)
    _issue_code(client, world.nurse1, patient)
    assert _enrol(app.test_client(), old).status_code == 422


def test_enrol_form_keeps_values_on_error(client):
    response = client.post("/enrol", data={"code": "ABCDE-12345", "email": "x@test.example", "password": "short",
                                           "confirm": "short"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="ABCDE-12345"' in page and 'value="x@test.example"' in page
    assert "Use at least 12 characters" in page


def test_duplicate_record_number_is_refused_with_values_kept(client, world):
    login(client, world.nurse1)
    data = {"given_name": "Eve", "family_name": "Stone", "record_number": world.patient_a.record_number,
            "therapy_stage": "trial"}
    response = client.post("/care/patients/new", data=data)
    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True) and 'value="Eve"' in response.get_data(as_text=True)


def test_caregiver_invite_link_and_revoke(app, world):
    patient_client = app.test_client()
    login(patient_client, world.patient_b_user)
    page = patient_client.post("/account/caregivers/invite", headers=HX).get_data(as_text=True)
    code = re.search(r'class="code-box big">([A-Z0-9-]+)<', page).group(1)
    helper = app.test_client()
    response = helper.post("/caregiver/join", data={"code": code, "display_name": "Helper Hal",
                                                    "email": "hal@test.example", "password": NEW_PASSWORD,
                                                    "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert "Helping Bruno" in helper.get("/").get_data(as_text=True)
    hal = db.session.scalar(select(User).where(User.email == "hal@test.example"))
    from companion.accounts.queries import caregiver_links

    link = caregiver_links(world.patient_b)[0]
    assert link.caregiver_id == hal.id
    patient_client.post(f"/account/caregivers/{link.id}/revoke", headers=HX)
    ended = helper.get("/")  # no patient to act for any more: a clear page, not "not found"
    assert ended.status_code == 403 and "diary has ended" in ended.get_data(as_text=True)


def test_patient_cannot_revoke_another_patients_caregiver(client, world):
    from companion.accounts.queries import caregiver_links

    link = caregiver_links(world.patient_a)[0]
    login(client, world.patient_b_user)
    assert client.post(f"/account/caregivers/{link.id}/revoke").status_code == 404
    assert caregiver_links(world.patient_a)[0].revoked_at is None
