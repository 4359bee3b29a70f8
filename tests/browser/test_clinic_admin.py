"""The clinic admin at desktop size: changes the out-of-hours number, tightens a threshold, and the pages pass axe."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from companion.accounts.models import Clinic
from companion.escalation import routing
from companion.extensions import db
from tests.browser.axe_check import violations
from tests.browser.conftest import shot, sign_in


@pytest.fixture
def desktop(browser):
    """A fresh desktop-sized context (a clinic PC)."""
    _p, b = browser
    context = b.new_context(viewport={"width": 1440, "height": 900}, device_scale_factor=1)
    yield context
    context.close()


def _clinic(app):
    with app.app_context():
        clinic = db.session.scalar(select(Clinic).where(Clinic.name == "Demo Pain Clinic"))
        values = (clinic.out_of_hours_phone, routing.clinic_thresholds(clinic.id)["fever_c"].value)
        db.session.remove()
    return values


def test_admin_changes_out_of_hours_number_and_tightens_a_threshold(live_server, desktop):
    base, app = live_server
    page = desktop.new_page()
    sign_in(page, base, "admin@demo.test")
    page.goto(base + "/admin/settings")
    assert violations(page) == []
    shot(page, "clinic-settings")

    page.fill("#contacts-out_of_hours_phone", "+1 555 010 3999")
    page.click("#contacts-form button[type=submit]")
    expect(page.locator("#contacts-status")).to_have_text("Saved.")
    expect(page.locator("#contacts-out_of_hours_phone")).to_have_value("+1 555 010 3999")

    page.fill("#thresholds-fever_c", "38.5")  # looser: refused beside the field
    page.click("#thresholds-form button[type=submit]")
    expect(page.locator("#thresholds-fever_c-error")).to_contain_text("Refused")
    expect(page.locator("#thresholds-fever_c")).to_have_value("38.5")
    assert violations(page) == []  # the error state too
    shot(page, "clinic-settings-threshold-refused")

    page.fill("#thresholds-fever_c", "37.8")
    page.click("#thresholds-form button[type=submit]")
    expect(page.locator("#thresholds-status")).to_have_text("Saved.")
    expect(page.locator("#thresholds-form .tightened")).to_have_count(1)
    assert _clinic(app) == ("+1 555 010 3999", 37.8)

    page.reload()  # the change is stored, not only on screen
    expect(page.locator("#contacts-out_of_hours_phone")).to_have_value("+1 555 010 3999")
    expect(page.locator("#thresholds-fever_c")).to_have_value("37.8")

    page.goto(base + "/admin/audit?action=clinic_threshold_changed")
    expect(page.locator(".audit-table")).to_contain_text("38.0 → 37.8")
    assert violations(page) == []
    shot(page, "clinic-audit")


def test_staff_page_invite_and_axe(live_server, desktop):
    base, _app = live_server
    page = desktop.new_page()
    sign_in(page, base, "admin@demo.test")
    page.goto(base + "/admin/staff")
    assert violations(page) == []
    shot(page, "clinic-staff")
    page.fill("#display_name", "Nia Newton")
    page.fill("#email", "nia.newton@clinic.example")
    page.select_option("#role", "nurse")
    page.click("#invite-panel button[type=submit]")
    expect(page.locator("#staff-status")).to_have_text("Nia Newton is invited.")
    expect(page.locator("#staff-list")).to_contain_text("Nia Newton")
    link = page.locator("#invite-link").input_value()
    assert "/staff/join#code=" in link and "?code=" not in link
    assert violations(page) == []
    shot(page, "clinic-staff-invited")

    newcomer = desktop.browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    newcomer.goto(link)
    expect(newcomer.locator("h1")).to_have_text("Set up your staff account")
    assert violations(newcomer) == []
    newcomer.fill("#password", "maple harbour quiet lantern")
    newcomer.fill("#confirm", "maple harbour quiet lantern")
    newcomer.click("form button[type=submit]")
    newcomer.wait_for_load_state("networkidle")
    assert "/login" not in newcomer.url
    newcomer.context.close()
