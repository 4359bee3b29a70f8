"""The offline outbox and a server that answers 503 (database restarting): the entry stays queued and is retried."""
import pytest

from tests.browser.conftest import sign_in, wait_for_empty_outbox
from tests.browser.test_diary_phone import entries_of, ordinary_checkin


@pytest.fixture
def phone(browser):
    """A Pixel 7 context without service workers: no Background Sync may start the retry for the outbox."""
    p, b = browser
    context = b.new_context(**p.devices["Pixel 7"], service_workers="block")
    yield context
    context.close()


def _checkin(phone, base: str, app):
    """The demo patient's check-in page with the outbox ready, and how many entries the server holds now."""
    page = phone.new_page()
    sign_in(page, base, "patient@demo.test")
    page.goto(base + "/checkin")
    page.wait_for_function("window.companionOutbox !== undefined")
    return page, entries_of(app, "patient@demo.test")


def test_a_503_keeps_the_entry_and_the_outbox_retries_after_retry_after(live_server, phone):
    base, app = live_server
    page, before = _checkin(phone, base, app)
    phone.set_offline(True)
    ordinary_checkin(page, "4")
    page.wait_for_selector(".outbox-status:has-text('1 entry waiting to send')")
    answers = []

    def database_restarting_once(route):
        answers.append(503 if not answers else "sent")
        if len(answers) == 1:
            route.fulfill(status=503, headers={"Retry-After": "1", "Content-Type": "application/json"},
                          body='{"error": "unavailable", "retry_after": 1}')
        else:
            route.continue_()

    page.route("**/api/diary/entries", database_restarting_once)
    phone.set_offline(False)
    page.evaluate("async () => { await window.companionOutbox.flush(); }")  # the flush the `online` event starts
    assert answers == [503]
    assert page.evaluate("window.companionOutbox.count()") == 1  # kept on the phone, not dropped or rejected
    assert entries_of(app, "patient@demo.test") == before
    # No page event now: only the outbox's own retry (after Retry-After) can send it.
    wait_for_empty_outbox(page)
    assert answers == [503, "sent"] and entries_of(app, "patient@demo.test") == before + 1


def test_a_503_to_the_check_in_form_keeps_the_entry_on_the_phone(live_server, phone):
    base, app = live_server
    page, before = _checkin(phone, base, app)
    unavailable = []

    def database_restarting(route):
        if route.request.method == "POST":
            unavailable.append(route.request.url)
            route.fulfill(status=503, headers={"Retry-After": "30", "Content-Type": "text/html"},
                          body="<p>Companion is briefly unavailable.</p>")
        else:
            route.continue_()

    page.route("**/checkin", database_restarting)
    page.route("**/api/diary/entries", database_restarting)  # the outbox's own sends fail too, until unrouted
    ordinary_checkin(page, "6")
    page.wait_for_selector(".outbox-status:has-text('1 entry waiting to send')")
    assert unavailable and page.locator("#offline-saved").is_visible()
    assert "Not saved" not in (page.locator("#toast").text_content() or "")  # no contradicting message
    assert entries_of(app, "patient@demo.test") == before
    page.unroute("**/checkin")
    page.unroute("**/api/diary/entries")
    page.evaluate("async () => { await window.companionOutbox.flush(); }")
    wait_for_empty_outbox(page)
    assert entries_of(app, "patient@demo.test") == before + 1


def test_the_apps_own_503_during_a_real_database_error_keeps_the_entry(live_server, phone):
    """No faked response: every statement on the app's engine fails with the driver's own error, so the app's
    503 handler answers (Retry-After, emergency guidance); the outbox keeps the entry and sends it once after."""
    from sqlalchemy import event

    from companion.extensions import db
    from tests.faults.conftest import Outage

    base, app = live_server
    page, before = _checkin(phone, base, app)
    with app.app_context():
        engine = db.engine
    outage = Outage(engine)
    answers = []
    page.on("response", lambda r: "/api/" in r.url and answers.append(  # the outbox's token fetch and its send
        (r.status, r.headers.get("retry-after"))))
    event.listen(engine, "before_cursor_execute", outage)
    try:
        phone.set_offline(True)
        ordinary_checkin(page, "5")
        page.wait_for_selector(".outbox-status:has-text('1 entry waiting to send')")
        outage.down = True
        phone.set_offline(False)
        page.evaluate("async () => { await window.companionOutbox.flush(); }")
        assert answers and answers[0][0] == 503 and answers[0][1]  # the app's own answer, with Retry-After
        assert page.evaluate("window.companionOutbox.count()") == 1
        other = phone.new_page()  # a page during the outage: the app's calm 503, emergency guidance first
        assert other.goto(base + "/diary").status == 503
        assert "Companion is briefly unavailable" in other.locator("h1").inner_text()
        assert other.locator("a[href='tel:911']").count() >= 1
        # the style sheet still loads (body is a flex column in app.css): static files never touch the database
        assert other.evaluate("getComputedStyle(document.body).display") == "flex"
        other.close()
        outage.down = False
        # The app asked for 30 s (Retry-After); the first test proves the timed retry, here the page's next flush.
        page.evaluate("async () => { await window.companionOutbox.flush(); }")
        wait_for_empty_outbox(page)
    finally:
        event.remove(engine, "before_cursor_execute", outage)
    assert entries_of(app, "patient@demo.test") == before + 1
    statuses = [status for status, _ in answers]
    assert 503 in statuses and statuses[-1] in (200, 201)
