"""Clinic flag "staff must use two-factor": toggled by the admin (audited); enforced for nurses and physicians."""
import pyotp
import pytest

from companion.extensions import db
from tests.clinic.helpers import assert_admin_only, events
from tests.conftest import HX, login

SETUP = "/account/two-factor"


def require(world, on=True):
    """Turn the flag on (or off) for clinic 1."""
    world.clinic1.staff_two_factor = on
    db.session.commit()


@pytest.mark.parametrize("who", ["nurse1", "physician1"])
def test_flag_on_sends_a_clinician_without_totp_to_the_set_up(app, world, who):
    require(world)
    person = app.test_client()
    assert login(person, getattr(world, who)).status_code == 302
    assert person.get("/care").headers["Location"].endswith(SETUP)
    assert person.get("/care/patients").headers["Location"].endswith(SETUP)
    assert person.get("/care", headers=HX).headers["HX-Redirect"].endswith(SETUP)
    assert person.get(SETUP).status_code == 200  # the set-up itself stays open


def test_flag_off_lets_a_clinician_without_totp_in(client, world):
    login(client, world.nurse1)
    assert client.get("/care").status_code == 200


def test_flag_on_only_affects_its_own_clinic(app, world):
    require(world)
    other = app.test_client()
    login(other, world.nurse2)
    assert other.get("/care").status_code == 200


def test_flag_on_does_not_block_a_clinician_who_has_totp(app, world, factory):
    require(world)
    nurse = factory.user("nurse", world.clinic1, totp_enabled=True, totp_secret=pyotp.random_base32())
    client = app.test_client()
    login(client, nurse)  # signs in with a code
    assert client.get("/care").status_code == 200


def test_admin_without_totp_is_always_sent_to_the_set_up(app, world, factory):
    admin = factory.user("admin", world.clinic1, totp_enabled=False)
    client = app.test_client()
    login(client, admin)
    assert client.get("/admin/settings").headers["Location"].endswith(SETUP)


def test_demo_staff_skip_it_in_demo_mode_only(app, world, factory):
    require(world)
    nurse = factory.user("nurse", world.clinic1, demo=True)
    client = app.test_client()
    login(client, nurse)
    app.config["DEMO_MODE"] = True
    assert client.get("/care").status_code == 200
    app.config["DEMO_MODE"] = False
    assert client.get("/care").headers["Location"].endswith(SETUP)


def test_admin_toggles_the_flag_with_htmx_audited(client, world):
    login(client, world.admin1)
    response = client.post("/admin/settings/two-factor", headers=HX, data={"security-staff_two_factor": "y"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "Saved." in body and "checked" in body
    assert world.clinic1.staff_two_factor is True
    response = client.post("/admin/settings/two-factor", headers=HX, data={})
    assert response.status_code == 200 and world.clinic1.staff_two_factor is False
    first, second = events("clinic_staff_two_factor_changed")
    assert first.detail == {"before": {"staff_two_factor": False}, "after": {"staff_two_factor": True}}
    assert second.detail == {"before": {"staff_two_factor": True}, "after": {"staff_two_factor": False}}
    assert "No changes to save." in client.post("/admin/settings/two-factor", headers=HX, data={}).get_data(as_text=True)


def test_only_admins_may_toggle_it(app, world):
    assert_admin_only(app, world, "/admin/settings/two-factor", {"security-staff_two_factor": "y"})
    assert world.clinic1.staff_two_factor is False
