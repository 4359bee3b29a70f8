"""A reported MRI opens an urgent case in the triage queue; staff enter planned procedures from the record."""
from datetime import date, datetime, time, timedelta, timezone

import pytest

from sqlalchemy import select

from companion import clock
from companion.audit.models import AuditEvent
from companion.escalation import routing
from companion.escalation.models import Case
from companion.extensions import db
from companion.notify.models import Notification
from companion.pump import queries, services
from tests.conftest import HX, login


def _prometra(world):
    services.save_profile(world.nurse1, world.patient_a, model="prometra_ii_20", reservoir_ml=None,
                          implanted_on=world.patient_a.implanted_on)


def _report(world, by=None, reported_by="patient", kind="mri", tesla="3"):
    return services.report_procedure(by or world.patient_a_user, world.patient_a, kind=kind, planned_on=date(2026, 11, 25),
                                     planned_time=time(9, 0), details="City MRI", reported_by=reported_by,
                                     field_tesla=tesla)


def test_a_patient_reported_mri_on_a_prometra_opens_an_urgent_case_with_checklist_and_field_flag(world):
    _prometra(world)
    notice = _report(world)
    case = db.session.scalar(select(Case).where(Case.source_type == "pump_procedure", Case.source_id == notice.id))
    assert case is not None and case.tier == "urgent" and case.status == "open" and case.patient_id == world.patient_a.id
    settings = routing.settings_for(world.clinic1.id)
    assert case.ack_due_at - case.opened_at == timedelta(minutes=settings.urgent_ack_minutes)
    codes = [r["code"] for r in case.reasons]
    assert codes == ["mri_pump_empty", "mri_field_over_limit"]
    assert "Prometra II 20 mL" in case.reasons[0]["staff_text"] and "emptied" in case.reasons[0]["staff_text"]
    assert any("Empty the whole reservoir" in item for item in case.reasons[0]["checklist"])
    assert "3 T is above this model's 1.5 T limit" in case.reasons[1]["staff_text"]
    paged = set(db.session.scalars(select(Notification.user_id).where(Notification.dedupe_key.like(f"case:{case.id}:%"))))
    assert paged and world.patient_a_user.id not in paged
    # the case replaces the in-app-only task message; the calendar still lists it until marked done
    assert not list(db.session.scalars(select(Notification).where(Notification.kind == "pump_procedure_task")))
    assert queries.open_procedure_tasks(world.clinic1.id) == [notice]
    # a planned scan does not count for the red-flag rules until someone confirms it took place (issue 12)
    assert "days_since_mri" not in queries.rules_context(world.patient_a, date(2026, 11, 27))


def test_days_since_mri_count_from_a_confirmed_scan_only(world):
    clock.freeze(datetime(2026, 11, 23, 15, tzinfo=timezone.utc))
    notice = services.report_procedure(world.patient_a_user, world.patient_a, kind="mri", planned_on=date(2026, 11, 25),
                                       planned_time=None, details="", reported_by="patient", field_tesla="1.5")
    with pytest.raises(services.PumpError):  # not before its time
        services.confirm_happened(world.patient_a_user, notice, "patient")
    assert "days_since_mri" not in queries.rules_context(world.patient_a, date(2026, 11, 27))
    clock.freeze(datetime(2026, 11, 26, 15, tzinfo=timezone.utc))
    services.confirm_happened(world.patient_a_user, notice, "patient")
    services.confirm_happened(world.nurse1, notice, "staff")  # a second confirmation changes nothing
    assert (notice.happened_at, notice.confirmed_by) == (notice.planned_at, "patient")
    assert queries.rules_context(world.patient_a, date(2026, 11, 27))["days_since_mri"] == 2
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "pump_procedure_confirmed")).all()
    assert [e.user_id for e in events] == [world.patient_a_user.id]


