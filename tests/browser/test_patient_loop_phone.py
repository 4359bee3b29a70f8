"""Issue 16 at Pixel 7 size: an urgent check-in made offline from home reaches the care team and tells the
patient once it is sent; a nurse's acknowledgement appears as a message with a badge; the tap budget holds."""
from sqlalchemy import select

from companion.accounts.models import Patient, User
from companion.escalation import services as cases
from companion.escalation.models import Case
from companion.extensions import db
from tests.browser.conftest import SHOTS, shot, sign_in, wait_for_empty_outbox
from tests.browser.test_diary_phone import ordinary_checkin


def wait_for_shell(page, seconds: float = 20) -> None:
    """Poll until the service worker has kept the check-in form's shell (after sign-in, once it controls)."""
    for _ in range(int(seconds * 10)):
        if page.evaluate("""async () => { const c = await caches.open('companion-shell-v1');
                return !!(await c.match('/checkin/offline-form')); }"""):
            return
        page.wait_for_timeout(100)
    raise AssertionError("the check-in shell was never cached")


def test_urgent_checkin_made_offline_from_home_shows_its_result_once_sent(live_server, phone):
    base, app = live_server
    page = phone.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, base, "postop@demo.test")
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null || true")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.reload()  # a controlled page asks the worker to refresh the offline copies
    wait_for_shell(page)

    phone.set_offline(True)
    page.locator("nav.tab-bar a[href='/checkin']").click()
    page.wait_for_selector("form[data-shell]")
    assert page.locator("[data-offline-form]").is_visible()
    page.locator("#q-pain_now label.choice:has(input[value='5'])").tap()
    page.locator("#q-anything_new label.choice:has(input[value='yes'])").tap()
    page.locator("#q-pump_alarm label.choice:has(input[value='two_tone'])").tap()
    page.locator("button.dq-send").tap()
    page.wait_for_selector("#offline-saved:has-text('Saved on this phone')")
    shot(page, "i16-offline-shell-saved-phone")

    phone.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    wait_for_empty_outbox(page)
    page.wait_for_selector("#offline-saved:has-text('Sent at')")
    outcome = page.locator("#sync-outcome [data-outcome='urgent']")
    outcome.wait_for(state="visible")
    assert "Call your clinic now" in outcome.inner_text()
    shot(page, "i16-offline-urgent-sent-phone")

    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "postop@demo.test"))
        patient = db.session.scalar(select(Patient).where(Patient.user_id == user.id))
        case_id = db.session.scalar(select(Case.id).where(Case.patient_id == patient.id)
                                    .order_by(Case.id.desc()).limit(1))
        db.session.remove()
    page.goto(base + "/")
    card = page.locator(f"[data-open-case='{case_id}']")
    assert card.is_visible() and "Waiting for a nurse" in card.inner_text()
    shot(page, "i16-home-open-case-phone")
    assert errors == []


def test_nurse_acknowledges_and_the_patient_sees_a_badge_and_the_message(live_server, phone):
    base, app = live_server
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "patient@demo.test"))
        patient = db.session.scalar(select(Patient).where(Patient.user_id == user.id))
        nurse = db.session.scalar(select(User).where(User.email == "doctor@demo.test"))
        result = cases.assess(patient, observations={"pump_alarm": "two_tone"}, context={}, source_type="browser_test",
                              source_id=16, reported_by_user=user)
        db.session.commit()
        cases.acknowledge(db.session.get(Case, result.case_id), nurse)
        db.session.remove()
    page = phone.new_page()
    sign_in(page, base, "patient@demo.test")
    badge = page.locator("nav.tab-bar a[href='/more'] [data-unread]")
    assert badge.is_visible() and int(badge.inner_text().split()[0]) >= 1
    assert page.locator("[data-home-messages]").is_visible()  # home lists the new message too
    shot(page, "i16-home-badge-phone")
    page.locator("nav.tab-bar a[href='/more']").click()
    assert page.locator("main a[href='/notifications'] [data-unread]").is_visible()  # the Messages item's badge
    page.locator("main a[href='/notifications']").click()
    message = page.locator("li[data-message='case_seen']").first
    assert "Dr Sam Okafor has seen your report" in message.inner_text()
    shot(page, "i16-messages-phone")
    message.locator("button").click()
    page.wait_for_url(f"**/cases/{result.case_id}")


