"""Codes out of URLs at phone size: a link's #code= is moved into the form by the page's script and sent in the
POST body (enrolment and staff set-up), and a person without the link types the code."""
import itertools

from playwright.sync_api import expect
from sqlalchemy import select

from companion.accounts import services
from companion.accounts.models import User
from companion.extensions import db
from companion.web import code_link
from tests.browser.axe_check import violations
from tests.browser.conftest import shot

STRONG = "maple lantern orbit 42"
_numbers = itertools.count(1)


def _enrolment_code(app) -> tuple[str, str]:
    """A new patient record of the demo clinic and its code; returns (code, fragment link)."""
    with app.app_context():
        nurse = db.session.scalar(select(User).where(User.email == "nurse@demo.test"))
        n = next(_numbers)
        patient = services.create_patient(nurse, given_name="Lena", family_name=f"Link{n}", record_number=f"LINK-{n}")
        code = services.issue_enrolment_code(nurse, patient)
        with app.test_request_context("/"):
            link = code_link("accounts.enrol", code)
        db.session.remove()
    return code, link


def _create_account(page, email: str) -> None:
    """Fill the rest of the enrolment form and send it; the account is made and the page moves on."""
    page.fill("#email", email)
    page.fill("#password", STRONG)
    page.fill("#confirm", STRONG)
    page.click("form[data-code-link] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/enrol" not in page.url


def _requests(page) -> list[str]:
    """Every URL the page asks the server for, from now on."""
    seen = []
    page.on("request", lambda request: seen.append(request.url))
    return seen


def test_an_enrolment_link_fills_the_code_and_sends_it_in_the_post_body(live_server, phone):
    base, app = live_server
    code, link = _enrolment_code(app)
    assert "?code=" not in link and "#code=" in link
    page = phone.new_page()
    asked = _requests(page)
    posted = []
    page.on("request", lambda r: posted.append(r.post_data or "") if r.method == "POST" else None)
    page.goto(link)
    expect(page.locator("#code")).to_have_value(code)
    assert page.url == base + "/enrol"  # the fragment is gone from the address bar and history
    expect(page.locator("#email")).to_be_focused()
    assert violations(page) == []
    shot(page, "code-link-enrol")
    _create_account(page, f"lena.{code.lower()}@example.org")
    assert not any(code in url for url in asked)  # never in a URL the server saw
    assert any(f"code={code}" in body for body in posted)  # the POST body carried it


def test_a_staff_set_up_link_is_filled_and_submitted_by_the_page(live_server, phone):
    base, app = live_server
    with app.app_context():
        from companion.clinic import services as clinic

        admin = db.session.scalar(select(User).where(User.email == "admin@demo.test"))
        _user, token = clinic.invite_staff(admin, display_name="Sam Setup", email="sam.setup@demo.test", role="nurse")
        with app.test_request_context("/"):
            link = code_link("settings.staff_join", token)
        db.session.remove()
    page = phone.new_page()
    asked = _requests(page)
    page.goto(link)
    expect(page.locator("#join-email")).to_have_value("sam.setup@demo.test")  # the code step went by itself
    assert page.url == base + "/staff/join" and not any(token in url for url in asked)
    assert violations(page) == []
    page.fill("#password", "maple harbour quiet lantern")
    page.fill("#confirm", "maple harbour quiet lantern")
    page.click("form[data-code-link] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/staff/join" not in page.url and "/login" not in page.url


def test_a_person_without_the_link_types_the_code(live_server, phone):
    base, app = live_server
    code, _link = _enrolment_code(app)
    page = phone.new_page()
    page.goto(base + "/enrol")
    expect(page.locator("#code")).to_have_value("")
    page.fill("#code", code)
    _create_account(page, f"typed.{code.lower()}@example.org")

    staff = phone.new_page()  # the staff step without a link: the same code typed into its own field
    staff.goto(base + "/staff/join")
    expect(staff.locator("#code")).to_be_visible()
    assert violations(staff) == []
    staff.fill("#code", "not-a-real-code")
    staff.click("form[data-code-link] button[type=submit]")
    expect(staff.locator("#code-error")).to_be_visible()
    expect(staff.locator("#code")).to_have_value("not-a-real-code")
    shot(staff, "code-link-staff-typed-wrong")
