"""Issue 5 end to end from the browser: a two-tone alarm reported on the phone reaches the nurse's queue
without a reload, the nurse acknowledges, the patient sees who saw it; an emergency answer shows the
call-emergency-services screen before anything else."""
import re

from playwright.sync_api import expect

from tests.browser.conftest import shot, sign_in


def _answer_weekly_if_asked(page) -> None:
    """The PEG questions appear once a week; answer them when they do."""
    for link in ("peg-pain_avg", "peg-enjoyment", "peg-activity"):
        group = page.locator(f"#q-{link}")
        if group.count():
            group.locator("label.choice:has(input[value='4'])").tap()


def _report(page, base: str, *answers: tuple[str, str]) -> None:
    """Fill the check-in with pain 4, 'something new', and the given (question, value) answers."""
    page.goto(base + "/checkin")
    page.locator("#q-pain_now label.choice:has(input[value='4'])").tap()
    _answer_weekly_if_asked(page)
    page.locator("#q-anything_new label.choice:has(input[value='yes'])").tap()
    for link_id, value in answers:
        page.locator(f"#q-{link_id} label.choice:has(input[value='{value}'])").tap()
    page.locator("button.dq-send").tap()


def test_two_tone_alarm_reaches_the_queue_and_the_patient_sees_seen_by(live_server, phone, tablet):
    base, _app = live_server
    nurse = tablet.new_page()
    sign_in(nurse, base, "nurse@demo.test")
    nurse.goto(base + "/care")
    before = set(filter(None, nurse.locator("#queue").get_attribute("data-open-case-ids").split(",")))

    patient = phone.new_page()
    sign_in(patient, base, "patient@demo.test")
    _report(patient, base, ("pump_alarm", "two_tone"))
    outcome = patient.locator("[data-outcome='urgent']")
    expect(outcome).to_be_visible()
    expect(outcome.locator("a.btn-urgent")).to_have_attribute("href", re.compile(r"^tel:\+1555010"))
    shot(patient, "escalation-e2e-urgent-phone")
    href = outcome.get_by_role("link", name="See what your care team has done").get_attribute("href")
    case_id = href.rstrip("/").split("/")[-1]
    assert case_id not in before

    row = nurse.locator(f"#case-{case_id}")
    expect(row).to_be_visible(timeout=10_000)  # arrives by the queue's poll, no reload
    expect(row).to_contain_text("Morgan")
    row.get_by_role("button", name="I'm on it").click()
    expect(nurse.locator(f"#case-{case_id}")).to_contain_text("Seen by Nurse Nora Reyes")

    patient.goto(base + href)
    expect(patient.locator("[data-seen]")).to_contain_text("Seen by Nurse Nora Reyes at")
    shot(patient, "escalation-e2e-seen-phone")


def test_emergency_answer_shows_the_emergency_screen_first(live_server, phone):
    base, _app = live_server
    page = phone.new_page()
    sign_in(page, base, "patient@demo.test")
    _report(page, base, ("blue_lips", "yes"))
    screen = page.locator(".emergency-screen[data-outcome='emergency']")
    expect(screen).to_be_visible()
    box, viewport = screen.bounding_box(), page.viewport_size
    assert box["x"] <= 0 and box["y"] <= 0 and box["width"] >= viewport["width"] and box["height"] >= viewport["height"]
    call = screen.locator("a.btn-emergency").first
    expect(call).to_have_attribute("href", "tel:911")
    assert call.bounding_box()["y"] < viewport["height"]  # the call button is on screen without scrolling
    expect(screen.locator("h1")).to_have_text("Call emergency services now")
    assert "morphine" in screen.inner_text().lower()  # what to tell them, from the pump card
    shot(page, "escalation-e2e-emergency-phone")
