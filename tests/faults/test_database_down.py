"""The database goes away under a request: a calm 503 that needs no database, then the same client works again."""
import logging

import pytest
import textstat
from sqlalchemy import func, select

from companion.diary.models import DiaryEntry
from companion.extensions import db
from tests.conftest import HX, login
from tests.diary.helpers import ORDINARY, form, new_id


def entries(client_entry_id: str | None = None) -> int:
    """How many diary entries are stored (for one client UUID, if given)."""
    stmt = select(func.count(DiaryEntry.id))
    if client_entry_id:
        stmt = stmt.where(DiaryEntry.client_entry_id == client_entry_id)
    return db.session.scalar(stmt)


class Records(logging.Handler):
    """Keeps every log record (pytest's own capture may be switched off with -p no:logging)."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def logged():
    """Every log record written during the test, from any logger."""
    handler, root = Records(), logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler.records
    root.removeHandler(handler)
    root.setLevel(old_level)


@pytest.mark.parametrize("error", ["OperationalError", "InterfaceError"])
def test_a_page_during_an_outage_is_a_calm_503_with_the_emergency_guidance_then_works_again(client, world, outage,
                                                                                            error):
    login(client, world.patient_a_user)
    outage.error, outage.down = error, True
    response = client.get("/diary")
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert "Companion is briefly unavailable" in html and "Please try again in a minute." in html
    assert "Entries waiting on this phone are safe." in html and 'href="/diary"' in html
    assert "Call 911 now if:" in html and 'href="tel:911"' in html  # the emergency guidance never goes away
    assert "Traceback" not in html and "simulated outage" not in html and "SELECT" not in html
    # The security headers are on the 503 too; nothing of it may be cached.
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert response.headers["X-Content-Type-Options"] == "nosniff" and response.headers["Cache-Control"] == "no-store"
    outage.down = False
    again = client.get("/diary")
    assert again.status_code == 200 and 'data-signed-in="yes"' in again.get_data(as_text=True)


def test_an_anonymous_page_during_an_outage_is_a_503_too(client, world, outage):
    email = world.patient_a_user.email
    outage.down = True
    response = client.post("/login", data={"email": email, "password": "x"})
    assert response.status_code == 503 and "Call 911 now if:" in response.get_data(as_text=True)
    assert 'href="/"' in response.get_data(as_text=True)  # "Try again" after a POST goes to the start, not a re-post
    outage.down = False
    assert login(client, world.patient_a_user).status_code == 302


@pytest.mark.parametrize("who", ["patient_a_user", "nurse1", None])
def test_style_sheets_scripts_and_icons_still_load_during_an_outage(client, world, outage, who):
    """The 503 page and the offline shell need their CSS and JS: public assets never load the user."""
    if who:
        login(client, getattr(world, who))
    outage.down = True
    for path in ("/static/css/app.css", "/static/js/app.js", "/icons/icon-192.png", "/sw.js",
                 "/manifest.webmanifest"):
        assert client.get(path).status_code == 200, path


def test_an_htmx_request_during_an_outage_gets_a_503_fragment(client, world, outage):
    login(client, world.patient_a_user)
    outage.down = True
    response = client.get("/diary", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert "<html" not in html and 'class="error-panel"' in html and "Companion is briefly unavailable" in html


def test_the_503_page_reads_at_grade_eight_or_below(client, world, outage):
    login(client, world.patient_a_user)
    outage.down = True
    html = client.get("/").get_data(as_text=True)
    main = html.split('<main id="main" tabindex="-1">')[1].split("</main>")[0]
    # The heading and the explanation (the emergency card's own wording is scored with the other pages).
    explained = main.split("</h1>")[0] + ".</h1>" + main.split('role="status">')[1].split("</section>")[0]
    text = " ".join(part.split(">")[-1] for part in explained.split("<") if part.split(">")[-1].strip())
    assert "briefly unavailable" in text and "safe" in text
    assert textstat.flesch_kincaid_grade(text) <= 8


def test_the_outage_is_logged_once_without_patient_data(client, world, outage, logged):
    email = world.patient_a_user.email
    outage.down = True
    assert client.post("/login", data={"email": email, "password": "correct horse battery"}).status_code == 503
    warnings = [r for r in logged if r.levelno >= logging.WARNING]
    assert [r.name for r in warnings] == ["companion.errors"]
    line = warnings[0].getMessage()
    assert "OperationalError" in line and "/login" in line
    assert email not in line and "SELECT" not in line and "simulated" not in line


def test_an_offline_entry_sent_during_the_outage_is_kept_by_the_phone_and_arrives_once(client, peg_done, outage):
    login(client, peg_done.patient_a_user)
    before, key = entries(), new_id()
    body = {"kind": "checkin", "answers": ORDINARY, "recorded_at": "2026-11-23T09:00:00Z"}
    outage.down = True
    refused = client.post("/api/diary/entries", json=body, headers={"Idempotency-Key": key})
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "30"
    assert refused.get_json() == {"error": "unavailable", "retry_after": 30}  # the outbox keeps it and retries
    outage.down = False
    assert entries() == before
    statuses = [client.post("/api/diary/entries", json=body, headers={"Idempotency-Key": key}).status_code
                for _ in range(2)]
    assert statuses == [201, 200]
    assert entries(key) == 1 and entries() == before + 1


def test_a_write_cut_off_half_way_keeps_nothing_and_the_resend_is_stored_once(client, peg_done, outage):
    login(client, peg_done.patient_a_user)
    before, data = entries(), form(ORDINARY)
    # The entry row is written; the database goes away before the audit event of the same transaction.
    outage.only, outage.down = r"^INSERT INTO audit_event", True
    response = client.post("/checkin", data=data, headers=HX)
    assert response.status_code == 503
    outage.down = False
    assert entries() == before  # the half-done transaction was rolled back, not committed later
    assert client.post("/checkin", data=data, headers=HX).status_code == 200
    assert client.post("/checkin", data=data, headers=HX).status_code == 200
    assert entries(data["client_entry_id"]) == 1


def test_a_connection_lost_at_the_end_of_a_request_is_discarded_not_raised(app, monkeypatch):
    """The closing rollback fails (the server went away after the response was made): the dead connection is
    invalidated and the session ended, so a finished request does not become a 500."""
    from sqlalchemy.exc import OperationalError

    from companion import errors

    calls = []
    remove = db.session.remove

    def failing_once():
        calls.append("remove")
        if len(calls) == 1:
            raise OperationalError("ROLLBACK", {}, Exception("server closed the connection unexpectedly"))
        remove()

    monkeypatch.setattr(db.session, "remove", failing_once)
    with app.app_context():
        db.session.execute(db.select(1))  # a session holding a connection, as after a real request
        errors.release_session()
    assert calls[:2] == ["remove", "remove"]  # failed once, then ended after the connection was invalidated