def test_normal_day_checkin_takes_four_taps_or_fewer(live_server, phone):
    base, _app = live_server
    page = phone.new_page()
    sign_in(page, base, "patient@demo.test")
    page.goto(base + "/checkin")
    ordinary_checkin(page)  # the first one of the week may ask the weekly questions
    page.wait_for_selector("[data-entry-saved]")
    page.goto(base + "/checkin")
    taps = ordinary_checkin(page, "4")
    page.wait_for_selector("[data-entry-saved]")
    assert taps <= 4


def test_pump_beeping_shortcut_shows_and_focuses_the_alarm_question(live_server, phone):
    base, _app = live_server
    page = phone.new_page()
    sign_in(page, base, "patient@demo.test")
    page.goto(base + "/pump")
    page.locator("a[href='/checkin?pump_alarm=1']").click()
    page.wait_for_selector("#q-pump_alarm:not([hidden])")
    assert page.locator("#q-pump_alarm").is_visible()
    assert page.evaluate("document.activeElement.name") == "pump_alarm"
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "i16-pump-beeping-checkin-phone.png"))  # what the phone shows: the question


def test_two_wound_checks_with_photos_compare_side_by_side(live_server, phone, tmp_path):
    from PIL import Image

    base, _app = live_server
    page = phone.new_page()
    sign_in(page, base, "postop@demo.test")
    for n, colour in enumerate(((200, 120, 110), (170, 140, 130))):
        photo = tmp_path / f"belly{n}.jpg"
        Image.new("RGB", (1200, 900), colour).save(photo, "JPEG")
        page.goto(base + "/wound")
        for site in ("belly", "back"):
            page.locator(f"#q-{site}-redness label.choice:has(input[value='edges_only'])").tap()
            page.locator(f"#q-{site}-drainage label.choice:has(input[value='none'])").tap()
            page.locator(f"#q-{site}-swelling label.choice:has(input[value='stable'])").tap()
        page.set_input_files("#belly-photo", str(photo))
        page.locator("button.dq-send").tap()
        page.wait_for_selector("[data-entry-saved]")
    page.goto(base + "/diary")
    page.locator(".diary-photos a").first.click()
    page.wait_for_selector("[data-compare='belly']")
    images = page.locator(".photo-compare img")
    assert images.count() >= 2
    for i in range(images.count()):
        images.nth(i).scroll_into_view_if_needed()
    boxes = [images.nth(i).bounding_box() for i in range(images.count())][-2:]
    assert boxes[0]["y"] == boxes[1]["y"] and boxes[0]["x"] < boxes[1]["x"]  # side by side
    assert abs(boxes[0]["width"] - boxes[1]["width"]) < 1 and abs(boxes[0]["height"] - boxes[1]["height"]) < 1
    assert "belly cut" in images.last.get_attribute("alt")
    assert page.locator("a.back-link[href='/diary']").is_visible()
    shot(page, "i16-wound-compare-phone")


def test_emergency_answer_on_the_offline_shell_shows_the_emergency_screen(live_server, phone):
    base, _app = live_server
    page = phone.new_page()
    sign_in(page, base, "newpatient@demo.test")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.reload()
    wait_for_shell(page)
    phone.set_offline(True)
    page.locator("nav.tab-bar a[href='/checkin']").click()
    page.wait_for_selector("form[data-shell]")
    page.locator("#q-pain_now label.choice:has(input[value='3'])").tap()
    page.locator("#q-anything_new label.choice:has(input[value='yes'])").tap()
    page.locator("#q-sleepiness label.choice:has(input[value='hard_to_wake'])").tap()
    page.locator("button.dq-send").tap()
    screen = page.locator("#emergency-screen")
    screen.wait_for(state="visible")
    assert screen.locator("a.btn-emergency").get_attribute("href") == "tel:911"
    shot(page, "i16-offline-shell-emergency-phone")
    page.evaluate("async () => window.companionOutbox.clear()")
    phone.set_offline(False)
