"""The weekly on-call rota on /admin/settings: add and remove shifts (htmx, 422, audited), access, and routing."""
from datetime import time, timedelta

import pytest
from sqlalchemy import select

from companion import clock
from companion.clinic import services as clinic
from companion.clinic.models import OnCallShift
from companion.escalation import routing
from companion.escalation import services as escalation
from companion.escalation.models import Case
from companion.extensions import db
from tests.clinic.helpers import assert_admin_only, events
from tests.conftest import FIXED_NOW, HX, login

NIGHT = FIXED_NOW.replace(hour=4)  # Monday 04:00 UTC = Sunday 23:00 in New York


@pytest.fixture
def admin(client, world):
    login(client, world.admin1)
    return world.admin1


def shift_form(person, weekday="6", starts="20:00", ends="08:00") -> dict:
    return {"rota-weekday": weekday, "rota-starts": starts, "rota-ends": ends, "rota-user_id": str(person.id)}


def add(world, weekday, starts, ends, person) -> OnCallShift:
    return clinic.add_shift(world.admin1, weekday=weekday, starts=starts, ends=ends, user_id=person.id)


def open_case(world, source_id=1):
    result = escalation.assess(world.patient_a, observations={"pump_alarm": "two_tone"}, context={},
                               source_type="diary_entry", source_id=source_id, reported_by_user=world.patient_a_user)
    db.session.commit()
    return db.session.get(Case, result.case_id)


def test_admin_adds_a_shift_with_htmx_and_sees_it_in_the_week_table_audited(client, admin, world):
    response = client.post("/admin/settings/rota", headers=HX, data=shift_form(world.nurse1))
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body and "Shift added." in body
    assert "20:00–08:00 (next day)" in body and world.nurse1.display_name in body and 'id="routing-now"' in body
    [shift] = db.session.scalars(select(OnCallShift)).all()
    assert (shift.clinic_id, shift.weekday, shift.starts, shift.ends, shift.user_id) == (
        world.clinic1.id, 6, time(20), time(8), world.nurse1.id)
    [event] = events("on_call_shift_added")
    assert event.detail == {"before": {}, "after": {"weekday": 6, "starts": "20:00", "ends": "08:00",
                                                    "user_id": world.nurse1.id, "slot": 1}}
    assert (event.user_id, event.clinic_id) == (admin.id, world.clinic1.id)
    page = client.get("/admin/settings").get_data(as_text=True)
    assert "On-call rota" in page and "Sunday" in page and "20:00–08:00 (next day)" in page


def test_bad_times_are_422_beside_the_fields_with_values_kept(client, admin, world):
    response = client.post("/admin/settings/rota", headers=HX,
                           data=shift_form(world.nurse1, weekday="9", starts="25:61", ends="soon"))
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "error-summary" in body and "Not saved. Check the fields marked." in body
    assert 'value="25:61"' in body and 'value="soon"' in body
    assert 'id="rota-starts-error"' in body and 'id="rota-ends-error"' in body and 'id="rota-weekday-error"' in body
    assert "for example 17:00" in body and 'aria-invalid="true"' in body
    assert db.session.scalars(select(OnCallShift)).all() == [] and events("on_call_shift_added") == []


def test_overlapping_shift_is_refused_with_the_clash_named(client, admin, world):
    add(world, 6, time(20), time(8), world.nurse1)
    response = client.post("/admin/settings/rota", headers=HX,
                           data=shift_form(world.physician1, weekday="0", starts="07:00", ends="09:00"))
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="rota-starts-error"' in body
    assert "This overlaps Sunday 20:00–08:00 (next day) (" + world.nurse1.display_name + ")" in body
    assert "One person is on call at a time" in body and 'value="07:00"' in body
    assert len(db.session.scalars(select(OnCallShift)).all()) == 1


@pytest.mark.parametrize("who", ["nurse2", "admin1", "patient_a_user"])
def test_only_an_active_nurse_or_physician_of_the_clinic_can_be_on_call(client, admin, world, who):
    response = client.post("/admin/settings/rota", headers=HX, data=shift_form(getattr(world, who)))
    assert response.status_code == 422 and "Choose an active nurse or physician of this clinic." in response.get_data(as_text=True)
    assert db.session.scalars(select(OnCallShift)).all() == []


def test_admin_removes_a_shift_audited(client, admin, world):
    shift = add(world, 6, time(20), time(8), world.nurse1)
    response = client.post(f"/admin/settings/rota/{shift.id}/remove", headers=HX)
    assert response.status_code == 200 and "Shift removed." in response.get_data(as_text=True)
    assert db.session.scalars(select(OnCallShift)).all() == []
    [event] = events("on_call_shift_removed")
    assert event.detail["before"]["user_id"] == world.nurse1.id and event.detail["after"] == {}


def test_access_to_the_rota_routes(app, world):
    shift = add(world, 6, time(20), time(8), world.nurse1)
    assert_admin_only(app, world, "/admin/settings/rota", shift_form(world.physician1, weekday="3"))
    assert_admin_only(app, world, f"/admin/settings/rota/{shift.id}/remove", {})
    other = app.test_client()
    login(other, world.admin2)
    assert other.post(f"/admin/settings/rota/{shift.id}/remove", headers=HX).status_code == 404
    assert db.session.get(OnCallShift, shift.id) is not None  # untouched
    assert [e.object_id for e in events("access_refused") if e.object_type == "on_call_shift"] == [str(shift.id)]
    body = other.get("/admin/settings").get_data(as_text=True)
    assert world.nurse1.display_name not in body  # clinic 2's page never shows clinic 1's rota


