"""The first post-refill check at the clinic's hour (issue 12): the admin sets 6 hours at tablet size (a wrong
value is refused beside the field, the pages pass axe); at phone size the patient is offered the check from 6 hours
after a refill, not before (the live server's clock is moved forward)."""
from datetime import timedelta
from decimal import Decimal as D

from playwright.sync_api import expect

from companion import clock
from companion.accounts.models import Patient, User
from companion.clock import utcnow
from companion.extensions import db
from tests.browser.axe_check import violations
from tests.browser.conftest import shot, sign_in


def _refill_now(app) -> None:
    """The demo patient's refill done and double-checked at the (frozen) current time."""
    from companion.pump import demo, services

    with app.app_context():
        user = db.session.query(User).filter_by(email="patient@demo.test").one()
        patient = db.session.query(Patient).filter_by(user_id=user.id).one()
        demo._fill(demo._staff("nurse@demo.test"), demo._staff("doctor@demo.test"), patient, 0, D(40),
                   [services.DrugEntry("Morphine", D(10), D(5), "mg")], expected_residual_ml=D("5.8"),
                   withdrawn_ml=D("5.5"))
        db.session.remove()


def test_admin_sets_six_hours_and_the_patient_is_offered_the_check_then(live_server, tablet, phone):
    base, app = live_server
    admin = tablet.new_page()
    sign_in(admin, base, "admin@demo.test")
    admin.goto(base + "/admin/settings#postrefill")
    expect(admin.locator("#postrefill-first_post_refill_hours")).to_have_value("4")
    admin.fill("#postrefill-first_post_refill_hours", "13")
    admin.click("#postrefill-form button[type=submit]")
    expect(admin.locator("#postrefill-first_post_refill_hours-error")).to_contain_text("from 2 to 12")
    expect(admin.locator("#postrefill-first_post_refill_hours")).to_have_value("13")
    assert violations(admin) == []
    admin.fill("#postrefill-first_post_refill_hours", "6")
    admin.click("#postrefill-form button[type=submit]")
    expect(admin.locator("#postrefill-status")).to_have_text("Saved.")
    admin.locator("#postrefill").scroll_into_view_if_needed()
    shot(admin, "clinic-settings-post-refill-tablet")
    assert violations(admin) == []

    start = utcnow()
    try:
        clock.freeze(start)
        _refill_now(app)
        page = phone.new_page()
        clock.freeze(start + timedelta(hours=5, minutes=50))
        sign_in(page, base, "patient@demo.test")
        expect(page.locator("body")).not_to_contain_text("Sleep and breathing check (")
        clock.freeze(start + timedelta(hours=6, minutes=10))
        page.goto(base + "/")
        task = page.get_by_text("Sleep and breathing check (6 hours after your refill or dose change)")
        expect(task).to_be_visible()
        assert violations(page) == []
        shot(page, "home-post-refill-check-6h-phone")
        task.click()
        expect(page.locator("#q-pump_site_swelling_new")).to_be_visible()  # new swelling or pain over the pump
    finally:
        clock.freeze(None)
