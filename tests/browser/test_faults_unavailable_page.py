"""The page a patient sees while the database is down: emergency guidance first, calm, no axe violations."""
from sqlalchemy import event

from companion.extensions import db
from tests.browser.axe_check import violations
from tests.browser.conftest import shot, sign_in
from tests.faults.conftest import Outage


def test_the_unavailable_page_puts_the_emergency_guidance_first_and_passes_axe(live_server, phone):
    base, app = live_server
    page = phone.new_page()
    sign_in(page, base, "patient@demo.test")
    with app.app_context():
        engine = db.engine
    outage = Outage(engine)
    event.listen(engine, "before_cursor_execute", outage)
    try:
        outage.down = True
        response = page.goto(base + "/checkin")
        assert response.status == 503 and response.headers.get("retry-after")
        heading = page.locator("main h1")
        assert "unavailable" in heading.inner_text().lower()
        guidance = page.locator("main").get_by_text("911").first
        status = page.locator("main [role=status]")
        assert guidance.is_visible() and status.is_visible()
        # The guidance is above the explanation: a patient in danger reads what to do before anything else.
        assert guidance.bounding_box()["y"] < status.bounding_box()["y"]
        shot(page, "faults-unavailable-phone")
        assert violations(page) == []
    finally:
        outage.down = False
        event.remove(engine, "before_cursor_execute", outage)
    assert page.goto(base + "/checkin").status == 200  # back as soon as the database is
