"""Issue 13 part B at tablet size: a reported MRI case in the queue, the consent readiness gate, the quality report."""
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from companion.accounts.models import Patient, User
from companion.clock import utcnow
from companion.extensions import db
from companion.pump import services as pump
from tests.browser.axe_check import violations
from tests.browser.conftest import shot, sign_in


def test_a_prometra_mri_reported_by_the_patient_is_a_named_case_with_checklist_and_field_flag(live_server, phone,
                                                                                               tablet):
    base, app = live_server
    with app.app_context():
        robin = db.session.scalar(select(Patient).where(Patient.given_name == "Robin"))
        nurse = db.session.scalar(select(User).where(User.email == "nurse@demo.test"))
        pump.save_profile(nurse, robin, model="prometra_ii_20", reservoir_ml=None, implanted_on=robin.implanted_on)
        db.session.remove()
    patient = phone.new_page()
    sign_in(patient, base, "postop@demo.test")
    patient.goto(base + "/pump")
    form = patient.locator("#pump-procedures form")
    form.locator("label.choice", has_text="MRI scan").click()
    patient.fill("#planned_on", (utcnow() + timedelta(days=3)).date().isoformat())
    patient.select_option("#field_tesla", "3")
    form.get_by_role("button", name="Tell my clinic").click()
    expect(patient.locator("#pump-procedures .flash-success")).to_be_visible()

    page = tablet.new_page()
    sign_in(page, base, "nurse@demo.test")
    page.goto(base + "/care/queue")
    row = page.locator(".case-row", has_text="must be emptied")
    expect(row).to_be_visible()
    expect(row).to_contain_text("Robin Diaz")
    shot(page, "i13b-queue-mri-case-tablet")
    row.get_by_role("link", name="Robin Diaz").click()
    expect(page.locator(".case-checklist")).to_contain_text("Empty the whole reservoir")
    expect(page.locator("#case-detail")).to_contain_text("Scanner 3 T is above this model's 1.5 T limit.")
    shot(page, "i13b-mri-case-tablet")
    assert violations(page) == []
    page.goto(base + "/care/refills")
    expect(page.locator("#tasks-title + ul")).to_contain_text("Diaz, Robin")


def test_consent_session_shows_readiness_and_needs_a_reason_to_sign(live_server, tablet):
    base, app = live_server
    with app.app_context():
        jamie = db.session.scalar(select(Patient.id).where(Patient.given_name == "Jamie"))
        db.session.remove()
    page = tablet.new_page()
    sign_in(page, base, "nurse@demo.test")
    page.goto(f"{base}/care/patients/{jamie}/consent")
    readiness = page.locator("#readiness")
    expect(readiness).to_contain_text("modules unread")
    expect(readiness).to_contain_text("1 teach-back answer still wrong")
    expect(readiness).to_contain_text("No trial yet")
    page.get_by_role("button", name="Tick all").click()
    page.locator("#decision label.choice", has_text="Agrees to a trial").click()
    for who in ("patient", "clinician"):
        page.locator(f"#{who}-signer label.choice", has_text="Type the name instead").click()
    page.fill("#patient_typed_name", "Jamie Lee")
    page.fill("#clinician_typed_name", "Nurse Nora Reyes")
    page.get_by_role("button", name="Save the signed record").click()
    expect(page.locator("#readiness_reason-error")).to_contain_text("write why the patient signs now")
    shot(page, "i13b-consent-reason-needed-tablet")
    assert violations(page) == []
    page.fill("#readiness_reason", "Wants the trial before the winter; the open topics were covered today.")
    page.get_by_role("button", name="Save the signed record").click()
    page.locator(".flash-success").wait_for()
    assert page.locator("[data-consent-state]").inner_text().startswith("signed on ")


def test_quality_report_has_charts_tables_and_no_violations_at_tablet_and_phone(live_server, tablet, phone):
    base, _ = live_server
    for name, context in (("tablet", tablet), ("phone", phone)):
        page = context.new_page()
        sign_in(page, base, "doctor@demo.test")
        page.goto(base + "/care/reports")
        expect(page.locator("#reports svg.chart")).to_have_count(4)
        expect(page.locator(".report-table").first).to_contain_text("W")
        shot(page, f"i13b-reports-{name}")
        assert violations(page) == [], name
        page.goto(base + "/care/reports?by=month")
        assert violations(page) == [], name


def test_staff_diary_answers_stay_on_screen_at_tablet_width(live_server, tablet):
    base, app = live_server
    with app.app_context():
        pat = db.session.scalar(select(Patient.id).where(Patient.given_name == "Pat"))
        db.session.remove()
    page = tablet.new_page()
    sign_in(page, base, "nurse@demo.test")
    page.goto(f"{base}/care/patients/{pat}/diary")
    entry = page.locator(".diary-entry details").first
    entry.locator("summary").click()
    for cell in (entry.locator("dt").first, entry.locator("dd").first):
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 1024, box
    # Before the fix the question's max-content column squeezed the answer to a sliver at the edge.
    assert entry.locator("dd").first.bounding_box()["width"] >= 120
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024
    shot(page, "i13b-staff-diary-tablet")
