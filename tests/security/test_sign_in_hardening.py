"""Issue 15 findings 5-7: weak and personal passwords refused, X-Forwarded-For believed only behind a configured
proxy, and wrong passwords from many addresses slow the attacker without locking the owner out."""
import pytest
from sqlalchemy import select

from companion.accounts.passwords import check_new_password
from companion.audit.models import AuditEvent
from companion.extensions import db
from tests.conftest import PASSWORD, login, make_app

STRONG = "maple lantern orbit 42"


@pytest.mark.parametrize("weak", ["password1234", "aaaaaaaaaaaa", "qwerty123456", "123412341234", "iloveyou2026"])
def test_common_and_repetitive_passwords_are_refused(app, weak):
    assert check_new_password(weak) is not None


def test_a_long_passphrase_is_accepted(app):
    assert check_new_password(STRONG) is None


def test_the_demo_password_is_refused_outside_demo_mode(app):
    from companion.demo import PASSWORD as DEMO

    app.config["DEMO_MODE"] = False
    assert check_new_password(DEMO + "-2026") is not None
    app.config["DEMO_MODE"] = True
    assert check_new_password("companion-demo-maple-7") is None


def test_the_persons_own_email_and_name_are_refused(app):
    assert check_new_password("alice.smith2026!", ["alice.smith@example.org"]) is not None
    assert check_new_password("Henrietta-Lovelace", ["x@example.org", "Henrietta Lovelace"]) is not None


def test_enrolment_refuses_the_email_prefix_as_password(app, client, world):
    from companion.accounts import services

    code = services.issue_enrolment_code(world.nurse1, world.patient_b)
    world.patient_b.user_id = None
    db.session.commit()
    response = client.post("/enrol", data={"code": code, "email": "margaret.hughes@example.org",
                                           "password": "margaret.hughes1", "confirm": "margaret.hughes1"})
    assert response.status_code == 422 and "email or name" in response.get_data(as_text=True)


def test_forwarded_for_is_ignored_without_a_configured_proxy(app, world):
    """make run has no proxy: a client's X-Forwarded-For neither dodges the throttle nor forges the audit IP."""
    limit = app.config["LOGIN_MAX_FAILURES"] * 4
    for n in range(limit):
        app.test_client().post("/login", data={"email": f"guess{n}@test.example", "password": "wrong password!"},
                               headers={"X-Forwarded-For": f"203.0.113.{n}"})
    refused = app.test_client().post("/login", data={"email": world.patient_b_user.email, "password": PASSWORD},
                                     headers={"X-Forwarded-For": "198.51.100.7"})
    assert refused.status_code == 422 and "Too many tries" in refused.get_data(as_text=True)
    ips = set(db.session.scalars(select(AuditEvent.ip).where(AuditEvent.action == "sign_in_failed")))
    assert ips == {"127.0.0.1"}


def test_forwarded_for_is_believed_behind_the_configured_number_of_proxies(tmp_path):
    proxied = make_app(tmp_path, TRUSTED_PROXIES=1)
    with proxied.app_context():
        proxied.test_client().post("/login", data={"email": "nobody@test.example", "password": "wrong password!"},
                                   headers={"X-Forwarded-For": "198.51.100.7"})
        ips = set(db.session.scalars(select(AuditEvent.ip).where(AuditEvent.action == "sign_in_failed")))
    assert ips == {"198.51.100.7"}


def _from(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_wrong_passwords_from_rotating_addresses_do_not_lock_the_owner_out(app, world):
    for n in range(app.config["LOGIN_MAX_FAILURES"] * 2):
        assert login(_from(app, f"203.0.113.{n}"), world.patient_a_user, "wrong password!").status_code == 422
    assert login(_from(app, "192.0.2.10"), world.patient_a_user).status_code == 302  # the owner, at home


def test_the_attacker_address_is_locked_for_that_account(app, world):
    attacker = _from(app, "203.0.113.9")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        login(attacker, world.patient_a_user, "wrong password!")
    refused = login(attacker, world.patient_a_user)  # even the right password, from the attacker's address
    assert refused.status_code == 422 and "Too many tries" in refused.get_data(as_text=True)


def test_past_a_higher_per_account_bar_each_try_waits_longer(app, world):
    from datetime import timedelta

    from companion import clock
    from tests.conftest import FIXED_NOW

    bar = app.config["LOGIN_MAX_FAILURES"] * 4
    for n in range(bar):
        login(_from(app, f"203.0.113.{n}"), world.patient_a_user, "wrong password!")
    spread = login(_from(app, "198.51.100.1"), world.patient_a_user)  # right away: waits a little
    assert spread.status_code == 422 and "Too many tries" in spread.get_data(as_text=True)
    clock.freeze(FIXED_NOW + timedelta(seconds=61))  # the longest wait is a minute, never the whole window
    assert login(_from(app, "192.0.2.10"), world.patient_a_user).status_code == 302
