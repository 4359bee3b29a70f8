"""Issue 7 end to end at desktop and tablet size: queue order, acknowledge, a patient's new case within 10 s,
the record with refill markers, the PDF and FHIR downloads, and screenshots of queue, record and roster."""
import io

import pytest
from fhir.resources.R4B.bundle import Bundle
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.conftest import shot, sign_in

SIZES = {"desktop": {"width": 1440, "height": 900}, "tablet": {"width": 1024, "height": 1366}}


@pytest.fixture(params=sorted(SIZES))
def staff_context(request, browser):
    """A desktop- or tablet-sized context for the nurse."""
    _p, b = browser
    context = b.new_context(viewport=SIZES[request.param], device_scale_factor=1, accept_downloads=True,
                            has_touch=request.param == "tablet")
    yield request.param, context
    context.close()


def _patient_reports_two_tone_alarm(phone, base: str) -> None:
    """The demo patient, in another browser, answers the check-in: something new, the pump made two tones."""
    page = phone.new_page()
    sign_in(page, base, "patient@demo.test")
    page.goto(base + "/checkin")
    page.locator("#q-pain_now label.choice:has(input[value='4'])").tap()
    for link in ("peg-pain_avg", "peg-enjoyment", "peg-activity"):
        if page.locator(f"#q-{link}").count():
            page.locator(f"#q-{link} label.choice:has(input[value='4'])").tap()
    page.locator("#q-anything_new label.choice:has(input[value='yes'])").tap()
    page.locator("#q-pump_alarm label.choice:has(input[value='two_tone'])").tap()
    page.locator("button.dq-send").tap()
    expect(page.locator(".outcome-urgent:visible, #emergency-screen:visible").first).to_be_visible()


def _open_rows(page) -> list[tuple[str, str]]:
    """(tier, patient name) of each open case row, top to bottom."""
    rows = page.locator(".case-row:has(button[data-ack='on_it'])")
    return [(("emergency" if "case-emergency" in rows.nth(i).get_attribute("class") else "urgent"),
             rows.nth(i).locator("strong").first.inner_text()) for i in range(rows.count())]


def test_nurse_triage_record_and_exports(live_server, staff_context, phone, tmp_path):
    size, context = staff_context
    base, _app = live_server
    nurse = context.new_page()
    sign_in(nurse, base, "nurse@demo.test")
    nurse.goto(base + "/care")
    # The demo: Robin's urgent (70 min, overdue) first, Robin's emergency (12 min) grouped with it, Pat's urgent.
    assert _open_rows(nurse)[:3] == [("urgent", "Robin Diaz"), ("emergency", "Robin Diaz"), ("urgent", "Pat Morgan")]
    expect(nurse.locator(".case-row.case-overdue .deadline-passed").first).to_contain_text("Overdue by")
    shot(nurse, f"careteam-queue-{size}")

    _patient_reports_two_tone_alarm(phone, base)
    fresh = nurse.locator(".case-row.case-new")
    expect(fresh).to_be_visible(timeout=10_000)  # the 5-second poll: no reload
    expect(nurse.locator("[data-queue-alert]")).to_be_visible()
    case_id = fresh.get_attribute("id")
    assert "Critical two-tone alarm" in fresh.inner_text()
    fresh.get_by_role("button", name="I'm on it").click()  # one click
    expect(nurse.locator(f"#{case_id}")).to_contain_text("Seen by Nurse Nora Reyes")

    nurse.goto(base + "/care/patients")
    expect(nurse.locator("#roster tbody tr").first).to_contain_text("Diaz")  # open emergency first
    shot(nurse, f"careteam-roster-{size}")
    nurse.get_by_role("link", name="Morgan, Pat").click()
    nurse.get_by_role("link", name="90 days", exact=True).click()
    expect(nurse.locator("#charts-title")).to_have_text("Trends, last 90 days")
    expect(nurse.locator("#chart-pain svg line[stroke-dasharray]")).to_have_count(1)
    expect(nurse.locator("#chart-pain svg")).to_contain_text("Refill, dose up")
    shot(nurse, f"careteam-record-{size}")

    with nurse.expect_download() as download:
        nurse.get_by_role("link", name="Visit summary, 90 days (PDF)").click()
    pdf = tmp_path / "summary.pdf"
    download.value.save_as(pdf)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.read_bytes())).pages)
    assert "Pat Morgan" in text and "Gabapentin" in text
    with nurse.expect_download() as download:
        nurse.get_by_role("link", name="Whole record as FHIR R4 (4.0.1) Bundle, JSON").click()
    download.value.save_as(tmp_path / "bundle.json")
    bundle = Bundle.model_validate_json((tmp_path / "bundle.json").read_bytes())
    assert bundle.entry[0].resource.name[0].family == "Morgan"
