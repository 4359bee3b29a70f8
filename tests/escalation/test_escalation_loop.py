"""The loop from alert to human response: overdue shown, rounds and who was paged, per-person acknowledgement,
internal note vs message to the patient, phone numbers and contact attempts, idle sign-out explained."""
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from companion import clock
from companion.audit.models import AuditEvent
from companion.escalation import services
from companion.escalation.models import Case
from companion.extensions import db
from tests.conftest import FIXED_NOW, HX, login


def open_case(world, observations=None, source_id=1) -> Case:
    result = services.assess(world.patient_a, observations=observations or {"breaths_per_min": 7}, context={},
                             source_type="diary_entry", source_id=source_id, reported_by_user=world.patient_a_user)
    db.session.commit()
    return db.session.get(Case, result.case_id)


def actions(name):
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == name)))


@pytest.fixture
def overdue(world):
    """An emergency (15 min deadline) left unacknowledged for 31 minutes: two rounds have run."""
    services.save_settings(world.clinic1.id, world.admin1, on_call_user_id=world.physician1.id)
    urgent = open_case(world, {"pump_alarm": "two_tone"}, source_id=2)  # urgent, opened first: not overdue yet
    case = open_case(world)
    for minute in (15, 30):
        clock.freeze(FIXED_NOW + timedelta(minutes=minute))
        services.sweep()
    clock.freeze(FIXED_NOW + timedelta(minutes=31))
    return case, urgent


def test_overdue_cases_come_first_with_overdue_by_rounds_and_who_was_paged(client, world, overdue):
    case, urgent = overdue
    login(client, world.nurse1)
    page = client.get("/care").get_data(as_text=True)
    row = page[page.index(f'id="case-{case.id}"'):page.index(f'id="case-{urgent.id}"')]
    assert "Overdue by 16 min" in row  # the deadline fixed at opening: 15 min, never moved by the rounds
    assert "<dt>Rounds</dt><dd>3</dd>" in row.replace("\n", "")
    for person in (world.nurse1, world.physician1, world.admin1):
        assert person.display_name in row
    assert "(patient's team)" in row and "(on call)" in row and "(clinic admin)" in row
    # The staff navigation carries the count on every staff page.
    roster = client.get("/care/patients").get_data(as_text=True)
    assert 'id="nav-overdue"' in roster and "1</span><span class=\"visually-hidden\"> case overdue" in roster
    poll = client.get("/care/queue?poll=1", headers=HX).get_data(as_text=True)
    assert 'id="nav-overdue" class="nav-overdue" hx-swap-oob="true"' in poll


def test_every_paged_person_acknowledges_once_the_first_stops_the_rounds(client, app, world, overdue):
    case, _urgent = overdue
    login(client, world.nurse1)
    client.post(f"/care/cases/{case.id}/acknowledge?kind=on_it", headers=HX)
    db.session.refresh(case)
    assert case.status == "acknowledged" and case.next_round_at is None and case.acknowledged_by_id == world.nurse1.id
    physician = app.test_client()
    login(physician, world.physician1)
    page = physician.get(f"/care/cases/{case.id}").get_data(as_text=True)
    assert 'value="seen"' in page  # the physician can still record that they saw it
    physician.post(f"/care/cases/{case.id}/acknowledge?from=case", data={"kind": "seen"})
    db.session.refresh(case)
    acks = {r.user_id: (r.ack_kind, r.acknowledged_at) for r in case.recipients if r.acknowledged_at}
    assert acks == {world.nurse1.id: ("on_it", FIXED_NOW + timedelta(minutes=31)),
                    world.physician1.id: ("seen", FIXED_NOW + timedelta(minutes=31))}
    page = physician.get(f"/care/cases/{case.id}").get_data(as_text=True)
    assert "I'm on it" in page and "Seen 10:31" in page and 'id="ack-form"' not in page
    rounds = case.notify_round
    clock.freeze(FIXED_NOW + timedelta(hours=3))
    services.sweep()
    db.session.refresh(case)
    assert case.notify_round == rounds  # no more re-paging
    assert [e.detail["ack_kind"] for e in actions("case_acknowledged")] == ["on_it", "seen"]


def test_the_patient_sees_the_message_and_status_never_the_internal_note(client, app, world):
    case = open_case(world)
    login(client, world.physician1)
    response = client.post(f"/care/cases/{case.id}/acknowledge?from=case", data={
        "kind": "on_it", "note": "Wife says drowsy, breathing 8 a minute, naloxone given.",
        "message": "Dr here. We are calling you now. Please keep your phone close."})
    assert response.status_code == 302
    patient = app.test_client()
    login(patient, world.patient_a_user)
    page = patient.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "We are calling you now" in page and f"Seen by {world.physician1.display_name} at 10:00" in page
    assert "naloxone" not in page and "drowsy" not in page and "Waiting for a nurse" not in page
    staff = client.get(f"/care/cases/{case.id}").get_data(as_text=True)
    assert "naloxone given" in staff and "We are calling you now" in staff


