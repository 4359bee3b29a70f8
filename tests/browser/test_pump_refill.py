"""Pump in the browser: a nurse records a refill, a doctor confirms it blind; the patient's /pump, .ics and card."""
from datetime import timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar

from tests.browser.conftest import shot, sign_in, wait_until


def _patient_id(app, email="patient@demo.test") -> int:
    from sqlalchemy import select

    from companion.accounts.models import Patient, User
    from companion.extensions import db

    with app.app_context():
        pid = db.session.scalar(select(Patient.id).join(User, User.id == Patient.user_id).where(User.email == email))
        db.session.remove()
    return pid


def _errors(page) -> list:
    errors: list = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and "favicon" not in m.text and errors.append(m.text))
    return errors


def test_nurse_records_and_doctor_confirms_then_patient_sees_the_new_due_date(live_server, tablet, browser, phone,
                                                                             clinic_today):
    base, app = live_server
    pid = _patient_id(app)
    nurse = tablet.new_page()
    errors = _errors(nurse)
    sign_in(nurse, base, "nurse@demo.test")
    nurse.goto(f"{base}/care/patients/{pid}/pump")
    form = nurse.locator("#refill-form")
    form.locator("#kind").select_option("refill")
    form.locator("#expected_residual_ml").fill("2.0")
    form.locator("#withdrawn_ml").fill("1.8")
    form.locator("#fill_volume_ml").fill("40")
    form.locator("#alarm_volume_ml").fill("2")
    form.locator("#stability_days").fill("90")
    form.locator("#drugs-0-concentration").fill("10")
    form.locator("#drugs-0-daily_dose").fill("5")
    form.locator("button[type=submit]").click()
    nurse.wait_for_selector("text=A second clinician must now confirm it.")
    assert nurse.locator(".pump-pending").count() == 1
    assert nurse.locator(".pump-pending form").count() == 0  # the recorder has no confirm form
    shot(nurse, "pump-staff-pending-tablet")

    p, b = browser
    doctor_context = b.new_context(viewport={"width": 1024, "height": 1366}, has_touch=True)
    doctor = doctor_context.new_page()
    errors += _errors(doctor)
    sign_in(doctor, base, "doctor@demo.test")
    doctor.goto(f"{base}/care/patients/{pid}/pump")
    confirm = doctor.locator(".pump-pending form")
    assert "hidden until checked" in doctor.locator("table").inner_text()
    confirm.locator("#entries-0-concentration").fill("10")
    confirm.locator("#entries-0-daily_dose").fill("50")  # a tenfold slip
    for name, value in (("bolus_dose", "0"), ("boluses_per_day", "0"), ("fill_volume_ml", "40"), ("alarm_volume_ml", "2")):
        confirm.locator(f"#check_{name}").fill(value)
    confirm.locator("button[type=submit]").click()
    doctor.wait_for_selector(".pump-pending .error-summary")
    message = doctor.locator(".pump-pending .error-summary").inner_text()
    assert "does not match on daily dose" in message and "Nothing was saved" in message
    shot(doctor, "pump-staff-mismatch-tablet")
    confirm = doctor.locator(".pump-pending form")
    confirm.locator("#entries-0-concentration").fill("10")
    confirm.locator("#entries-0-daily_dose").fill("5")
    for name, value in (("bolus_dose", "0"), ("boluses_per_day", "0"), ("fill_volume_ml", "40"), ("alarm_volume_ml", "2")):
        confirm.locator(f"#check_{name}").fill(value)
    confirm.locator("button[type=submit]").click()
    doctor.wait_for_selector("text=Refill confirmed. The next due date is updated.")
    assert doctor.locator(".pump-pending").count() == 0
    shot(doctor, "pump-staff-confirmed-tablet")
    doctor.goto(base + "/care/refills")
    assert doctor.locator("h1").inner_text() == "Refill calendar"
    shot(doctor, "pump-refills-tablet")
    doctor_context.close()

    # 40 mL at 0.5 mL/day: the alarm at 2 mL is 76 days away; morphine's 90-day stability is later.
    expected = clinic_today + timedelta(days=76)  # the server's clock is frozen at noon for this test
    patient = phone.new_page()
    errors += _errors(patient)
    sign_in(patient, base, "patient@demo.test")
    patient.goto(base + "/pump")
    assert patient.locator("#due-on").get_attribute("data-due-on") == expected.isoformat()
    assert "That is in 76 days." in patient.locator(".pump-countdown").inner_text()
    shot(patient, "pump-phone")
    with patient.expect_download() as download_info:
        patient.locator("a[href='/pump/appointment.ics']").click()
    body = open(download_info.value.path(), "rb").read()
    [event] = Calendar.from_ical(body).walk("VEVENT")
    assert event.decoded("dtstart").astimezone(ZoneInfo("America/New_York")).hour == 10
    assert "morphine" not in body.decode().lower()
    assert errors == []


