"""A patient who reports the same danger twice on the phone: both times told to call the clinic; the nurse's queue
on a tablet has one case for it, marked "reported again", and a new sign still opens a case of its own. Axe clean."""
from playwright.sync_api import expect

from tests.browser.axe_check import violations
from tests.browser.conftest import shot, sign_in
from tests.browser.test_escalation_patient_flow import _report


def test_the_same_alarm_twice_is_one_case_marked_reported_again(live_server, phone, tablet):
    base, _app = live_server
    patient = phone.new_page()
    sign_in(patient, base, "patient@demo.test")
    case_ids = []
    for _ in range(2):
        _report(patient, base, ("pump_alarm", "two_tone"))
        outcome = patient.locator("[data-outcome='urgent']")
        expect(outcome).to_be_visible()
        expect(outcome).to_contain_text("Call your clinic now")
        link = outcome.get_by_role("link", name="See what your care team has done").get_attribute("href")
        case_ids.append(link.rstrip("/").split("/")[-1])
    assert case_ids[0] == case_ids[1]  # the second report joined the waiting case
    shot(patient, "repeat-report-second-alarm-phone")

    nurse = tablet.new_page()
    sign_in(nurse, base, "nurse@demo.test")
    nurse.goto(base + "/care")
    row = nurse.locator(f"#case-{case_ids[0]}")
    expect(row.locator(".case-again")).to_contain_text("1 time, last at")
    expect(nurse.locator(".case-again")).to_have_count(1)
    shot(nurse, "repeat-report-queue-tablet")
    assert violations(nurse) == [], "queue with a case reported again, tablet"
    nurse.goto(base + "/care?view=compact")
    expect(nurse.locator(f"#case-{case_ids[0]} .case-again")).to_have_text("reported again ×1")
    assert violations(nurse) == [], "compact queue with a case reported again, tablet"
    nurse.goto(base + f"/care/cases/{case_ids[0]}")
    expect(nurse.locator("#case-detail")).to_contain_text("reported again")

    _report(patient, base, ("pump_alarm", "two_tone"), ("feels_feverish", "yes"), ("stiff_neck", "yes"))
    outcome = patient.locator("[data-outcome='urgent']")
    expect(outcome).to_be_visible()
    link = outcome.get_by_role("link", name="See what your care team has done").get_attribute("href")
    assert link.rstrip("/").split("/")[-1] != case_ids[0]  # a new sign: a case of its own
