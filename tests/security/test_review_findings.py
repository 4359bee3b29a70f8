"""Issue 15 findings 8 and 10-14: invites that reveal nothing, clear 400s, links from the configured base URL,
audit of caregiver views and refused CSRF posts, codes out of URLs, production settings, /healthz, the upload
limit and deactivating a patient's or caregiver's account."""
import io
import uuid

import pytest
from sqlalchemy import func, select

from companion.audit.models import AuditEvent, RefusalCount
from companion.extensions import db
from tests.conftest import HX, PASSWORD, csrf_token_from, login, make_app
from tests.security.records import WOUND, entry_form


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# ---- 8: an invite answers alike whether or not the email has an account elsewhere ----

def test_invite_answers_alike_for_an_email_in_another_clinic(app, world):
    admin = app.test_client()
    login(admin, world.admin1)

    def invite(email):
        response = admin.post("/admin/staff/invite", headers=HX,
                              data={"display_name": "Pat Doe", "email": email, "role": "nurse"})
        text = response.get_data(as_text=True)
        return response.status_code, "Pat Doe is invited." in text, "already has an account" in text

    elsewhere = invite(world.nurse2.email)  # nurse2 works at clinic two
    new = invite("brand.new.person@test.example")
    assert elsewhere == new == (200, True, False)
    assert _events("staff_invite_refused")  # the audit trail still says what happened


# ---- 10: clear 400s instead of 500s ----

@pytest.mark.parametrize("week", ["9999-12-31", "0001-01-01"])
def test_a_refill_week_out_of_range_is_a_400(app, client, world, week):
    login(client, world.nurse1)
    assert client.get(f"/care/refills?week={week}").status_code == 400


def test_json_nested_fifty_thousand_deep_is_a_400(app, client, world):
    login(client, world.patient_a_user)
    deep = "[" * 50_000 + "]" * 50_000
    for url in ("/api/diary/entries", "/notifications/subscriptions"):
        response = client.post(url, data=deep, content_type="application/json")
        assert response.status_code == 400, url


# ---- 11: links never come from the Host header ----

def test_set_up_links_use_the_configured_base_url_not_the_host_header(app, world):
    app.config.update(COMPANION_BASE_URL="https://companion.clinic.example", SERVER_NAME=None)
    admin, nurse = app.test_client(), app.test_client()
    for client, user in ((admin, world.admin1), (nurse, world.nurse1)):
        client.environ_base["HTTP_HOST"] = "evil.example"  # every request of theirs names another host
        login(client, user)
    body = admin.post("/admin/staff/invite", headers=HX,
                      data={"display_name": "New Nurse", "email": "nn@test.example", "role": "nurse"})
    text = body.get_data(as_text=True)
    assert "https://companion.clinic.example/staff/join#code=" in text and "evil.example" not in text
    world.patient_b.user_id = None
    db.session.commit()
    page = nurse.post(f"/care/patients/{world.patient_b.id}/enrolment-code")
    assert page.status_code == 200 and "evil.example" not in page.get_data(as_text=True)
    from companion.web import code_link  # what the QR code encodes

    with app.test_request_context("/", headers={"Host": "evil.example"}):
        assert code_link("accounts.enrol", "X") == "https://companion.clinic.example/enrol#code=X"