def test_the_patient_says_i_had_it_from_the_pump_page(world, client):
    clock.freeze(datetime(2026, 11, 23, 15, tzinfo=timezone.utc))
    notice = services.report_procedure(world.patient_a_user, world.patient_a, kind="mri", planned_on=date(2026, 11, 23),
                                       planned_time=time(8, 0), details="", reported_by="patient", field_tesla="1.5")
    login(client, world.patient_a_user)
    page = client.get("/pump").get_data(as_text=True)
    assert "I had it" in page
    response = client.post(f"/pump/procedures/{notice.id}/happened", headers=HX)
    assert response.status_code == 200 and "I had it" not in response.get_data(as_text=True)
    assert db.session.get(type(notice), notice.id).confirmed_by == "patient"
    other = client.application.test_client()
    login(other, world.patient_b_user)
    assert other.post(f"/pump/procedures/{notice.id}/happened").status_code == 404


def test_a_synchromed_mri_at_three_tesla_is_not_flagged_and_unknown_strength_asks(pumped):
    notice = _report(pumped, tesla="3")
    case = db.session.scalar(select(Case).where(Case.source_id == notice.id, Case.source_type == "pump_procedure"))
    assert [r["code"] for r in case.reasons] == ["mri_pump_check"]
    unknown = _report(pumped, tesla="")
    case = db.session.scalar(select(Case).where(Case.source_id == unknown.id, Case.source_type == "pump_procedure"))
    assert [r["code"] for r in case.reasons] == ["mri_pump_check", "mri_field_unknown"]


def test_staff_entered_mri_and_other_procedures_open_no_case(world):
    _prometra(world)
    staff = _report(world, by=world.nurse1, reported_by="staff")
    other = _report(world, kind="procedure", tesla="3")
    assert db.session.scalar(select(Case).where(Case.source_type == "pump_procedure")) is None
    assert other.field_tesla == "" and staff.field_tesla == "3"
    assert {n.id for n in queries.open_procedure_tasks(world.clinic1.id)} == {staff.id, other.id}


def test_the_case_page_shows_the_patient_and_checklist_and_the_queue_names_the_patient(client, world):
    _prometra(world)
    notice = _report(world)
    case = db.session.scalar(select(Case).where(Case.source_id == notice.id, Case.source_type == "pump_procedure"))
    login(client, world.nurse1)
    page = client.get(f"/care/cases/{case.id}").get_data(as_text=True)
    assert world.patient_a.full_name in page and "Checklist" in page and "Empty the whole reservoir" in page
    assert "1.5 T limit" in page
    queue = client.get("/care/queue").get_data(as_text=True)
    assert world.patient_a.full_name in queue and "must be emptied" in queue
    calendar = client.get("/care/refills").get_data(as_text=True)
    assert f"{world.patient_a.family_name}, {world.patient_a.given_name}</strong> · MRI" in calendar


def test_staff_enter_a_planned_procedure_with_validation_and_audit(client, world):
    _prometra(world)
    login(client, world.nurse1)
    url = f"/care/patients/{world.patient_a.id}/pump/procedures"
    bad = client.post(url, headers=HX, data={"planned_on": "2026-11-01", "details": "Hip MRI", "field_tesla": "3"})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "Choose one." in text and "Hip MRI" in text
    past = client.post(url, headers=HX, data={"kind": "mri", "planned_on": "2026-11-01", "field_tesla": "3"})
    assert past.status_code == 422 and "Choose today or a day ahead." in past.get_data(as_text=True)
    good = client.post(url, headers=HX, data={"kind": "mri", "planned_on": "2026-11-30", "field_tesla": "3",
                                              "details": "Hip MRI"})
    page = good.get_data(as_text=True)
    assert good.status_code == 200 and "Procedure added to the calendar." in page
    assert "3 T scanner: above this model's 1.5 T limit" in page and "Empty the whole reservoir" in page
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "pump_procedure_reported"))
    assert event.user_id == world.nurse1.id and event.detail["reported_by"] == "staff"


def test_only_the_patients_clinic_clinicians_may_enter_a_procedure(client, world):
    url = f"/care/patients/{world.patient_a.id}/pump/procedures"
    data = {"kind": "mri", "planned_on": "2026-11-30"}
    for user, status in ((world.nurse2, 404), (world.patient_a_user, 403), (world.caregiver, 403)):
        login(client, user)
        assert client.post(url, data=data).status_code == status, user.email
    assert queries.procedures(world.patient_a) == []
