"""/admin/staff: invite with a one-time set-up link, join, deactivate (sessions end at once), reset two-factor."""
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
from sqlalchemy import select

from companion import clock
from companion.accounts.models import User
from companion.extensions import db
from tests.clinic.helpers import events
from tests.conftest import FIXED_NOW, HX, PASSWORD, login

NEW_PASSWORD = "river lantern copper seven"


@pytest.fixture
def admin(client, world):
    login(client, world.admin1)
    return world.admin1


def invite(client, email="new.nurse@test.example", role="nurse", name="Nell Newman"):
    """Invite through the page; return the set-up code from the link shown once."""
    response = client.post("/admin/staff/invite", headers=HX, data={"display_name": name, "email": email, "role": role})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_data(as_text=True)
    link = body.split('id="invite-link" type="text" value="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    return parse_qs(urlsplit(link).fragment)["code"][0], body  # in the fragment: never sent to a server


def test_staff_page_lists_only_this_clinics_staff(client, admin, world):
    page = client.get("/admin/staff").get_data(as_text=True)
    assert world.nurse1.display_name in page and world.physician1.display_name in page
    assert world.nurse2.display_name not in page and world.admin2.display_name not in page
    assert world.patient_a_user.email not in page


def test_invite_creates_an_account_shows_a_one_time_link_and_is_audited(client, admin, world):
    code, body = invite(client)
    user = db.session.scalar(select(User).where(User.email == "new.nurse@test.example"))
    assert (user.role, user.clinic_id, user.display_name, user.active) == ("nurse", world.clinic1.id, "Nell Newman", True)
    assert "Nell Newman is invited." in body and 'hx-swap-oob="true"' in body and "Invited" in body
    [event] = events("staff_invited")
    assert event.detail["after"] == {"display_name": "Nell Newman", "email": "new.nurse@test.example", "role": "nurse"}
    assert code not in str(event.detail)
    # Nobody can sign in to the account before the person sets a password.
    assert client.application.test_client().post("/login", data={"email": user.email, "password": ""}).status_code == 422


@pytest.mark.parametrize("data,field,message", [
    ({"display_name": "", "email": "a@test.example", "role": "nurse"}, "display_name", "Please enter the name."),
    ({"display_name": "Al", "email": "not-an-email", "role": "nurse"}, "email", "Please check the email address."),
    ({"display_name": "Al", "email": "a@test.example", "role": "patient"}, "role", "Not a valid choice"),
])
def test_invite_errors_are_422_with_values_kept(client, admin, data, field, message):
    response = client.post("/admin/staff/invite", headers=HX, data=data)
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and message in body and f'id="{field}-error"' in body
    assert f'value="{data["email"]}"' in body
    assert db.session.scalar(select(User).where(User.email == data["email"])) is None


def test_invite_with_an_email_in_use_is_refused(client, admin, world):
    # In the admin's own clinic (another clinic's email is answered like a new one: tests/security).
    response = client.post("/admin/staff/invite", headers=HX,
                           data={"display_name": "Dup", "email": world.nurse1.email, "role": "nurse"})
    assert response.status_code == 422 and "This email already has an account." in response.get_data(as_text=True)


def test_set_up_link_works_once(app, client, admin, world):
    code, _ = invite(client)
    newcomer = app.test_client()
    page = newcomer.get(f"/staff/join?code={code}", follow_redirects=True).get_data(as_text=True)
    assert "Clinic One" in page and "Nurse" in page and "new.nurse@test.example" in page
    response = newcomer.post("/staff/join", data={"code": code, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert newcomer.get("/care").status_code == 200  # signed in as the new nurse
    assert events("staff_joined")[0].object_id == str(db.session.scalar(
        select(User.id).where(User.email == "new.nurse@test.example")))
    again = app.test_client().post("/staff/join", data={"code": code, "password": "another long passphrase",
                                                          "confirm": "another long passphrase"})
    assert again.status_code == 422 and "This set-up link does not work." in again.get_data(as_text=True)
    fresh = app.test_client()
    assert login(fresh, "new.nurse@test.example", NEW_PASSWORD).status_code == 302
    assert "Invited" not in client.get("/admin/staff").get_data(as_text=True)


def test_set_up_link_expires(app, client, admin):
    code, _ = invite(client)
    clock.freeze(FIXED_NOW + timedelta(hours=73))
    page = app.test_client().get(f"/staff/join?code={code}", follow_redirects=True).get_data(as_text=True)
    assert "This link does not work" in page and "<form" not in page


def test_weak_password_is_422_and_the_link_still_works(app, client, admin):
    code, _ = invite(client)
    newcomer = app.test_client()
    response = newcomer.post("/staff/join", data={"code": code, "password": "short", "confirm": "short"})
    assert response.status_code == 422 and "Use at least 12 characters." in response.get_data(as_text=True)
    assert newcomer.post("/staff/join", data={"code": code, "password": NEW_PASSWORD,
                                              "confirm": NEW_PASSWORD}).status_code == 302


def test_new_link_replaces_the_old_one(app, client, admin):
    old_code, _ = invite(client)
    user = db.session.scalar(select(User).where(User.email == "new.nurse@test.example"))
    body = client.post(f"/admin/staff/{user.id}/renew-invite", headers=HX).get_data(as_text=True)
    new_code = parse_qs(urlsplit(body.split('id="invite-link" type="text" value="', 1)[1].split('"', 1)[0]
                                 .replace("&amp;", "&")).fragment)["code"][0]
    opened = [app.test_client().get(f"/staff/join?code={c}", follow_redirects=True).get_data(as_text=True)
              for c in (old_code, new_code)]
    assert "This link does not work" in opened[0] and "Set up your staff account" in opened[1]
    assert events("staff_invite_renewed")


def test_an_invited_admin_must_set_up_two_factor_first(app, client, admin):
    code, _ = invite(client, email="second.admin@test.example", role="admin", name="Ada Second")
    newcomer = app.test_client()
    response = newcomer.post("/staff/join", data={"code": code, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.headers["Location"].endswith("/account/two-factor")
    assert newcomer.get("/admin/settings").headers["Location"].endswith("/account/two-factor")


def test_deactivating_ends_the_persons_session_at_once_and_reactivating_lets_them_back(app, client, admin, world):
    nurse = app.test_client()
    login(nurse, world.nurse1)
    assert nurse.get("/care").status_code == 200
    response = client.post(f"/admin/staff/{world.nurse1.id}/deactivate", headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "Deactivated" in body and "signed out everywhere" in body
    assert nurse.get("/care").status_code == 302  # the open session ended
    assert nurse.get("/care", headers=HX).headers.get("HX-Redirect", "").startswith("/login")
    assert login(app.test_client(), world.nurse1).status_code == 422  # cannot sign in again
    assert events("account_deactivated")[0].object_id == str(world.nurse1.id)
    client.post(f"/admin/staff/{world.nurse1.id}/reactivate", headers=HX)
    assert login(nurse, world.nurse1).status_code == 302 and nurse.get("/care").status_code == 200
    assert events("account_reactivated")


def test_an_admin_cannot_deactivate_themselves(client, admin):
    response = client.post(f"/admin/staff/{admin.id}/deactivate", headers=HX)
    assert response.status_code == 422 and "You cannot deactivate your own account." in response.get_data(as_text=True)
    assert admin.active and client.get("/admin/staff").status_code == 200


def test_reset_two_factor_forces_set_up_at_next_sign_in(app, client, admin, factory, world):
    secret = pyotp.random_base32()
    nurse_user = factory.user("nurse", world.clinic1, totp_enabled=True, totp_secret=secret)
    nurse = app.test_client()
    login(nurse, nurse_user)
    assert nurse.get("/care").status_code == 200
    response = client.post(f"/admin/staff/{nurse_user.id}/reset-two-factor", headers=HX)
    assert response.status_code == 200 and "Reset: set up at next sign-in" in response.get_data(as_text=True)
    assert (nurse_user.totp_secret, nurse_user.totp_enabled) == (None, False)
    assert nurse.get("/care").status_code == 302  # signed out by the reset
    [event] = events("two_factor_reset")
    assert event.detail == {"before": {"two_factor": True}, "after": {"two_factor": False}}
    # Next sign-in: no code asked (there is none), but every page leads to the set-up until it is done.
    assert login(nurse, nurse_user).headers["Location"] == "/"
    assert nurse.get("/care").headers["Location"].endswith("/account/two-factor")
    assert nurse.get("/care", headers=HX).headers["HX-Redirect"].endswith("/account/two-factor")
    assert nurse.get("/account/two-factor").status_code == 200  # the page alone makes no secret (GET is pure)
    nurse.post("/account/two-factor", data={"start": "1"})  # the set-up button
    db.session.refresh(nurse_user)
    assert nurse.post("/account/two-factor", data={"code": pyotp.TOTP(nurse_user.totp_secret).now()}).status_code == 302
    assert nurse.get("/care").status_code == 200


def test_reset_two_factor_of_someone_without_it_is_refused(client, admin, world):
    response = client.post(f"/admin/staff/{world.nurse1.id}/reset-two-factor", headers=HX)
    assert response.status_code == 422 and "nothing to reset" in response.get_data(as_text=True)
    assert events("two_factor_reset") == []


def test_another_clinics_admin_gets_404_and_changes_nothing(app, world):
    other = app.test_client()
    login(other, world.admin2)
    for action in ("deactivate", "reactivate", "reset-two-factor", "renew-invite"):
        assert other.post(f"/admin/staff/{world.nurse1.id}/{action}", headers=HX).status_code == 404, action
    assert world.nurse1.active
    assert world.nurse1.display_name not in other.get("/admin/staff").get_data(as_text=True)
    assert events("access_refused")[0].user_id == world.admin2.id


def test_patient_accounts_are_not_staff_for_these_actions(client, admin, world):
    assert client.post(f"/admin/staff/{world.patient_a_user.id}/deactivate").status_code == 404
    assert world.patient_a_user.active


@pytest.mark.parametrize("who", ["nurse1", "physician1"])
def test_clinicians_get_403_on_every_admin_route(app, world, who):
    staff = app.test_client()
    login(staff, getattr(world, who))
    tried = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/admin"):
            continue
        url = rule.build({k: world.nurse1.id for k in rule.arguments}, append_unknown=False)[1]
        for method in rule.methods & {"GET", "POST"}:
            assert staff.open(url, method=method).status_code == 403, (rule.rule, method)
            tried += 1
    assert tried >= 12 and world.nurse1.active


def test_anonymous_is_sent_to_sign_in(client, world):
    assert "/login" in client.get("/admin/staff").headers["Location"]
    assert client.post(f"/admin/staff/{world.nurse1.id}/deactivate", headers=HX).headers["HX-Redirect"].startswith("/login")
    assert client.get("/staff/join").status_code == 200  # public: explains that a link is needed
    assert PASSWORD
