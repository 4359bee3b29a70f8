"""Issue 15 finding 2: the code step has an attempt limit per half-signed-in session and per account (counted in
the database), each code works once, and a password alone is audited apart from a finished sign-in."""
import time

import pyotp
from sqlalchemy import select

from companion.accounts.models import LoginAttempt, User
from companion.audit.models import AuditEvent
from companion.extensions import db
from tests.conftest import PASSWORD


def _password(client, user):
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"].startswith("/login/two-factor")


def _signed_in(client) -> bool:
    return client.get("/care").status_code == 200


def test_the_right_code_after_many_wrong_ones_in_one_session_is_refused(app, client, world):
    admin = world.admin1
    _password(client, admin)
    wrong = [client.post("/login/two-factor", data={"code": f"{n:06d}"}) for n in range(1, 6)]
    assert all(r.status_code == 422 for r in wrong)
    # The pending session has used its tries: even the right code now sends the person back to the password.
    right = client.post("/login/two-factor", data={"code": pyotp.TOTP(admin.totp_secret).now()})
    assert right.status_code == 302 and right.headers["Location"].endswith("/login")
    assert not _signed_in(client)


def test_code_tries_are_counted_per_account_across_sessions(app, world):
    admin = world.admin1
    for _ in range(2):  # two fresh half-signed-in sessions, five wrong codes each
        attacker = app.test_client()
        _password(attacker, admin)
        for n in range(5):
            attacker.post("/login/two-factor", data={"code": f"{n + 1:06d}"})
    fresh = app.test_client()
    _password(fresh, admin)
    refused = fresh.post("/login/two-factor", data={"code": pyotp.TOTP(admin.totp_secret).now()})
    assert refused.status_code == 422 and "Too many tries" in refused.get_data(as_text=True)
    assert not _signed_in(fresh)
    counted = db.session.scalar(select(LoginAttempt.id).where(LoginAttempt.kind == "totp").limit(1))
    assert counted is not None  # the count lives in the database (shared by every worker)


def test_a_replayed_cookie_does_not_reset_the_count(app, client, world):
    admin = world.admin1
    _password(client, admin)
    cookie = client.get_cookie("companion").value
    for n in range(5):
        client.post("/login/two-factor", data={"code": f"{n + 1:06d}"})
    replay = app.test_client()
    replay.set_cookie("companion", cookie)  # the pending session as it was before any wrong code
    answer = replay.post("/login/two-factor", data={"code": pyotp.TOTP(admin.totp_secret).now()})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/login")
    assert not _signed_in(replay)


def test_each_code_works_once(app, world):
    admin = world.admin1
    code = pyotp.TOTP(admin.totp_secret).now()
    first, second = app.test_client(), app.test_client()
    _password(first, admin)
    assert first.post("/login/two-factor", data={"code": code}).status_code == 302 and _signed_in(first)
    _password(second, admin)
    again = second.post("/login/two-factor", data={"code": code})  # the same code, seen over a shoulder
    assert again.status_code == 422 and not _signed_in(second)
    assert db.session.get(User, admin.id, populate_existing=True).totp_last_step == int(time.time()) // 30 or \
        db.session.get(User, admin.id).totp_last_step == int(time.time()) // 30 - 1


def test_password_alone_is_audited_apart_from_a_finished_sign_in(app, client, world):
    admin = world.admin1
    _password(client, admin)
    actions = list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.user_id == admin.id)))
    assert "sign_in_second_factor_pending" in actions and "sign_in" not in actions
    client.post("/login/two-factor", data={"code": pyotp.TOTP(admin.totp_secret).now()})
    actions = list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.user_id == admin.id)
                                      .order_by(AuditEvent.id)))
    assert actions[-1] == "sign_in"
