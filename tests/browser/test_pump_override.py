"""A refill over a clinic ceiling at tablet size: the nurse overrides, a second nurse cannot confirm, the physician
sees the finding and the override, re-enters all five values blind; the history and the visit-summary PDF keep it."""
import io

from tests.browser.conftest import shot, sign_in

NOTE = "Same 5 mg/day as for two years; agreed with Dr Okafor at the visit."


def _setup(app) -> tuple[int, str]:
    """A 4 mg/day clinic ceiling for morphine (the demo patient gets 5) and a second nurse of the clinic."""
    from decimal import Decimal as D

    from sqlalchemy import select

    from companion.accounts.models import Patient, User
    from companion.extensions import db
    from companion.pump import services

    with app.app_context():
        doctor = db.session.scalar(select(User).where(User.email == "doctor@demo.test"))
        nurse = db.session.scalar(select(User).where(User.email == "nurse@demo.test"))
        services.save_dose_settings(doctor, change_percent_limit=D(20), ceilings=[("Morphine", D(4), None, "mg")])
        db.session.add(User(email="nurse2@demo.test", display_name="Nurse Two", role="nurse",
                            clinic_id=nurse.clinic_id, password_hash=nurse.password_hash))
        db.session.commit()
        pid = db.session.scalar(select(Patient.id).join(User, User.id == Patient.user_id)
                                .where(User.email == "patient@demo.test"))
        db.session.remove()
    return pid, "nurse2@demo.test"


def _page(browser, base, email):
    p, b = browser
    context = b.new_context(viewport={"width": 1024, "height": 1366}, device_scale_factor=1, has_touch=True)
    page = context.new_page()
    errors: list = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and "favicon" not in m.text and "status of 422" not in m.text
            and errors.append(m.text))  # a 422 is the expected answer to a refused form
    sign_in(page, base, email)
    return context, page, errors


def _submit(page, button) -> None:
    """Click and wait for the htmx answer (the error summary of an earlier answer is already on the page)."""
    with page.expect_response(lambda r: r.request.method == "POST" and "/pump/" in r.url):
        button.click()
    page.wait_for_load_state("networkidle")


def test_override_over_a_ceiling_needs_the_physician_and_stays_visible(live_server, browser):
    from pypdf import PdfReader

    from tests.browser.axe_check import violations

    base, app = live_server
    pid, second_nurse = _setup(app)
    url = f"{base}/care/patients/{pid}/pump"

    context, nurse, errors = _page(browser, base, "nurse@demo.test")
    nurse.goto(url)
    form = nurse.locator("#refill-form")
    for name, value in (("expected_residual_ml", "2.0"), ("withdrawn_ml", "1.9"), ("fill_volume_ml", "40"),
                        ("alarm_volume_ml", "2"), ("stability_days", "90"), ("drugs-0-concentration", "10"),
                        ("drugs-0-daily_dose", "5")):
        form.locator(f"#{name}").fill(value)
    form.locator("#kind").select_option("refill")
    _submit(nurse, form.locator("button[type=submit]"))
    assert "above the clinic ceiling of 4 mg" in nurse.locator("#refill-errors").inner_text()
    assert violations(nurse) == []
    form = nurse.locator("#refill-form")
    form.locator("#override_reason").select_option("previous_response")
    form.locator("#override_note").fill("x")  # one letter, as seen in review: refused
    _submit(nurse, form.locator("button[type=submit]"))
    assert "above the clinic ceiling" in nurse.locator("#refill-errors").inner_text()
    form = nurse.locator("#refill-form")
    form.locator("#override_note").fill(NOTE)
    _submit(nurse, form.locator("button[type=submit]"))
    nurse.wait_for_selector("text=A second clinician must now confirm it.")
    context.close()

    context, nurse2, errors2 = _page(browser, base, second_nurse)
    nurse2.goto(url)
    card = nurse2.locator(".pump-pending")
    assert "Only a physician can confirm it." in card.inner_text() and card.locator("form").count() == 0
    shot(nurse2, "pump-override-second-nurse-tablet")
    nurse2.goto(base + "/care/queue")  # the waiting refill is in the triage queue
    block = nurse2.locator("#waiting-refills")
    assert "Morgan, Pat" in block.inner_text() and "Physician must confirm" in block.inner_text()
    assert violations(nurse2) == []
    shot(nurse2, "pump-override-queue-tablet")
    context.close()

    context, doctor, errors3 = _page(browser, base, "doctor@demo.test")
    doctor.goto(url)
    card = doctor.locator(".pump-pending")
    text = card.inner_text()
    assert "Daily dose above the clinic ceiling" in text and NOTE in text and "Physician must confirm" in text
    assert "10 mg/mL" not in text and "5 mg/day" not in text.replace(NOTE, "")  # the values stay blind
    assert violations(doctor) == []
    shot(doctor, "pump-override-confirm-card-tablet")
    for name, value in (("entries-0-concentration", "10"), ("entries-0-daily_dose", "5"), ("check_bolus_dose", "0"),
                        ("check_boluses_per_day", "0"), ("check_fill_volume_ml", "40"),
                        ("check_alarm_volume_ml", "2.5")):  # one slip on the alarm volume first
        card.locator(f"#{name}").fill(value)
    _submit(doctor, card.locator("button[type=submit]"))
    assert "does not match on alarm volume" in doctor.locator(".pump-pending .error-summary").inner_text()
    assert violations(doctor) == []
    card = doctor.locator(".pump-pending")
    for name, value in (("entries-0-concentration", "10"), ("entries-0-daily_dose", "5"), ("check_bolus_dose", "0"),
                        ("check_boluses_per_day", "0"), ("check_fill_volume_ml", "40"), ("check_alarm_volume_ml", "2")):
        card.locator(f"#{name}").fill(value)
    _submit(doctor, card.locator("button[type=submit]"))
    doctor.wait_for_selector("text=Refill confirmed. The next due date is updated.")
    history = doctor.locator("section[aria-labelledby=history-title]").inner_text()
    assert "Override" in history and NOTE in history and "above the clinic ceiling" in history
    shot(doctor, "pump-override-history-tablet")

    doctor.goto(base + "/care/pump-settings")
    assert violations(doctor) == []
    doctor.goto(url)
    response = doctor.request.get(f"{base}/care/patients/{pid}/export/summary.pdf?days=30")
    assert response.ok
    pdf_text = " ".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(response.body())).pages)
    flat = " ".join(pdf_text.split())
    assert "Override (Dose already reached safely before" in flat and "agreed with Dr Okafor" in flat
    assert "Daily dose above the clinic ceiling" in flat
    context.close()
    assert errors == errors2 == errors3 == []
