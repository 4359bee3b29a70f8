"""At phone size, offline, with the rules context the phone kept at sign-in (issue 12): a refill today makes
dozing off an emergency that names the drug; on a baclofen pump itching with returning spasms says "Call your
clinic now" with the clinic's number. Without the kept context neither would go past routine."""
from decimal import Decimal as D

from companion.accounts.models import Patient, User
from companion.clock import utcnow
from companion.escalation import routing
from companion.extensions import db
from tests.browser.conftest import shot, sign_in


def _refill_today(app, email: str, drugs: list, **kw) -> str:
    """A refill done and double-checked today (the demo's own helper); returns the number to call now."""
    from companion.pump import demo, services

    with app.app_context():
        user = db.session.query(User).filter_by(email=email).one()
        patient = db.session.query(Patient).filter_by(user_id=user.id).one()
        demo._fill(demo._staff("nurse@demo.test"), demo._staff("doctor@demo.test"), patient, 0, D(20),
                   [services.DrugEntry(*d) for d in drugs], **kw)
        clinic = patient.clinic
        day = routing.in_hours(clinic, routing.settings_for(clinic.id), utcnow())
        number = clinic.phone if day or not clinic.out_of_hours_phone else clinic.out_of_hours_phone
        db.session.remove()
        return number


def _check_in_offline(phone, page, base: str, answers: list[tuple[str, str]], kept: dict | None = None) -> None:
    """Open the check-in online (the context is kept, or `kept` stands in for it), go offline, answer "something
    new" and more, and send."""
    page.goto(base + "/checkin")
    page.wait_for_function("window.companionOutbox !== undefined")
    if kept is not None:
        page.evaluate("(kept) => localStorage.setItem('companion-rules-context', JSON.stringify(kept))", kept)
    phone.set_offline(True)
    _send(page, answers)


def _send(page, answers: list[tuple[str, str]]) -> None:
    """Pain 4, "something new", the given answers, then send."""
    for question, value in [("pain_now", "4"), ("anything_new", "yes"), *answers]:
        page.locator(f"#q-{question} label.choice:has(input[value='{value}'])").tap()
    page.locator("button.dq-send").tap()


def test_offline_dozing_off_after_todays_refill_is_an_emergency_naming_the_drug(live_server, phone):
    base, app = live_server
    _refill_today(app, "patient@demo.test", [("Morphine", D(10), D(5), "mg")], expected_residual_ml=D("5.8"),
                  withdrawn_ml=D("5.5"))
    page = phone.new_page()
    sign_in(page, base, "patient@demo.test")
    kept = page.evaluate("() => JSON.parse(localStorage.getItem('companion-rules-context'))")
    assert kept["drugs"] == ["morphine"] and kept["refill_on"] and "name" not in str(kept).lower()
    _check_in_offline(phone, page, base, [("sleepiness", "drifts_off")])
    screen = page.locator("#emergency-screen")
    screen.wait_for(state="visible")
    named = screen.locator("[data-pump-drugs]")
    named.wait_for(state="visible")
    assert "morphine" in named.inner_text().lower()
    assert page.locator("#urgent-offline").is_hidden()
    shot(page, "diary-offline-window-emergency-phone")
    # Without the kept context (as before this change) the same answer is urgent, not an emergency.
    page.locator("[data-close-emergency]").tap()
    page.evaluate("() => localStorage.removeItem('companion-rules-context')")
    _send(page, [("sleepiness", "drifts_off")])
    page.locator("#urgent-offline").wait_for(state="visible")
    assert page.locator("#emergency-screen").is_hidden()
    page.evaluate("async () => window.companionOutbox.clear()")
    phone.set_offline(False)


def test_offline_baclofen_itching_and_spasms_say_call_your_clinic_with_its_number(live_server, phone):
    base, app = live_server
    number = _refill_today(app, "postop@demo.test", [("Baclofen", D(500), D(100), "mcg")],
                           expected_residual_ml=D("15"), withdrawn_ml=D("15"), change_reason="Switched to baclofen.",
                           reprogrammed_confirmed=True, override_reason="previous_response",
                           override_note="Baclofen as agreed with the physician for spasticity.")
    page = phone.new_page()
    sign_in(page, base, "postop@demo.test")
    assert "baclofen" in page.evaluate("() => localStorage.getItem('companion-rules-context')")
    _check_in_offline(phone, page, base, [("itching", "yes"), ("withdrawal_signs", "muscle_spasms")])
    box = page.locator("#urgent-offline")
    box.wait_for(state="visible")
    assert "Call your clinic now" in box.inner_text()
    call = box.locator("a[data-clinic-call]")
    assert call.get_attribute("href") == "tel:" + "".join(ch for ch in number if ch in "+0123456789")
    assert page.locator("#emergency-screen").is_hidden()
    shot(page, "diary-offline-baclofen-urgent-phone")
    page.evaluate("async () => window.companionOutbox.clear()")
    phone.set_offline(False)
    # Signing out clears the kept context.
    page.goto(base + "/")
    page.locator("form[data-logout] button").first.click()
    page.wait_for_url("**/login**")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("() => localStorage.getItem('companion-rules-context')") is None


def test_offline_withdrawal_signs_on_ziconotide_follow_the_kept_switch(live_server, phone):
    """Two withdrawal-like signs on ziconotide alone stay routine offline (as the server says), but after a switch
    from morphine they are urgent: the phone's "unless", "only" and "subset" conditions at work."""
    base, _app = live_server
    page = phone.new_page()
    sign_in(page, base, "patient@demo.test")
    signs = [("withdrawal_signs", "sweating"), ("withdrawal_signs", "yawning")]
    switched = {"drugs": ["ziconotide"], "previous_drugs": ["morphine"]}
    for kept, urgent in (({"drugs": ["ziconotide"]}, False), (switched, True)):
        _check_in_offline(phone, page, base, signs, {"timezone": "America/New_York", **kept})
        page.locator("#offline-saved").wait_for(state="visible")
        assert page.locator("#urgent-offline").is_visible() is urgent, kept
        assert page.locator("#emergency-screen").is_hidden()
        page.evaluate("async () => window.companionOutbox.clear()")
        phone.set_offline(False)
