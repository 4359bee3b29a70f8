"""Security headers on every response, no-store on pages, and CSRF on state changes."""
import pytest

from tests.conftest import csrf_token_from, login, make_app

PUBLIC_GETS = ["/login", "/enrol", "/caregiver/join", "/offline", "/help", "/manifest.webmanifest", "/sw.js",
               "/healthz", "/no-such-page", "/static/css/app.css"]


@pytest.mark.parametrize("path", PUBLIC_GETS)
def test_security_headers_on_every_public_response(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp and "base-uri 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    # Pages whose form carries a one-time code send no Referer off the site (tests/security/test_review_findings).
    code_page = path in ("/enrol", "/caregiver/join")
    assert response.headers["Referrer-Policy"] == ("same-origin" if code_page else "strict-origin-when-cross-origin")
    assert "HX-Request" in response.headers["Vary"]


def test_signed_in_pages_are_not_stored(client, world):
    login(client, world.patient_a_user)
    for path in ("/", "/account"):
        assert client.get(path).headers["Cache-Control"] == "no-store"


def test_service_worker_is_served_from_the_root_with_root_scope(client):
    response = client.get("/sw.js")
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert response.headers["Cache-Control"] == "no-cache"
    assert "javascript" in response.mimetype


def test_no_inline_script_or_style_in_pages(client, world):
    login(client, world.nurse1)
    for path in ("/care", "/login", "/offline", f"/care/patients/{world.patient_a.id}"):
        page = client.get(path).get_data(as_text=True)
        assert "<script>" not in page and "<style" not in page and " style=" not in page and "onclick" not in page


def test_state_change_without_csrf_token_is_refused(tmp_path):
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        from tests.factories import Factory

        world = Factory().world()
        email = world.patient_a_user.email
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    assert client.post("/login", data={"email": email, "password": "correct horse battery"}).status_code == 400
    token = csrf_token_from(page)
    ok = client.post("/login", data={"email": email, "password": "correct horse battery", "csrf_token": token})
    assert ok.status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert client.post("/account/caregivers/invite", headers={"HX-Request": "true"}).status_code == 400
    header_token = csrf_token_from(home)
    response = client.post("/account/caregivers/invite", headers={"HX-Request": "true", "X-CSRFToken": header_token})
    assert response.status_code == 200 and "code-box" in response.get_data(as_text=True)


def test_logout_is_post_only(client, world):
    login(client, world.patient_a_user)
    assert client.get("/logout").status_code == 405
    assert client.get("/").status_code == 200
