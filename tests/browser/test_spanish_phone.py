"""Issue 17 at Pixel 7 with the browser set to Spanish: sign-in, an emergency check-in, the pump card and the
offline page are all in Spanish, and axe finds nothing on each."""
from playwright.sync_api import expect

from tests.browser.axe_check import violations
from tests.browser.conftest import shot, sign_in, wait_until
from tests.browser.test_escalation_patient_flow import _report


def _spanish_and_clean(page, name: str) -> str:
    """Assert the page says it is Spanish and axe is clean; save the screenshot; return the visible text."""
    assert page.locator("html").get_attribute("lang") == "es", name
    found = violations(page)
    assert found == [], f"{name}: {found}"
    shot(page, f"es-{name}-phone")
    return page.locator("body").inner_text()


def test_a_spanish_speaking_patient_uses_companion_in_spanish(live_server, browser):
    base, _app = live_server
    p, b = browser
    phone = b.new_context(**p.devices["Pixel 7"], locale="es-MX")
    page = phone.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto(base + "/login")
    text = _spanish_and_clean(page, "login")
    assert "Entrar" in text and "¿Necesita ayuda ya?" in text and "Sign in" not in text

    sign_in(page, base, "paciente@demo.test")
    expect(page.locator("h1")).to_have_text("Hola, Lucía")
    _spanish_and_clean(page, "home")

    _report(page, base, ("blue_lips", "yes"))
    screen = page.locator(".emergency-screen[data-outcome='emergency']")
    expect(screen).to_be_visible()
    expect(screen.locator("h1")).to_have_text("Llame ya a emergencias")
    expect(screen.locator("a.btn-emergency").first).to_have_attribute("href", "tel:911")
    text = _spanish_and_clean(page, "emergency")
    assert "Llamar al 911" in text and "Qué decirles" in text and "Call " not in text

    page.goto(base + "/pump")
    text = _spanish_and_clean(page, "pump-card")
    assert "bomba de medicamento implantada" in text.lower() and "Próxima recarga" in text
    assert "resonancia magnética" in text  # the pump model's MRI rule, translated

    page.reload()  # now controlled by the service worker, which keeps the offline page in Spanish
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    wait_until(page, """async () => { const c = await caches.open('companion-shell-v1');
        const r = await c.match('/offline'); return !!r && (await r.text()).includes('lang="es"'); }""")
    phone.set_offline(True)
    page.goto(base + "/diary")
    expect(page.locator("h1")).to_have_text("No tiene conexión")
    text = _spanish_and_clean(page, "offline")
    assert "Llame ya al 911 si:" in text and "+1 555 010 2000" in text  # the clinic's own number, offline
    phone.set_offline(False)
    phone.close()
    assert errors == []
