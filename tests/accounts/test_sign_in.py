"""Sign-in, throttling, sessions, two-factor and password change, through HTTP."""
import time

import pyotp
from sqlalchemy import func, select

from companion.accounts.models import LoginAttempt, User
from companion.audit.models import AuditEvent
from companion.extensions import db
from tests.conftest import HX, PASSWORD, login


def test_sign_in_opens_home_and_is_audited(client, world):
    response = login(client, world.patient_a_user)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Hello, Alice" in client.get("/").get_data(as_text=True)
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.user_id == world.patient_a_user.id))
    assert "sign_in" in list(actions)


def test_wrong_password_and_unknown_email_get_the_same_message(client, world):
    wrong = client.post("/login", data={"email": world.patient_a_user.email, "password": "nope nope nope"})
    unknown = client.post("/login", data={"email": "nobody@test.example", "password": "nope nope nope"})
    assert wrong.status_code == unknown.status_code == 422
    message = "That email and password do not match"
    assert message in wrong.get_data(as_text=True) and message in unknown.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "sign_in_failed")) == 2


def test_failed_sign_in_keeps_the_email_typed(client, world):
    page = client.post("/login", data={"email": world.nurse1.email, "password": "bad"}).get_data(as_text=True)
    assert f'value="{world.nurse1.email}"' in page
    assert 'aria-invalid="true"' in page


def test_throttling_blocks_even_the_right_password_after_five_failures(client, world):
    for _ in range(5):
        client.post("/login", data={"email": world.nurse1.email, "password": "wrong password"})
    response = client.post("/login", data={"email": world.nurse1.email, "password": PASSWORD})
    assert response.status_code == 422
    assert "Too many tries" in response.get_data(as_text=True)


def test_throttle_counts_live_in_the_database_so_every_worker_sees_them(app, world, tmp_path):
    # A second app (another worker) on the same database sees the first one's failures.
    first = app.test_client()
    for _ in range(5):
        first.post("/login", data={"email": world.nurse1.email, "password": "wrong password"})
    assert db.session.scalar(select(func.count()).select_from(LoginAttempt)) == 5
    from companion import create_app

    other = create_app({**app.config, "TESTING": True}).test_client()
    response = other.post("/login", data={"email": world.nurse1.email, "password": PASSWORD})
    assert "Too many tries" in response.get_data(as_text=True)


def test_logout_revokes_a_copied_session_cookie(client, world, app):
    login(client, world.patient_a_user)
    stolen = client.get_cookie("companion").value
    pages = ("/diary", "/account", "/pump")
    assert [client.get(page).status_code for page in pages] == [200, 200, 200]
    response = client.post("/logout")
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
    thief = app.test_client()
    thief.set_cookie("companion", stolen)
    # real patient pages: each answered 200 to the same cookie before sign-out; now each sends to sign-in
    for page in pages:
        response = thief.get(page)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), page


def test_password_change_ends_other_sessions_but_keeps_this_one(app, world):
    phone, laptop = app.test_client(), app.test_client()
    login(phone, world.patient_a_user)
    login(laptop, world.patient_a_user)
    assert 'name="sign_out_others" value="y" aria-describedby="sign-out-others-hint" checked' in phone.get(
        "/account/password").get_data(as_text=True)  # ticked by default
    response = phone.post("/account/password", data={"current_password": PASSWORD, "password": "a brand new passphrase",
                                                     "confirm": "a brand new passphrase", "sign_out_others": "y"})
    assert response.status_code == 302
    page = phone.get("/account")
    assert page.status_code == 200 and "Other devices are signed out." in page.get_data(as_text=True)
    assert laptop.get("/account").status_code == 302


def test_password_change_can_keep_other_devices_signed_in(app, world):
    phone, laptop = app.test_client(), app.test_client()
    login(phone, world.patient_a_user)
    login(laptop, world.patient_a_user)
    new = "a brand new passphrase"
    response = phone.post("/account/password", data={"current_password": PASSWORD, "password": new, "confirm": new})
    assert response.status_code == 302  # the box left unticked: other devices stay signed in
    assert phone.get("/account").status_code == 200 and laptop.get("/account").status_code == 200
    assert login(app.test_client(), world.patient_a_user.email, new).status_code == 302
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "password_changed")).all()
    assert event.detail["other_devices_signed_out"] is False


