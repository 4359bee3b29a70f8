"""/admin/settings: each section saves with htmx, 422 keeps values, thresholds only tighten, all audited."""
import pytest
from sqlalchemy import select

from companion.escalation import routing
from companion.escalation.models import ClinicEscalationSettings, ClinicThreshold
from companion.extensions import db
from tests.clinic.helpers import THRESHOLD_FORM, events
from tests.conftest import HX, login


@pytest.fixture
def admin(client, world):
    login(client, world.admin1)
    return world.admin1


def test_settings_page_shows_every_section_with_sources_and_units(client, admin, world):
    page = client.get("/admin/settings").get_data(as_text=True)
    for text in ("Phone numbers", "Time zone and working hours", "Escalation ladder", "Red-flag thresholds",
                 "Refill reminders", "14, 7, 2, 1 days before", "on the day", "/care/pump-settings", "breaths/min", "S14", "°C",
                 world.clinic1.out_of_hours_phone, 'id="contacts-status"', 'aria-live="polite"'):
        assert text in page, text
    assert world.clinic2.name not in page


def test_phone_numbers_save_with_htmx_and_are_audited_with_before_and_after(client, admin, world):
    response = client.post("/admin/settings/contacts", headers=HX, data={
        "contacts-phone": "+1 555 000 1000", "contacts-out_of_hours_phone": "+1 555 777 8888",
        "contacts-emergency_number": "911"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert 'id="contacts-status" hx-swap-oob="innerHTML"><span>Saved.</span>' in body and 'value="+1 555 777 8888"' in body
    assert world.clinic1.out_of_hours_phone == "+1 555 777 8888"
    [event] = events("clinic_contacts_changed")
    assert event.detail == {"before": {"out_of_hours_phone": "+1 555 000 1999"},
                            "after": {"out_of_hours_phone": "+1 555 777 8888"}}
    assert (event.user_id, event.clinic_id) == (admin.id, world.clinic1.id)


def test_saving_unchanged_numbers_writes_no_audit_event(client, admin, world):
    body = client.post("/admin/settings/contacts", headers=HX, data={
        "contacts-phone": world.clinic1.phone, "contacts-out_of_hours_phone": world.clinic1.out_of_hours_phone,
        "contacts-emergency_number": "911"}).get_data(as_text=True)
    assert "No changes to save." in body and events("clinic_contacts_changed") == []


def test_bad_phone_number_is_422_with_the_error_beside_the_field_and_values_kept(client, admin, world):
    response = client.post("/admin/settings/contacts", headers=HX, data={
        "contacts-phone": "call the desk", "contacts-out_of_hours_phone": "+1 555 222 3333",
        "contacts-emergency_number": "9-1-1"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="call the desk"' in body and 'value="+1 555 222 3333"' in body and 'value="9-1-1"' in body
    assert 'aria-invalid="true"' in body and 'id="contacts-phone-error"' in body
    assert 'aria-describedby="contacts-phone-hint contacts-phone-error"' in body and "error-summary" in body
    assert "Not saved. Check the fields marked." in body
    assert world.clinic1.out_of_hours_phone == "+1 555 000 1999" and events("clinic_contacts_changed") == []


def test_full_page_post_without_htmx_still_works(client, admin, world):
    response = client.post("/admin/settings/contacts", data={
        "contacts-phone": "+1 555 000 1000", "contacts-out_of_hours_phone": "+1 555 444 5555",
        "contacts-emergency_number": "112"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" in body and "Saved." in body
    assert world.clinic1.emergency_number == "112"


def test_time_zone_and_working_hours_save_in_one_go(client, admin, world):
    response = client.post("/admin/settings/hours", headers=HX, data={
        "hours-timezone": "Europe/Berlin", "hours-hours_start": "7", "hours-hours_end": "19",
        "hours-working_days": ["0", "1", "2", "3", "4", "5"]})
    assert response.status_code == 200, response.get_data(as_text=True)
    row = db.session.scalar(select(ClinicEscalationSettings).where(
        ClinicEscalationSettings.clinic_id == world.clinic1.id))
    assert (row.hours_start, row.hours_end, row.working_days) == (7, 19, "0,1,2,3,4,5")
    assert world.clinic1.timezone == "Europe/Berlin"
    [tz] = events("clinic_timezone_changed")
    assert tz.detail["before"] == {"timezone": "America/New_York"} and tz.detail["after"] == {"timezone": "Europe/Berlin"}
    [esc] = events("escalation_settings_changed")
    assert esc.detail["before"]["hours_start"] == 8 and esc.detail["after"]["hours_start"] == 7
    assert 'id="routing-now" class="routing-now" hx-swap-oob="true"' in response.get_data(as_text=True)


@pytest.mark.parametrize("data,field,message", [
    ({"hours-timezone": "Mars/Olympus", "hours-hours_start": "8", "hours-hours_end": "17",
      "hours-working_days": ["0"]}, "hours-timezone", "Use a time zone name from the list"),
    ({"hours-timezone": "UTC", "hours-hours_start": "17", "hours-hours_end": "9",
      "hours-working_days": ["0"]}, "hours-hours_end", "The end must be later than the start."),
    ({"hours-timezone": "UTC", "hours-hours_start": "8", "hours-hours_end": "17"}, "hours-working_days",
     "Choose at least one working day."),
])
def test_bad_working_hours_are_422_and_keep_values(client, admin, world, data, field, message):
    response = client.post("/admin/settings/hours", headers=HX, data=data)
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and message in body and f'id="{field}-error"' in body
    assert f'value="{data["hours-timezone"]}"' in body
    assert world.clinic1.timezone == "America/New_York" and events("escalation_settings_changed") == []


def test_on_call_and_deadlines_save_and_route_out_of_hours_cases(client, admin, world):
    response = client.post("/admin/settings/on-call", headers=HX, data={
        "oncall-on_call_user_id": str(world.physician1.id), "oncall-emergency_ack_minutes": "10",
        "oncall-urgent_ack_minutes": "45"})
    assert response.status_code == 200
    settings = routing.settings_for(world.clinic1.id)
    assert (settings.on_call_user_id, settings.emergency_ack_minutes, settings.urgent_ack_minutes) == (
        world.physician1.id, 10, 45)
    assert routing.rung_people(world.clinic1.id, "on_call", settings) == [world.physician1]
    [event] = events("escalation_settings_changed")
    assert event.detail["before"]["on_call_user_id"] is None and event.detail["after"]["on_call_user_id"] == world.physician1.id


@pytest.mark.parametrize("changes,field,message", [
    ({"oncall-emergency_ack_minutes": "45"}, "oncall-emergency_ack_minutes", "Use whole minutes from 1 to 30."),
    ({"oncall-emergency_ack_minutes": "20", "oncall-urgent_ack_minutes": "10"}, "oncall-emergency_ack_minutes",
     "no later than an urgent case"),
    ({"oncall-urgent_ack_minutes": ""}, "oncall-urgent_ack_minutes", "Enter whole minutes."),
])
def test_bad_deadlines_are_422_and_keep_values(client, admin, world, changes, field, message):
    data = {"oncall-on_call_user_id": "", "oncall-emergency_ack_minutes": "15", "oncall-urgent_ack_minutes": "60",
            **changes}
    response = client.post("/admin/settings/on-call", headers=HX, data=data)
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and message in body and f'id="{field}-error"' in body
    for key, value in changes.items():
        assert f'value="{value}"' in body or value == ""
    assert events("escalation_settings_changed") == []


def test_another_clinics_nurse_cannot_be_put_on_call(client, admin, world):
    response = client.post("/admin/settings/on-call", headers=HX, data={
        "oncall-on_call_user_id": str(world.nurse2.id), "oncall-emergency_ack_minutes": "15",
        "oncall-urgent_ack_minutes": "60"})
    assert response.status_code == 422 and "Choose an active nurse or physician of this clinic." in response.get_data(as_text=True)
    assert routing.settings_for(world.clinic1.id).on_call_user_id is None


def test_tightening_a_threshold_saves_audits_and_changes_the_rules(client, admin, world):
    response = client.post("/admin/settings/thresholds", headers=HX,
                           data={**THRESHOLD_FORM, "thresholds-fever_c": "37.8", "thresholds-breaths_per_min_min": "12"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "Saved." in body and "Tightened" in body
    values = {n: t.value for n, t in routing.clinic_thresholds(world.clinic1.id).items()}
    assert values["fever_c"] == 37.8 and values["breaths_per_min_min"] == 12
    assert routing.clinic_thresholds(world.clinic2.id)["fever_c"].value == 38.0
    changes = {e.object_id: (e.detail["before"], e.detail["after"]) for e in events("clinic_threshold_changed")}
    assert changes == {"fever_c": (38.0, 37.8), "breaths_per_min_min": (10.0, 12.0)}


@pytest.mark.parametrize("name,value,message", [
    ("fever_c", "38.5", "Refused: higher than the default 38 °C would loosen this urgent rule."),
    ("breaths_per_min_min", "8", "Refused: lower than the default 10 breaths/min would loosen this emergency rule."),
    ("breaths_per_min_min", "25", "this would alert on ordinary days"),
])
def test_loosening_or_absurd_thresholds_are_refused_beside_the_field(client, admin, world, name, value, message):
    data = {**THRESHOLD_FORM, f"thresholds-{name}": value, "thresholds-constipation_days": "2"}
    response = client.post("/admin/settings/thresholds", headers=HX, data=data)
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and message in body
    assert f'id="thresholds-{name}-error"' in body and f'value="{value}"' in body and 'value="2"' in body
    # Nothing is saved, not even the valid tightening sent with it.
    assert db.session.scalar(select(ClinicThreshold)) is None and events("clinic_threshold_changed") == []


def test_threshold_can_go_back_to_the_default_but_not_past_it(client, admin, world):
    client.post("/admin/settings/thresholds", headers=HX, data={**THRESHOLD_FORM, "thresholds-fever_c": "37.5"})
    response = client.post("/admin/settings/thresholds", headers=HX, data=THRESHOLD_FORM)
    assert response.status_code == 200
    assert routing.clinic_thresholds(world.clinic1.id)["fever_c"].value == 38.0
