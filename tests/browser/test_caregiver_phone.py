"""Issue 16 at Pixel 7 size: a caregiver whose access ended signs in and sees a clear page with no menu
(its own live server: revoking the demo caregiver's link would change the other modules' data)."""
from sqlalchemy import select

from companion.accounts.models import CaregiverLink, User
from companion.clock import utcnow
from companion.extensions import db
from tests.browser.axe_check import violations
from tests.browser.conftest import shot, sign_in


def test_revoked_caregiver_signs_in_and_sees_the_ended_access_page(live_server, phone):
    base, app = live_server
    with app.app_context():
        caregiver = db.session.scalar(select(User).where(User.email == "caregiver@demo.test"))
        for link in db.session.scalars(select(CaregiverLink).where(CaregiverLink.caregiver_id == caregiver.id)):
            link.revoked_at = utcnow()
        db.session.commit()
        db.session.remove()
    page = phone.new_page()
    sign_in(page, base, "caregiver@demo.test")
    heading = page.locator("h1")
    assert "Your access to Pat's diary has ended" in heading.inner_text()
    assert page.locator("nav").count() == 0  # no menu to pages that would only say "not found"
    assert page.locator("main a[href='tel:911']").is_visible()
    assert violations(page) == []
    shot(page, "i16-caregiver-access-ended-phone")