def test_production_trusts_only_its_own_host(monkeypatch, tmp_path):
    from companion import config

    monkeypatch.setenv("COMPANION_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "k" * 64)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'p.sqlite3'}")
    monkeypatch.setenv("COMPANION_BASE_URL", "https://companion.clinic.example")
    settings = config.load()
    assert settings["TRUSTED_HOSTS"] == ["companion.clinic.example"]
    app = make_app(tmp_path, TRUSTED_HOSTS=settings["TRUSTED_HOSTS"])
    client = app.test_client()
    assert client.get("/login", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/login", headers={"Host": "companion.clinic.example"}).status_code == 200


# ---- 12: audit gaps ----

def test_a_caregivers_view_of_patient_data_is_audited(app, client, world):
    login(client, world.caregiver)
    assert client.get("/diary").status_code == 200
    event = _events("caregiver_viewed")[-1]
    assert event.patient_id == world.patient_a.id and event.user_id == world.caregiver.id


def test_refused_csrf_posts_are_counted_not_one_row_each(app, world):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    for _ in range(30):
        assert client.post("/login", data={"email": "x@test.example", "password": "y"}).status_code == 400
    assert db.session.scalar(select(RefusalCount.count).where(RefusalCount.kind == "csrf_refused")) == 30
    assert len(_events("csrf_refused")) == 1


# ---- 13: codes out of URLs ----

@pytest.mark.parametrize("path", ["/enrol", "/caregiver/join", "/staff/join"])
def test_a_code_in_a_link_is_moved_into_the_session_and_the_url_cleaned(app, client, path):
    response = client.get(f"{path}?code=ABCDE-FGHJK")
    assert response.status_code == 303 and response.headers["Location"] == path
    assert response.headers["Referrer-Policy"] == "no-referrer"
    page = client.get(path)
    assert page.headers["Referrer-Policy"] == "same-origin"
    if path != "/staff/join":  # the staff page keeps the (invalid) token only in its hidden field
        assert 'value="ABCDE-FGHJK"' in page.get_data(as_text=True)


def test_enrolling_through_a_cleaned_link_works(app, world):
    from companion.accounts import services

    world.patient_b.user_id = None
    db.session.commit()
    code = services.issue_enrolment_code(world.nurse1, world.patient_b)
    phone = app.test_client()
    assert phone.get(f"/enrol?code={code}").status_code == 303
    answer = phone.post("/enrol", data={"code": code, "email": "b@example.org", "password": "maple lantern orbit 42",
                                        "confirm": "maple lantern orbit 42"})
    assert answer.status_code == 302


# ---- 14: production settings, /healthz, upload limit, deactivation ----

@pytest.mark.parametrize("key", ["", "short", "x" * 31])
def test_production_refuses_a_short_secret_key(monkeypatch, key):
    from companion import config

    monkeypatch.setenv("COMPANION_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", "postgresql://x@localhost/x")
    monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(RuntimeError, match="32 bytes"):
        config.load()


def test_production_refuses_demo_mode(monkeypatch):
    from companion import config

    monkeypatch.setenv("COMPANION_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", "postgresql://x@localhost/x")
    monkeypatch.setenv("SECRET_KEY", "k" * 32)
    monkeypatch.setenv("COMPANION_DEMO", "1")
    with pytest.raises(RuntimeError, match="demo"):
        config.load()


def test_healthz_tells_the_public_only_up_or_down(app, client, world):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    app.config["HEALTH_TOKEN"] = "monitor-token"
    assert "migrations" in client.get("/healthz", headers={"Authorization": "Bearer monitor-token"}).get_json()
    assert client.get("/healthz", headers={"Authorization": "Bearer wrong"}).get_json() == {"status": "ok"}
    nurse = app.test_client()
    login(nurse, world.nurse1)
    assert nurse.get("/healthz").get_json() == {"status": "ok"}
    admin = app.test_client()
    login(admin, world.admin1)
    assert "scheduler" in admin.get("/healthz").get_json()


def _big_jpeg(size: int) -> bytes:
    """A real photo padded after its end marker to a phone photo's size (decoders ignore the tail)."""
    from PIL import Image

    out = io.BytesIO()
    Image.effect_noise((1200, 900), 50).convert("RGB").save(out, "JPEG", quality=80)
    return out.getvalue() + b"\x00" * (size - len(out.getvalue()))


def test_two_six_megabyte_photos_are_accepted(app, world):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"email": world.patient_a_user.email, "password": PASSWORD,
                                "csrf_token": csrf_token_from(login_page)})
    token = csrf_token_from(client.get("/wound").get_data(as_text=True))
    photo = _big_jpeg(int(6.4 * 1024 * 1024))
    data = {**entry_form(WOUND), "csrf_token": token, "client_entry_id": str(uuid.uuid4()),
            "belly.photo": (io.BytesIO(photo), "belly.jpg"), "back.photo": (io.BytesIO(photo), "back.jpg")}
    response = client.post("/wound", data=data, content_type="multipart/form-data", headers=HX)
    assert response.status_code == 200, response.status_code
    from companion.diary.models import WoundPhoto

    assert db.session.scalar(select(func.count()).select_from(WoundPhoto)) == 2


@pytest.mark.parametrize("who", ["patient", "caregiver"])
def test_a_clinic_admin_deactivates_a_patient_or_caregiver_account(app, world, who):
    user = world.patient_a_user if who == "patient" else world.caregiver
    person = app.test_client()
    login(person, user)
    admin = app.test_client()
    login(admin, world.admin1)
    response = admin.post(f"/admin/accounts/{user.id}/deactivate", headers=HX)
    assert response.status_code == 200
    assert person.get("/").status_code in (302, 401)  # signed out at once
    assert login(app.test_client(), user).status_code == 422  # and cannot sign in again
    event = _events("account_deactivated")[-1]
    assert event.object_id == str(user.id) and event.user_id == world.admin1.id
    assert admin.post(f"/admin/accounts/{user.id}/reactivate", headers=HX).status_code == 200
    assert login(app.test_client(), user).status_code == 302


def test_an_admin_cannot_deactivate_another_clinics_patient_or_staff_here(app, world):
    admin = app.test_client()
    login(admin, world.admin1)
    assert admin.post(f"/admin/accounts/{world.patient_c2.user_id}/deactivate", headers=HX).status_code == 404
    assert admin.post(f"/admin/accounts/{world.nurse1.id}/deactivate", headers=HX).status_code == 404
    nurse = app.test_client()
    login(nurse, world.nurse1)
    assert nurse.post(f"/admin/accounts/{world.patient_a_user.id}/deactivate", headers=HX).status_code in (403, 404)


def test_the_admin_switches_an_account_off_from_the_patient_record(app, world):
    """Finding 14 from the browser's side: the record offers the switch to admins only, and it works."""
    admin, nurse = app.test_client(), app.test_client()
    login(admin, world.admin1)
    login(nurse, world.nurse1)
    page = admin.get(f"/care/patients/{world.patient_a.id}").get_data(as_text=True)
    action = f'action="/admin/accounts/{world.patient_a_user.id}/deactivate"'
    assert "Sign-in access" in page and action in page
    assert action not in nurse.get(f"/care/patients/{world.patient_a.id}").get_data(as_text=True)
    record = f"http://localhost/care/patients/{world.patient_a.id}"
    response = admin.post(f"/admin/accounts/{world.patient_a_user.id}/deactivate", headers={"Referer": record})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/care/patients/{world.patient_a.id}")
    page = admin.get(f"/care/patients/{world.patient_a.id}").get_data(as_text=True)
    assert f'action="/admin/accounts/{world.patient_a_user.id}/reactivate"' in page and "switched off" in page
