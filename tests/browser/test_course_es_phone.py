"""Issue 17, the Spanish course at phone and tablet size: Lucía reads a module in Spanish (and a part not yet in
Spanish in English, with a Spanish note); the nurse opens the Spanish version of a module in the clinic. axe clean."""
from playwright.sync_api import expect

from companion.consent.content_loader import load_version
from tests.browser.axe_check import violations
from tests.browser.conftest import shot, sign_in

SPANISH = load_version(language="es")


def _clean(page, name: str) -> None:
    """No axe violation; keep the screenshot."""
    found = violations(page)
    assert found == [], f"{name}: {found}"
    shot(page, name)


def test_the_spanish_patient_reads_the_course_in_spanish(live_server, browser):
    base, _app = live_server
    p, b = browser
    page = b.new_context(**p.devices["Pixel 7"], locale="es-MX").new_page()
    sign_in(page, base, "paciente@demo.test")
    page.goto(base + "/learn/how-it-works")
    expect(page.locator("h1")).to_have_text(SPANISH.module("how-it-works").title)
    assert page.locator("article.module").get_attribute("lang") == "es"
    assert page.locator(".module-fallback").count() == 0
    _clean(page, "es-course-module-phone")
    english = next((m for m in SPANISH.modules if m.fallback), None)
    if english is not None:  # once every module is translated there is no English part left to show
        page.goto(base + f"/learn/{english.id}")
        expect(page.locator(".module-fallback")).to_contain_text("Se la mostramos en inglés")
        assert page.locator("article.module").get_attribute("lang") == "en"
        _clean(page, "es-course-fallback-phone")


def test_the_nurse_opens_the_spanish_version_in_the_clinic(live_server, browser):
    base, app = live_server
    p, b = browser
    page = b.new_context(viewport={"width": 1024, "height": 1366}).new_page()
    sign_in(page, base, "nurse@demo.test")
    with app.app_context():
        from sqlalchemy import select

        from companion.accounts.models import Patient, User
        from companion.extensions import db
        patient_id = db.session.scalar(select(Patient.id).join(User, Patient.user_id == User.id)
                                       .where(User.email == "paciente@demo.test"))
    page.goto(base + f"/care/patients/{patient_id}/consent")
    page.locator("a[href$='/consent/modules/how-it-works?lang=es']").click()
    expect(page.locator("h1")).to_have_text(SPANISH.module("how-it-works").title)
    expect(page.locator(".language-switch [aria-current='page']")).to_contain_text("Español")
    _clean(page, "es-course-staff-module-tablet")
    page.get_by_role("link", name="English").click()
    expect(page.locator("h1")).to_have_text(load_version().module("how-it-works").title)
