"""Refill reminder days on /admin/settings: saved per clinic (audited), refused beside the field when wrong."""
import pytest

from tests.clinic.helpers import assert_admin_only, events
from tests.conftest import HX, login


@pytest.fixture
def admin(client, world):
    login(client, world.admin1)
    return world.admin1


def test_page_shows_the_default_days_in_an_editable_field(client, admin):
    body = client.get("/admin/settings").get_data(as_text=True)
    assert 'name="reminders-offsets"' in body and 'value="14, 7, 2, 1, 0"' in body
    assert "14, 7, 2, 1 days before" in body and "on the day" in body


def test_admin_saves_new_days_with_htmx_audited(client, admin, world):
    response = client.post("/admin/settings/reminders", headers=HX, data={"reminders-offsets": "3, 10"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body and "Saved." in body
    assert 'value="10, 3"' in body and "10, 3 days before" in body and "on the day" not in body
    assert world.clinic1.reminder_offsets == "10,3" and world.clinic2.reminder_offsets == "14,7,2,1,0"
    [event] = events("clinic_reminder_offsets_changed")
    assert event.detail == {"before": {"reminder_offsets": "14,7,2,1,0"}, "after": {"reminder_offsets": "10,3"}}


@pytest.mark.parametrize("typed, message", [
    ("61", "Use whole days from 0 (the day of the visit) to 60"),
    ("2.5, 1", "Use whole days from 0 (the day of the visit) to 60"),
    ("7, 7", "Each day may appear only once."),
    ("1, 2, 3, 4, 5, 6, 7", "Use at most 6 reminder days."),
    ("", "Enter at least one day"),
])
def test_wrong_days_are_422_beside_the_field_with_the_value_kept(client, admin, world, typed, message):
    response = client.post("/admin/settings/reminders", headers=HX, data={"reminders-offsets": typed})
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and message in body and 'id="reminders-offsets-error"' in body
    assert f'value="{typed}"' in body and 'aria-invalid="true"' in body and "error-summary" in body
    assert world.clinic1.reminder_offsets == "14,7,2,1,0" and events("clinic_reminder_offsets_changed") == []


def test_only_admins_may_change_them(app, world):
    assert_admin_only(app, world, "/admin/settings/reminders", {"reminders-offsets": "1"})
    assert world.clinic1.reminder_offsets == "14,7,2,1,0"
