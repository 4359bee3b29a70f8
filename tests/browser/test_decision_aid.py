"""Decision aid in a real browser: options with icon arrays, values saved and reloaded, the summary PDF on a
phone (Pixel 7); the nurse sees the same values in the consent session on a tablet. Axe clean throughout."""
import io

from pypdf import PdfReader
from sqlalchemy import select

from companion.accounts.models import Patient
from companion.consent.decision_aid import rules, services
from companion.consent.decision_aid.content import load
from companion.extensions import db
from tests.browser.axe_check import violations
from tests.browser.conftest import shot, sign_in
from tests.browser.test_consent_flow import small_targets, watch_errors

AID = load("en")
FIGURES = [x for o in AID.options for x in o.outcomes if x.figure in ("count", "range")]


def test_patient_compares_options_rates_values_reloads_and_downloads_the_summary(live_server, phone):
    base, _app = live_server
    page = phone.new_page()
    errors = watch_errors(page)
    sign_in(page, base, "newpatient@demo.test")
    page.goto(base + "/learn")
    page.get_by_role("link", name="Compare your options").click()
    page.wait_for_url(base + "/learn/options")
    arrays = page.locator("svg.icon-array")
    assert arrays.count() == len(FIGURES)
    first = arrays.first
    first.scroll_into_view_if_needed()
    assert first.bounding_box()["width"] >= 100  # big enough to count figures on a phone
    assert page.locator('svg.icon-array[aria-label="4 out of 100 people"] g[data-state="on"]').count() == 4
    assert violations(page) == []
    shot(page, "decision-aid-options-phone")

    page.get_by_role("link", name="What matters most to you?").click()
    page.wait_for_url(base + "/learn/options/values")
    ratings = {"no_surgery": "Very much", "pain_relief": "A lot", "no_refills": "A little"}
    for key, label in ratings.items():
        page.locator(f'[data-value="{key}"] label.choice', has_text=label).click()
    page.locator("label.answer-choice", has_text="I am not sure yet").click()
    page.get_by_label("Questions I want to ask my care team").fill("How long does the pump trial take?")
    assert small_targets(page) == []
    assert violations(page) == []
    page.get_by_role("button", name="Save my answers").click()
    page.locator("#values-saved").wait_for()
    shot(page, "decision-aid-values-phone")

    page.reload()
    for key, label in ratings.items():
        checked = page.locator(f'[data-value="{key}"] input:checked')
        assert checked.count() == 1 and checked.get_attribute("value") == str(
            ["Not at all", "A little", "Some", "A lot", "Very much"].index(label))
    assert page.get_by_label("Questions I want to ask my care team").input_value() == "How long does the pump trial take?"
    page.locator('[data-value="no_refills"] label.choice', has_text="Very much").click()  # changed mind
    page.get_by_role("button", name="Save my answers").click()
    page.locator("#values-saved").wait_for()

    page.get_by_role("link", name="See my summary for the visit").click()
    page.wait_for_url(base + "/learn/options/summary")
    assert "How long does the pump trial take?" in page.locator("main").inner_text()
    assert violations(page) == []
    shot(page, "decision-aid-summary-phone")
    with page.expect_download() as download:
        page.locator("[data-summary-pdf]").click()
    reader = PdfReader(io.BytesIO(open(download.value.path(), "rb").read()))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert len(reader.pages) == 1
    assert "Jamie Lee" in text and "I am not sure yet" in text
    assert "Not going back for refills for the rest of my life: Very much" in text
    assert "How long does the pump trial take?" in text

    page.goto(base + "/learn/options/about")
    assert AID.content_date.isoformat() in page.locator("main").inner_text()
    assert violations(page) == []
    assert errors == []


def test_nurse_sees_the_values_beside_the_teach_back_gaps_at_tablet_size(live_server, tablet):
    base, app = live_server
    with app.app_context():  # the patient's own save, so this test stands alone
        patient = db.session.scalars(select(Patient).where(Patient.given_name == "Jamie")).one()
        patient_id = patient.id
        services.save_answers(patient, patient.user, AID.version, rules.Answers(
            {"no_surgery": 4, "do_more": 3}, "unsure", "How long does the pump trial take?"))
        db.session.remove()
    page = tablet.new_page()
    errors = watch_errors(page)
    sign_in(page, base, "nurse@demo.test")
    page.goto(f"{base}/care/patients/{patient_id}/consent")
    section = page.locator("#decision-values")
    text = section.inner_text()
    assert "What matters to the patient" in text and "Not sure yet" in text
    assert "How long does the pump trial take?" in text
    gaps, values = page.locator("#explain-again").bounding_box(), section.bounding_box()
    assert abs(values["x"] - gaps["x"]) < 2 and 0 <= values["y"] - (gaps["y"] + gaps["height"]) < 60  # right below
    assert violations(page) == []
    shot(page, "decision-aid-session-tablet")
    assert errors == []
