"""Shared fixtures: the app on SQLite (or PostgreSQL via TEST_DATABASE_URL), users, sign-in, htmx headers."""
import os
import re
from pathlib import Path
from datetime import datetime, timezone

import pytest
from hypothesis import settings
from hypothesis.database import DirectoryBasedExampleDatabase
from sqlalchemy import text

from companion import clock, create_app
from companion.extensions import db

PASSWORD = "correct horse battery"
PG_URL = os.environ.get("TEST_DATABASE_URL", "")
FIXED_NOW = datetime(2026, 11, 23, 15, 0, tzinfo=timezone.utc)
HX = {"HX-Request": "true"}


IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# Hypothesis. CI is seeded (derandomize: each property test draws the same examples on every run, from a hash of the
# test), so a red CI run fails again the same way, here too with HYPOTHESIS_PROFILE=ci. Other runs draw fresh
# examples and keep what failed in tests/hypothesis-examples, which is committed and replayed first by later runs;
# a counterexample worth keeping for CI goes in as an @example on the test (Hypothesis's own advice).
EXAMPLES = Path(__file__).resolve().parent / "hypothesis-examples"
settings.register_profile("dev", database=DirectoryBasedExampleDatabase(EXAMPLES), print_blob=True)
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if IN_CI else "dev"))


def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only tests are deselected on the SQLite run (not skipped: in CI any skip fails the run)."""
    if PG_URL:
        return
    keep = [item for item in items if "postgres" not in item.keywords]
    if len(keep) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if "postgres" in item.keywords])
        items[:] = keep


_skipped: list[str] = []


def pytest_runtest_logreport(report):
    """Note every skip (a test that needs ../shared, Chromium or a server must not vanish quietly in CI)."""
    if report.skipped and not hasattr(report, "wasxfail"):
        _skipped.append(f"{report.nodeid}: {report.longrepr[2] if isinstance(report.longrepr, tuple) else ''}")


def pytest_sessionfinish(session, exitstatus):
    """In CI a skipped test fails the run."""
    if IN_CI and _skipped and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter):
    """Say why CI failed when only skips are to blame."""
    if IN_CI and _skipped:
        terminalreporter.write_line(f"CI: {len(_skipped)} test(s) skipped; a skip fails CI:", red=True)
        for line in _skipped:
            terminalreporter.write_line(f"  {line}")


def _reset_postgres() -> None:
    """Empty every table (TRUNCATE does not fire the audit table's row triggers)."""
    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    db.session.commit()


_pg_schema_ready = False


def _fresh_g() -> None:
    """Forget what the previous request cached on `g`."""
    from flask import g

    g.__dict__.clear()


def make_app(tmp_path, **overrides):
    """An app for tests, with a fresh empty database."""
    global _pg_schema_ready
    url = PG_URL or f"sqlite:///{tmp_path / 'test.sqlite3'}"
    settings = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
                "ARGON2_PROFILE": "test", "DEMO_MODE": False, "SERVER_NAME": "localhost",
                "UPLOAD_DIR": str(tmp_path / "uploads"), "SMTP_URL": "",
                "NOTIFY_BACKGROUND": False}  # network sends wait for dispatch_due(), never race a test
    settings.update(overrides)
    app = create_app(settings)
    # Tests keep an app context open, which Flask reuses for requests: give every request a fresh `g`
    # so one client's signed-in user never leaks into another client's request.
    app.before_request_funcs.setdefault(None, []).insert(0, _fresh_g)
    with app.app_context():
        if PG_URL and not _pg_schema_ready:
            db.drop_all()
            db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
            db.session.commit()
            db.create_all()
            _pg_schema_ready = True
        elif PG_URL:
            _reset_postgres()
        else:
            db.create_all()
    return app


@pytest.fixture
def app(tmp_path):
    """The app with an empty database and the clock frozen at FIXED_NOW."""
    clock.freeze(FIXED_NOW)
    app = make_app(tmp_path)
    ctx = app.app_context()
    ctx.push()
    yield app
    db.session.remove()
    ctx.pop()
    clock.freeze(None)


@pytest.fixture
def client(app):
    """A test client."""
    return app.test_client()


@pytest.fixture
def factory(app):
    """Makes clinics, users, patients and caregiver links."""
    from tests.factories import Factory

    return Factory()


@pytest.fixture
def world(factory):
    """Two clinics with patients, staff and caregivers: for every access boundary."""
    return factory.world()


def login(client, user_or_email, password: str = PASSWORD, follow: bool = False):
    """Sign a test client in through the real login form (and the two-factor step if the user has it)."""
    import pyotp

    email = getattr(user_or_email, "email", user_or_email)
    response = client.post("/login", data={"email": email, "password": password})
    if response.status_code == 302 and "/login/two-factor" in response.headers["Location"]:
        response = client.post("/login/two-factor", data={"code": fresh_totp(user_or_email)})
    if follow and response.status_code == 302:
        response = client.get(response.headers["Location"], follow_redirects=True)
    return response


def fresh_totp(user) -> str:
    """A code this user has not used yet (each code works once): the current step's, else the next one's; a
    test that signs the same person in more than twice in 30 s starts that person's record of used codes over."""
    import time

    import pyotp

    from companion.accounts.models import User

    totp, current = pyotp.TOTP(user.totp_secret), int(time.time()) // 30
    row = db.session.get(User, user.id, populate_existing=True)
    step = max(current, (row.totp_last_step or 0) + 1)
    if step > current + 1:
        row.totp_last_step, step = None, current  # test shortcut only: the app itself never forgets a used step
        db.session.commit()
    return totp.generate_otp(step)


def csrf_token_from(html: str) -> str:
    """The CSRF token a page carries (hidden input or hx-headers)."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(r'"X-CSRFToken": "([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)