def test_password_change_with_wrong_current_password_keeps_values(client, world):
    login(client, world.patient_a_user)
    response = client.post("/account/password", data={"current_password": "wrong", "password": "short",
                                                      "confirm": "short"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Use at least 12 characters" in page


def test_staff_idle_timeout_ends_the_session(client, world, app):
    login(client, world.nurse1)
    assert client.get("/care").status_code == 200
    with client.session_transaction() as session:
        session["seen_at"] = int(time.time()) - app.config["STAFF_IDLE_MINUTES"] * 60 - 5
    assert client.get("/care").status_code == 302


def test_patients_are_not_subject_to_the_staff_idle_timeout(client, world, app):
    login(client, world.patient_a_user)
    with client.session_transaction() as session:
        session["seen_at"] = int(time.time()) - 3 * 3600
    assert client.get("/").status_code == 200


def test_absolute_lifetime_ends_a_patient_session(client, world, app):
    login(client, world.patient_a_user)
    with client.session_transaction() as session:
        session["login_at"] = int(time.time()) - app.config["PATIENT_SESSION_DAYS"] * 86400 - 5
    assert client.get("/").status_code == 302


def test_expired_session_on_htmx_request_gets_hx_redirect_not_a_login_page(client, world, app):
    login(client, world.nurse1)
    with client.session_transaction() as session:
        session["seen_at"] = 0
    response = client.get("/care", headers=HX)
    assert response.status_code == 200
    assert response.headers["HX-Redirect"].startswith("/login")
    assert "Sign in" not in response.get_data(as_text=True)


def test_staff_with_two_factor_need_the_code(client, world):
    nurse = world.nurse1
    nurse.totp_secret, nurse.totp_enabled = pyotp.random_base32(), True
    db.session.commit()
    response = client.post("/login", data={"email": nurse.email, "password": PASSWORD})
    assert response.headers["Location"].startswith("/login/two-factor")
    assert client.get("/care").status_code == 302  # not signed in yet
    assert client.post("/login/two-factor", data={"code": "000000"}).status_code == 422
    client.post("/login/two-factor", data={"code": pyotp.TOTP(nurse.totp_secret).now()})
    assert client.get("/care").status_code == 200


def test_admin_without_two_factor_must_set_it_up(client, factory, world):
    admin = factory.user("admin", world.clinic1, totp_enabled=False)
    login(client, admin)
    response = client.get("/admin/audit")
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/two-factor")
    page = client.get("/account/two-factor")
    assert page.status_code == 200 and "Set up two-step sign-in" in page.get_data(as_text=True)
    assert db.session.get(User, admin.id).totp_secret is None  # opening the page makes no secret
    shown = client.post("/account/two-factor", data={"start": "1"}).get_data(as_text=True)
    secret = db.session.get(User, admin.id).totp_secret
    assert secret and secret in shown and "<svg" in shown
    assert client.get("/account/two-factor").get_data(as_text=True).count(secret) == 1  # a reload shows the same key
    assert client.post("/account/two-factor", data={"code": "000000"}).status_code == 422
    client.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert client.get("/admin/audit").status_code == 200
    assert secret not in client.get("/account/two-factor").get_data(as_text=True)  # never shown again once on


def test_open_redirect_through_next_is_refused(client, world):
    response = client.post("/login?next=//evil.example/x", data={"email": world.patient_a_user.email,
                                                                 "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_deactivated_staff_session_ends_at_once(app, world):
    from companion.accounts import services

    nurse_client = app.test_client()
    login(nurse_client, world.nurse1)
    assert nurse_client.get("/care").status_code == 200
    services.set_active(world.admin1, world.nurse1, False)
    assert nurse_client.get("/care").status_code == 302
    assert login(app.test_client(), world.nurse1).status_code == 422
