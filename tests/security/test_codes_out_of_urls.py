"""Issue 15 finding 13: one-time codes never travel in a URL query. New links and QR codes carry them in the
fragment (#code=...), the code reaches the server only in a POST body, old ?code= links still work, the access
logs we control redact codes, and the Referrer-Policy headers."""
import logging
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import segno
from werkzeug.serving import make_server

from companion.access_log import redact
from companion.accounts import services as accounts
from companion.accounts.models import User
from companion.extensions import db
from tests.conftest import HX, login

ROOT = Path(__file__).resolve().parents[2]
STRONG = "maple lantern orbit 42"


@pytest.fixture
def qr_payloads(monkeypatch):
    """What every QR code made during the test encodes."""
    seen, real = [], segno.make

    def spy(content, *args, **kwargs):
        seen.append(content)
        return real(content, *args, **kwargs)

    for module in ("companion.careteam.views", "companion.clinic.views.staff"):
        monkeypatch.setattr(f"{module}.segno.make", spy)
    return seen


def _invite(client, email="fresh.nurse@test.example"):
    """Invite a nurse; return the response text and the set-up link shown to the admin."""
    text = client.post("/admin/staff/invite", headers=HX,
                       data={"display_name": "Fran Fresh", "email": email, "role": "nurse"}).get_data(as_text=True)
    link = text.split('id="invite-link" type="text" value="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    return text, link


# ---- links and QR codes ----

def test_staff_set_up_links_and_qr_codes_carry_the_code_only_in_the_fragment(app, client, world, qr_payloads):
    login(client, world.admin1)
    text, link = _invite(client)
    parts = urlsplit(link)
    assert parts.path == "/staff/join" and parts.query == "" and "?code=" not in text
    code = parse_qs(parts.fragment)["code"][0]
    assert qr_payloads == [link]
    assert f'id="invite-code" type="text" value="{code}"' in text  # shown apart, for typing without the link
    user = db.session.scalar(db.select(User).where(User.email == "fresh.nurse@test.example"))
    renewed = client.post(f"/admin/staff/{user.id}/renew-invite", headers=HX).get_data(as_text=True)
    assert "?code=" not in renewed and "/staff/join#code=" in renewed and "?code=" not in qr_payloads[-1]


def test_enrolment_qr_code_carries_the_code_only_in_the_fragment(app, client, world, qr_payloads):
    world.patient_b.user_id = None
    db.session.commit()
    login(client, world.nurse1)
    text = client.post(f"/care/patients/{world.patient_b.id}/enrolment-code").get_data(as_text=True)
    [payload] = qr_payloads
    parts = urlsplit(payload)
    assert parts.path == "/enrol" and parts.query == "" and "?code=" not in text
    code = parse_qs(parts.fragment)["code"][0]
    assert f'<p class="code-box big">{code}</p>' in text  # printed for typing too


# ---- the code in a POST body ----

def test_staff_typed_code_travels_in_the_post_body_end_to_end(app, client, world):
    login(client, world.admin1)
    code = parse_qs(urlsplit(_invite(client)[1]).fragment)["code"][0]
    newcomer = app.test_client()
    first = newcomer.get("/staff/join")
    assert first.status_code == 200 and 'name="code"' in first.get_data(as_text=True)
    assert first.headers["Referrer-Policy"] == "same-origin"
    moved = newcomer.post("/staff/join", data={"step": "code", "code": code})
    assert moved.status_code == 303 and moved.headers["Location"] == "/staff/join"
    page = newcomer.get("/staff/join").get_data(as_text=True)
    assert "fresh.nurse@test.example" in page and 'name="password"' in page
    done = newcomer.post("/staff/join", data={"code": code, "password": STRONG, "confirm": STRONG})
    assert done.status_code == 302 and newcomer.get("/care").status_code == 200


def test_a_wrong_typed_staff_code_is_refused_beside_the_field_value_kept(app):
    response = app.test_client().post("/staff/join", data={"step": "code", "code": "not-a-real-code"})
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="code-error"' in text and 'value="not-a-real-code"' in text
    assert response.headers["Referrer-Policy"] == "same-origin"
    empty = app.test_client().post("/staff/join", data={"step": "code", "code": ""})
    assert empty.status_code == 422 and "Please enter the set-up code." in empty.get_data(as_text=True)


def test_enrolment_and_caregiver_codes_travel_in_the_post_body(app, world):
    world.patient_b.user_id = None
    db.session.commit()
    code = accounts.issue_enrolment_code(world.nurse1, world.patient_b)
    phone = app.test_client()
    page = phone.get("/enrol")
    assert page.status_code == 200 and "js/code_link" in page.get_data(as_text=True)
    assert phone.post("/enrol", data={"code": code, "email": "pb@example.org", "password": STRONG,
                                      "confirm": STRONG}).status_code == 302
    invite = accounts.invite_caregiver(world.patient_a, world.patient_a_user)
    carer = app.test_client()
    assert "js/code_link" in carer.get("/caregiver/join").get_data(as_text=True)
    assert carer.post("/caregiver/join", data={"code": invite, "email": "carer@example.org", "password": STRONG,
                                               "confirm": STRONG, "display_name": "Cam Carer"}).status_code == 302


# ---- old links ----

def test_an_old_staff_query_link_still_works(app, client, world):
    login(client, world.admin1)
    code = parse_qs(urlsplit(_invite(client)[1]).fragment)["code"][0]
    newcomer = app.test_client()
    moved = newcomer.get(f"/staff/join?code={code}")
    assert moved.status_code == 303 and moved.headers["Location"] == "/staff/join"
    assert moved.headers["Referrer-Policy"] == "no-referrer"
    assert "fresh.nurse@test.example" in newcomer.get("/staff/join").get_data(as_text=True)
    assert newcomer.post("/staff/join", data={"code": code, "password": STRONG, "confirm": STRONG}).status_code == 302


# ---- access logs ----

@pytest.mark.parametrize("line,kept", [
    ('"GET /enrol?code=ABCDE-12345 HTTP/1.1" 303 -', '"GET /enrol?code=[redacted] HTTP/1.1" 303 -'),
    ("/staff/join?lang=es&code=eyJ1Ijo.x-y_z&next=/", "/staff/join?lang=es&code=[redacted]&next=/"),
    ("code=abc", "code=[redacted]"),
    ("https://x.example/a?token=t0k3n#frag", "https://x.example/a?token=[redacted]#frag"),
    ("/care/refills?week=2026-12-07", "/care/refills?week=2026-12-07"),
])
def test_redact_replaces_only_code_and_token_values(line, kept):
    assert redact(line) == kept


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_dev_server_log_never_keeps_a_code(app, caplog):
    port = _free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with caplog.at_level(logging.INFO, logger="werkzeug"):
            request = urllib.request.Request(f"http://127.0.0.1:{port}/enrol?code=SECRET-98765")
            opener = urllib.request.build_opener(_NoRedirect)
            status = opener.open(request).status
    finally:
        server.shutdown()
    lines = [record.getMessage() for record in caplog.records if record.name == "werkzeug"]
    assert status == 303 and any("/enrol?code=[redacted]" in line and "303" in line for line in lines), lines
    assert not any("SECRET-98765" in line for line in lines)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Stop at the 303 so the test sees it."""

    def redirect_request(self, *args, **kwargs):
        return None

    def http_error_303(self, req, fp, code, msg, headers):
        return fp


def test_the_gunicorn_access_log_never_keeps_a_code(tmp_path):
    port, log = _free_port(), tmp_path / "access.log"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'g.sqlite3'}", "COMPANION_INSTANCE": str(tmp_path),
           "COMPANION_SCHEDULER": "off"}
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "-w", "1",
                             "-b", f"127.0.0.1:{port}", "--access-logfile", str(log), "companion:create_app()"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        opener, deadline = urllib.request.build_opener(_NoRedirect), time.monotonic() + 60
        while True:
            try:
                status = opener.open(f"http://127.0.0.1:{port}/staff/join?code=SECRET-TOKEN.abc").status
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.3)
        deadline = time.monotonic() + 10
        while "/staff/join" not in (log.read_text() if log.exists() else "") and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        proc.terminate()
        proc.wait(20)
    text = log.read_text()
    assert status == 303 and "/staff/join?code=[redacted]" in text and " 303 " in text, text
    assert "SECRET-TOKEN" not in text
