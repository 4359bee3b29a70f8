"""A clinic with more patients than fit a page: the nurse pages the roster at tablet size, neediest first."""
from playwright.sync_api import expect
from sqlalchemy import select

from companion.accounts.models import Clinic
from companion.extensions import db
from tests.browser.conftest import shot, sign_in
from tests.factories import Factory


def test_nurse_pages_through_a_large_roster(live_server, tablet):
    base, app = live_server
    with app.app_context():
        clinic = db.session.scalar(select(Clinic).order_by(Clinic.id))
        factory = Factory()
        for n in range(55):  # with the demo patients: past one page of 50
            factory.patient(clinic, with_account=False, given=f"Pat{n:02d}", family=f"Zulu{n:02d}")
        db.session.remove()
    page = tablet.new_page()
    sign_in(page, base, "nurse@demo.test")
    page.goto(base + "/care/patients")
    expect(page.locator("#roster tbody tr")).to_have_count(50)
    pager = page.get_by_role("navigation", name="Pages of patients")
    expect(pager).to_contain_text("Page 1 of 2")
    shot(page, "careteam-roster-paged-tablet")
    pager.get_by_role("link", name="Next").click()
    expect(page.get_by_role("navigation", name="Pages of patients")).to_contain_text("Page 2 of 2")
    rows = page.locator("#roster tbody tr")
    assert 1 <= rows.count() <= 50 and "page=2" in page.url
    expect(page.locator("#roster")).to_contain_text("Zulu54")  # names sort last among the calm patients
