"""At phone size, offline (issue 12): an urgent answer says "Call your clinic now" with the clinic's number,
and a sedation emergency names the drug from the pump card kept on the phone."""
from companion.accounts.models import User
from companion.clock import utcnow
from companion.escalation import routing
from companion.extensions import db
from companion.pump import queries as pump_queries
from tests.browser.conftest import shot, sign_in


def _patient_facts(app, email: str) -> tuple[str, list[str]]:
    """The number the clinic wants called now (day or out of hours) and the pump drugs of the demo patient."""
    from companion.accounts.models import Patient

    with app.app_context():
        user = db.session.query(User).filter_by(email=email).one()
        patient = db.session.query(Patient).filter_by(user_id=user.id).one()
        clinic = patient.clinic
        day = routing.in_hours(clinic, routing.settings_for(clinic.id), utcnow())
        number = clinic.phone if day or not clinic.out_of_hours_phone else clinic.out_of_hours_phone
        card = pump_queries.pump_card(patient) or {}
        return number, [d["name"] for d in card.get("drugs", [])]


def _answer_offline(phone, page, base: str, question: str, value: str) -> None:
    """Open the check-in, go offline, answer "something new" and one red-flag item, and send."""
    page.goto(base + "/checkin")
    page.wait_for_function("window.companionOutbox !== undefined")
    phone.set_offline(True)
    page.locator("#q-pain_now label.choice:has(input[value='4'])").tap()
    page.locator("#q-anything_new label.choice:has(input[value='yes'])").tap()
    page.locator(f"#q-{question} label.choice:has(input[value='{value}'])").tap()
    page.locator("button.dq-send").tap()


def test_offline_urgent_answer_says_call_your_clinic_with_its_number(live_server, phone):
    base, app = live_server
    number, _ = _patient_facts(app, "patient@demo.test")
    page = phone.new_page()
    sign_in(page, base, "patient@demo.test")
    _answer_offline(phone, page, base, "pump_alarm", "two_tone")
    box = page.locator("#urgent-offline")
    box.wait_for(state="visible")
    assert "Call your clinic now" in box.inner_text()
    call = box.locator("a[data-clinic-call]")
    assert call.get_attribute("href") == "tel:" + "".join(ch for ch in number if ch in "+0123456789")
    assert number in call.inner_text()
    assert page.locator("#emergency-screen").is_hidden()
    shot(page, "diary-urgent-offline-phone")
    page.evaluate("async () => window.companionOutbox.clear()")
    phone.set_offline(False)


def test_offline_sedation_emergency_names_the_drug_from_the_kept_card(live_server, phone):
    base, app = live_server
    _, drugs = _patient_facts(app, "patient@demo.test")
    assert drugs, "the demo patient needs a pump card with drugs"
    page = phone.new_page()
    sign_in(page, base, "patient@demo.test")
    page.goto(base + "/pump")
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    save = page.locator("[data-save-card]")
    save.wait_for(state="visible")
    save.tap()
    page.wait_for_selector("[data-save-card][data-saved='yes']")
    _answer_offline(phone, page, base, "sleepiness", "hard_to_wake")
    screen = page.locator("#emergency-screen")
    screen.wait_for(state="visible")
    named = screen.locator("[data-pump-drugs]")
    named.wait_for(state="visible")
    assert all(d in named.inner_text() for d in drugs)
    assert screen.locator("a.btn-emergency").get_attribute("href") == "tel:911"
    shot(page, "diary-emergency-offline-drug-phone")
    page.evaluate("async () => window.companionOutbox.clear()")
    phone.set_offline(False)