def test_out_of_hours_case_goes_to_the_rota_person_and_the_queue_names_them(app, world, factory):
    rota_nurse = factory.user("nurse", world.clinic1, display_name="Rota Nurse Quinn")
    escalation.save_settings(world.clinic1.id, world.admin1, on_call_user_id=world.physician1.id)
    add(world, 6, time(20), time(8), rota_nurse)
    clock.freeze(NIGHT)
    case = open_case(world)
    assert [r.user_id for r in case.recipients] == [rota_nurse.id] and case.ladder_level == 0
    nurse = app.test_client()
    login(nurse, world.nurse1)
    assert "Rota Nurse Quinn" in nurse.get("/care?scope=all").get_data(as_text=True)


def test_a_backup_shift_may_overlap_the_on_call_shift_but_not_another_backup(admin, client, world):
    response = client.post("/admin/settings/rota", data=shift_form(world.nurse1), headers=HX)
    assert response.status_code == 200
    response = client.post("/admin/settings/rota", data={**shift_form(world.physician1), "rota-slot": "2"}, headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "Backup" in body
    assert sorted(s.slot for s in db.session.scalars(select(OnCallShift))) == [1, 2]
    response = client.post("/admin/settings/rota", data={**shift_form(world.nurse1, starts="22:00", ends="23:00"),
                                                         "rota-slot": "2"}, headers=HX)
    assert response.status_code == 422 and "overlaps" in response.get_data(as_text=True)
    settings = routing.settings_for(world.clinic1.id)
    assert routing.on_call_person(world.clinic1.id, settings, NIGHT, slot=2) == world.physician1
    assert routing.on_call_person(world.clinic1.id, settings, NIGHT) == world.nurse1


def test_without_a_shift_the_single_on_call_person_is_the_fallback(world, factory):
    add(world, 2, time(20), time(8), world.nurse1)  # Wednesday: not now
    escalation.save_settings(world.clinic1.id, world.admin1, on_call_user_id=world.physician1.id)
    assert routing.on_call_person(world.clinic1.id, routing.settings_for(world.clinic1.id), NIGHT) == world.physician1
    clock.freeze(NIGHT)
    assert [r.user_id for r in open_case(world).recipients] == [world.physician1.id]


def test_deactivated_staff_are_skipped_and_flagged_in_the_rota(client, admin, world, factory):
    gone = factory.user("nurse", world.clinic1, display_name="Former Nurse Ola")
    add(world, 6, time(20), time(8), gone)
    escalation.save_settings(world.clinic1.id, world.admin1, on_call_user_id=world.nurse1.id)
    clinic.set_staff_active(world.admin1, gone, False)
    assert routing.on_call_person(world.clinic1.id, routing.settings_for(world.clinic1.id), NIGHT) == world.nurse1
    page = client.get("/admin/settings").get_data(as_text=True)
    assert "Former Nurse Ola" in page and "Deactivated: not paged" in page and "rota-inactive" in page


def test_the_ladder_adds_whoever_the_rota_names_when_the_deadline_passes(world, factory):
    dr_rota = factory.user("physician", world.clinic1, display_name="Dr Rota")
    add(world, 0, time(9), time(12), dr_rota)  # Monday morning, in working hours
    escalation.save_settings(world.clinic1.id, world.admin1, on_call_user_id=world.physician1.id)
    case = open_case(world)  # Monday 10:00 New York: the nurses first
    assert {r.user_id for r in case.recipients} == {world.nurse1.id}
    clock.freeze(FIXED_NOW + timedelta(minutes=60))
    escalation.sweep()
    db.session.refresh(case)
    assert case.ladder_level == 1 and {r.user_id for r in case.recipients} == {world.nurse1.id, dr_rota.id}
    assert [r.rung for r in case.recipients if r.user_id == dr_rota.id] == ["on_call"]


def test_admin_chooses_the_clinic_ladders_and_the_routing_box_names_the_backup(admin, client, world):
    escalation.save_settings(world.clinic1.id, world.admin1, on_call_user_id=world.physician1.id)
    add(world, 6, time(20), time(8), world.nurse1)
    clinic.add_shift(world.admin1, weekday=6, starts=time(20), ends=time(8), user_id=world.physician1.id, slot=2)
    page = client.get("/admin/settings").get_data(as_text=True)
    assert "team → on call → physician → clinic admin" in page and "Ladder out of hours" in page
    response = client.post("/admin/settings/on-call", headers=HX, data={
        "oncall-on_call_user_id": str(world.physician1.id), "oncall-emergency_ack_minutes": "15",
        "oncall-urgent_ack_minutes": "60", "oncall-ladder_in_hours": "nurse,physician,admin",
        "oncall-ladder_out_of_hours": "bogus,admin"})
    assert response.status_code == 200
    settings = routing.settings_for(world.clinic1.id)
    # A ladder that is not one of the choices is ignored, never stored.
    assert (settings.ladder_in_hours, settings.ladder_out_of_hours) == ("nurse,physician,admin",
                                                                         "on_call,backup,physician,admin")
    [event] = [e for e in events("escalation_settings_changed") if "ladder_in_hours" in e.detail["after"]]
    assert event.detail["after"]["ladder_in_hours"] == "nurse,physician,admin"
    clock.freeze(NIGHT)
    assert f"Backup on call: {world.physician1.display_name}." in client.get("/admin/settings").get_data(as_text=True)
