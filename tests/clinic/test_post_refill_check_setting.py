"""The first post-refill check time on /admin/settings: the clinic's choice (2-12 h, default 4), audited, refused
beside the field when wrong, and the patient is offered the check at the clinic's hour (issue 12)."""
from datetime import timedelta

import pytest

from companion import clock
from companion.clinic import rules
from tests.clinic.helpers import assert_admin_only, events
from tests.conftest import FIXED_NOW, HX, login
from tests.pump.conftest import confirm, pumped, record  # noqa: F401  (pumped is a fixture)

PATH = "/admin/settings/post-refill-check"


@pytest.fixture
def admin(client, world):
    login(client, world.admin1)
    return world.admin1


def test_rule_accepts_two_to_twelve_whole_hours_only():
    assert [rules.first_check_hours_error(h) for h in (2, 4, 12)] == [None, None, None]
    assert [rules.first_check_hours_error(h) for h in (1, 13, 0, -4)] == ["first_check_range"] * 4
    assert rules.first_check_hours_error(None) == "first_check_required"


def test_page_shows_the_default_of_four_hours(client, admin, world):
    body = client.get("/admin/settings").get_data(as_text=True)
    assert 'name="postrefill-first_post_refill_hours"' in body and 'value="4"' in body
    assert world.clinic1.first_post_refill_hours == 4


def test_admin_saves_six_hours_with_htmx_audited(client, admin, world):
    response = client.post(PATH, headers=HX, data={"postrefill-first_post_refill_hours": "6"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body and "Saved." in body and 'value="6"' in body
    assert world.clinic1.first_post_refill_hours == 6 and world.clinic2.first_post_refill_hours == 4
    [event] = events("clinic_post_refill_check_changed")
    assert event.detail == {"before": {"first_post_refill_hours": 4}, "after": {"first_post_refill_hours": 6}}
    again = client.post(PATH, headers=HX, data={"postrefill-first_post_refill_hours": "6"})
    assert "No changes to save." in again.get_data(as_text=True)
    assert len(events("clinic_post_refill_check_changed")) == 1


@pytest.mark.parametrize("typed, message", [
    ("1", "Use whole hours from 2 to 12"),
    ("13", "Use whole hours from 2 to 12"),
    ("", "Enter the hours after a refill, from 2 to 12."),
    ("4.5", "Not a valid integer value."),
    ("four", "Not a valid integer value."),
])
def test_wrong_hours_are_422_beside_the_field_with_the_value_kept(client, admin, world, typed, message):
    response = client.post(PATH, headers=HX, data={"postrefill-first_post_refill_hours": typed})
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and message in body
    assert 'id="postrefill-first_post_refill_hours-error"' in body and 'aria-invalid="true"' in body
    assert f'value="{typed}"' in body and "error-summary" in body
    assert world.clinic1.first_post_refill_hours == 4 and events("clinic_post_refill_check_changed") == []


def test_only_admins_may_change_it(app, world):
    assert_admin_only(app, world, PATH, {"postrefill-first_post_refill_hours": "6"})
    assert world.clinic1.first_post_refill_hours == 4


def _breathing_tasks(app, world) -> list[str]:
    """The post-refill check lines on patient A's home screen now."""
    patient = app.test_client()
    login(patient, world.patient_a_user)
    html = patient.get("/").get_data(as_text=True)
    return [line.strip() for line in html.splitlines() if "Sleep and breathing check (" in line]


@pytest.mark.parametrize("hours", [4, 7])
def test_the_patient_is_offered_the_first_check_at_the_clinics_hour(app, pumped, hours):
    pumped.clinic1.first_post_refill_hours = hours
    confirm(pumped, record(pumped))  # the refill is performed now (the frozen clock)
    try:
        clock.freeze(FIXED_NOW + timedelta(hours=hours) - timedelta(minutes=10))
        assert _breathing_tasks(app, pumped) == []
        clock.freeze(FIXED_NOW + timedelta(hours=hours, minutes=10))
        [task] = _breathing_tasks(app, pumped)
        assert f"{hours} hours after your refill" in task
        clock.freeze(FIXED_NOW + timedelta(hours=24, minutes=10))
        [task] = _breathing_tasks(app, pumped)
        assert "24 hours after your refill" in task
    finally:
        clock.freeze(FIXED_NOW)
