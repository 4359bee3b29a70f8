"""axe finds no WCAG 2.2 AA violations on the foundation pages, at phone and desktop sizes."""
import pytest

from tests.browser.axe_check import violations
from tests.browser.conftest import sign_in

PUBLIC = ["/login", "/enrol", "/caregiver/join", "/help", "/offline", "/no-such-page"]
PATIENT = ["/", "/account", "/account/password"]
STAFF = ["/care", "/care/patients", "/care/patients/new", "/account"]


@pytest.fixture(params=["phone", "desktop"])
def context(request, browser):
    p, b = browser
    options = p.devices["Pixel 7"] if request.param == "phone" else {"viewport": {"width": 1280, "height": 900}}
    ctx = b.new_context(**options)
    yield ctx
    ctx.close()


def _check(page, base, paths):
    problems = {}
    for path in paths:
        page.goto(base + path)
        found = violations(page)
        if found:
            problems[path] = found
    return problems


def test_public_pages_have_no_violations(live_server, context):
    base, _app = live_server
    page = context.new_page()
    assert _check(page, base, PUBLIC) == {}
    page.goto(base + "/login")
    page.fill("#email", "nobody@demo.test")
    page.fill("#password", "wrong")
    page.click("form#login-form button[type=submit]")
    assert violations(page) == []  # the error state too


def test_patient_pages_have_no_violations(live_server, context):
    base, _app = live_server
    page = context.new_page()
    sign_in(page, base, "patient@demo.test")
    assert _check(page, base, PATIENT) == {}


def test_staff_pages_have_no_violations(live_server, context):
    base, _app = live_server
    page = context.new_page()
    sign_in(page, base, "nurse@demo.test")
    page.goto(base + "/care/patients")
    page.click("text=Morgan, Pat")
    assert violations(page) == []
    assert _check(page, base, STAFF) == {}