def test_alarm_tones_play_and_the_card_is_kept_offline_only_on_request(live_server, phone):
    base, _app = live_server
    page = phone.new_page()
    errors = _errors(page)
    sign_in(page, base, "patient@demo.test")
    page.goto(base + "/pump")
    wait_until(page, "async () => !!(await navigator.serviceWorker.ready)")
    assert page.evaluate("caches.has('companion-card')") is False
    for tone in ("single", "two"):
        button = page.locator(f"[data-pump-tone={tone}]")
        button.click()
        assert button.get_attribute("data-played") == "yes"
    page.locator("a[href='/checkin?pump_alarm=1']").wait_for()

    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    save = page.locator("[data-save-card]")
    save.click()
    page.wait_for_selector("[data-save-card][data-saved=yes]")
    cached = page.evaluate("""async () => { const out = [];
        for (const n of await caches.keys()) { const c = await caches.open(n);
          for (const r of await c.keys()) out.push(new URL(r.url).pathname); } return out; }""")
    assert "/pump/card/offline" in cached and "/pump" not in cached and "/" not in cached

    phone.set_offline(True)
    page.goto(base + "/pump/card/offline")
    assert "SynchroMed II 40 mL" in page.locator(".pump-card").inner_text()
    page.goto(base + "/pump")  # the live page is not cached: the saved card stands in
    assert page.locator(".pump-card").count() == 1 and page.locator("#refill-title").count() == 0
    shot(page, "pump-card-offline-phone")
    page.goto(base + "/")
    assert "You are offline" in page.locator("h1").inner_text()
    phone.set_offline(False)

    page.goto(base + "/pump")
    page.locator("form[data-logout] button").click()
    page.wait_for_url("**/login**")
    assert page.evaluate("caches.has('companion-card')") is False
    assert errors == []


def test_pump_pages_pass_axe_and_have_44px_targets(live_server, phone, tablet):
    from tests.browser.axe_check import violations

    base, app = live_server
    page = phone.new_page()
    sign_in(page, base, "patient@demo.test")
    page.goto(base + "/pump")
    assert violations(page) == []
    small = page.evaluate("""() => [...document.querySelectorAll('main a.btn, main button, main input, main select')]
        .filter(e => e.offsetParent !== null)
        .map(e => { const r = e.getBoundingClientRect(); return [e.textContent.trim() || e.name, r.width, r.height]; })
        .filter(([, w, h]) => w < 44 || h < 44)""")
    assert small == []
    page.locator("#pump-procedures button[type=submit]").click()  # empty form: the 422 fragment
    page.wait_for_selector("#pump-procedures .error-summary")
    assert violations(page) == []
    staff = tablet.new_page()
    sign_in(staff, base, "nurse@demo.test")
    for path in (f"/care/patients/{_patient_id(app)}/pump", "/care/refills"):
        staff.goto(base + path)
        assert violations(staff) == [], path


def test_sign_out_drops_the_kept_card_even_when_the_browser_ignores_clear_site_data(live_server, phone):
    """The page's own script empties the caches before the sign-out post (the outbox path re-submits the form)."""
    base, _app = live_server
    page = phone.new_page()
    errors = _errors(page)
    sign_in(page, base, "patient@demo.test")
    page.goto(base + "/checkin")  # a page with the outbox module: the path that calls form.submit() itself
    page.evaluate("""async () => { const c = await caches.open('companion-card');
        await c.put('/pump/card/offline', new Response('card')); }""")
    assert page.evaluate("caches.has('companion-card')") is True

    def without_clear_site_data(route):
        response = route.fetch(max_redirects=0)  # hand the browser the 303 itself
        headers = {k: v for k, v in response.headers.items() if k.lower() != "clear-site-data"}
        route.fulfill(response=response, headers=headers)

    page.route("**/logout", without_clear_site_data)
    page.locator("form[data-logout] button").click()
    page.wait_for_url("**/login**")
    assert page.evaluate("caches.has('companion-card')") is False
    assert page.evaluate("localStorage.getItem('companion-rules-context')") is None
    assert errors == []