def test_a_message_is_optional_and_too_long_a_note_is_refused_beside_the_field(client, world):
    case = open_case(world)
    login(client, world.nurse1)
    response = client.post(f"/care/cases/{case.id}/acknowledge?from=case", data={"kind": "on_it", "note": "x" * 2001})
    assert response.status_code == 422 and 'aria-invalid="true"' in response.get_data(as_text=True)
    assert db.session.get(Case, case.id).status == "open"
    client.post(f"/care/cases/{case.id}/acknowledge?from=case", data={"kind": "on_it"})
    assert db.session.get(Case, case.id).patient_message == ""


def test_phone_numbers_and_one_tap_contact_attempts(client, app, world):
    case = open_case(world)
    patient = app.test_client()
    login(patient, world.patient_a_user)
    bad = patient.post("/account/phone", data={"phone": "call me maybe"})
    assert bad.status_code == 422 and "call me maybe" in bad.get_data(as_text=True)
    assert patient.post("/account/phone", data={"phone": "+1 555 010 2030"}).status_code == 302
    login(client, world.nurse1)
    client.post(f"/care/patients/{world.patient_a.id}/phone",
                data={"user_id": world.caregiver.id, "phone": "(555) 010-9999"})
    assert world.caregiver.phone == "(555) 010-9999"
    page = client.get(f"/care/cases/{case.id}").get_data(as_text=True)
    assert 'href="tel:+15550102030"' in page and 'href="tel:(555)010-9999"' in page
    record = client.get(f"/care/patients/{world.patient_a.id}").get_data(as_text=True)
    assert 'href="tel:+15550102030"' in record
    response = client.post(f"/care/cases/{case.id}/contact", data={"outcome": "voicemail"}, headers=HX)
    assert response.status_code == 200 and "Left voicemail" in response.get_data(as_text=True)
    assert client.post(f"/care/cases/{case.id}/contact", data={"outcome": "telepathy"}).status_code == 422
    db.session.refresh(case)
    assert [(e.kind, e.detail.get("outcome"), e.user_id) for e in case.events if e.kind == "contact"] == [
        ("contact", "voicemail", world.nurse1.id)]
    assert [(e.detail["contact_outcome"], e.outcome) for e in actions("case_contact_attempt")] == [("voicemail", "ok")]
    assert len(actions("phone_changed")) == 2


def test_phone_boundaries(app, world):
    other = app.test_client()
    login(other, world.nurse2)  # another clinic
    assert other.post(f"/care/patients/{world.patient_a.id}/phone",
                      data={"user_id": world.patient_a_user.id, "phone": "123"}).status_code == 404
    nurse = app.test_client()
    login(nurse, world.nurse1)
    # Not the patient or their caregiver (a colleague, an unlinked caregiver): refused beside the field.
    for user in (world.physician1, world.unlinked_caregiver):
        response = nurse.post(f"/care/patients/{world.patient_a.id}/phone", data={"user_id": user.id, "phone": "123"})
        assert response.status_code == 422
    assert world.unlinked_caregiver.phone == "" and world.physician1.phone == ""
    staff_self = app.test_client()
    login(staff_self, world.admin1)
    assert staff_self.post("/account/phone", data={"phone": "123"}).status_code == 403


def test_idle_sign_out_says_why_and_returns_to_the_queue(client, world, app):
    login(client, world.nurse1)
    assert client.post("/session/keepalive").status_code == 204
    with client.session_transaction() as session:
        session["seen_at"] = int(time.time()) - app.config["STAFF_IDLE_MINUTES"] * 60 - 5
    response = client.get("/care/queue?poll=1", headers={**HX, "HX-Current-URL": "http://localhost/care?tier=urgent"})
    target = response.headers["HX-Redirect"]
    assert "reason=idle" in target and "next=/care?tier%3Durgent" in target
    page = client.get(target).get_data(as_text=True)
    assert "no activity for 15 minutes" in page
    patient = app.test_client()
    login(patient, world.patient_a_user)
    assert patient.post("/session/keepalive").status_code == 403


def test_staff_pages_carry_the_idle_warning_and_patient_pages_do_not(client, app, world):
    login(client, world.nurse1)
    page = client.get("/care").get_data(as_text=True)
    assert 'data-idle-seconds="900"' in page and "Stay signed in" in page and "js/idle.js" in page
    assert "The queue has stopped updating" in page and "Live: updated at" in page
    patient = app.test_client()
    login(patient, world.patient_a_user)
    home = patient.get("/").get_data(as_text=True)
    assert "data-idle-seconds" not in home and "Stay signed in" not in home
