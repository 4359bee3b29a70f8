"""The clinic admin at tablet size adds an on-call shift (an overlap is refused first) and sees it in the week table."""
from playwright.sync_api import expect
from sqlalchemy import select

from companion.clinic.models import OnCallShift
from companion.extensions import db
from tests.browser.axe_check import violations
from tests.browser.conftest import shot, sign_in


def test_admin_adds_a_shift_and_sees_it_in_the_week_table(live_server, tablet):
    base, app = live_server
    page = tablet.new_page()
    sign_in(page, base, "admin@demo.test")
    page.goto(base + "/admin/settings#rota")
    expect(page.locator("#rota table")).to_contain_text("17:00–08:00 (next day)")  # the demo rota
    assert violations(page) == []
    wednesday = page.locator("#rota th.rota-day", has_text="Wednesday")
    before = int(wednesday.get_attribute("rowspan") or 1)  # the demo's on-call and backup shifts
    with app.app_context():
        demo_starts = sorted(s.starts.strftime("%H:%M") for s in db.session.scalars(
            select(OnCallShift).where(OnCallShift.weekday == 2)))
        db.session.remove()

    page.select_option("#rota-weekday", "2")  # Wednesday 16:00-18:00 runs into the demo nurse's evening shift
    page.fill("#rota-starts", "16:00")
    page.fill("#rota-ends", "18:00")
    page.select_option("#rota-user_id", label="Dr Sam Okafor (Physician)")
    page.click("#rota-form form[hx-post$='/rota'] button[type=submit]")
    expect(page.locator("#rota-starts-error")).to_contain_text("This overlaps Wednesday 17:00–08:00 (next day)")
    expect(page.locator("#rota-starts")).to_have_value("16:00")
    assert violations(page) == []  # the error state too

    page.fill("#rota-starts", "09:00")
    page.fill("#rota-ends", "12:00")
    page.click("#rota-form form[hx-post$='/rota'] button[type=submit]")
    expect(page.locator("#rota-status")).to_have_text("Shift added.")
    row = page.locator("#rota table tr", has_text="09:00–12:00")
    expect(row).to_contain_text("Dr Sam Okafor")
    expect(wednesday).to_have_attribute("rowspan", str(before + 1))  # one more shift that day
    assert violations(page) == []
    page.locator("#rota").scroll_into_view_if_needed()
    shot(page, "clinic-rota-tablet")
    with app.app_context():
        added = db.session.scalars(select(OnCallShift).where(OnCallShift.weekday == 2)).all()
        assert sorted(s.starts.strftime("%H:%M") for s in added) == sorted(demo_starts + ["09:00"])
        db.session.remove()
