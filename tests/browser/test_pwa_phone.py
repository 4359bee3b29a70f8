"""At phone size: sign in, installable manifest, service worker, offline page with emergency guidance."""
from tests.browser.conftest import shot, sign_in, wait_until


def test_patient_signs_in_and_gets_an_installable_app_that_works_offline(live_server, phone):
    base, _app = live_server
    page = phone.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.goto(base + "/login")
    shot(page, "login-phone")
    sign_in(page, base, "patient@demo.test")
    assert page.locator("h1").inner_text() == "Hello, Pat"
    shot(page, "home-phone")

    manifest = page.evaluate("""async () => {
        const link = document.querySelector('link[rel=manifest]');
        const r = await fetch(link.href); return await r.json(); }""")
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/"
    assert {"192x192", "512x512"} <= {icon["sizes"] for icon in manifest["icons"]}

    scope = page.evaluate("async () => (await navigator.serviceWorker.ready).scope")
    assert scope == base + "/"
    page.reload()  # now controlled by the service worker
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    wait_until(page, """async () => { const c = await caches.open('companion-shell-v1');
        const r = await c.match('/offline'); return !!r && (await r.text()).includes('tel:+15550102000'); }""")

    phone.set_offline(True)
    page.goto(base + "/diary-or-any-page")
    assert "You are offline" in page.locator("h1").inner_text()
    card = page.locator(".emergency-card")
    assert "Call 911 now if" in card.inner_text()
    assert card.locator("a.btn-emergency").get_attribute("href") == "tel:911"
    assert page.locator("a[href='tel:+15550102000']").count() == 1  # the clinic's own number
    shot(page, "offline-phone")
    phone.set_offline(False)
    assert errors == []


def test_offline_page_holds_no_patient_data(live_server, phone):
    base, _app = live_server
    page = phone.new_page()
    sign_in(page, base, "patient@demo.test")
    # the shell must really be cached before "no patient page is cached" means anything
    wait_until(page, "async () => !!(await navigator.serviceWorker.ready) && (await caches.keys()).length > 0")
    cached = page.evaluate("""async () => {
        const names = await caches.keys(); const out = [];
        for (const n of names) { const c = await caches.open(n);
          for (const r of await c.keys()) out.push(new URL(r.url).pathname); }
        return out; }""")
    assert "/" not in cached and "/account" not in cached
    offline_html = page.evaluate("async () => await (await fetch('/offline')).text()")
    assert "Pat" not in offline_html and "Morgan" not in offline_html and "csrf" not in offline_html.lower()


def test_tap_targets_are_at_least_44px(live_server, phone):
    base, _app = live_server
    page = phone.new_page()
    sign_in(page, base, "patient@demo.test")
    for path in ("/", "/help", "/account"):
        page.goto(base + path)
        small = page.evaluate("""() => [...document.querySelectorAll('main a.btn, main button, main input, header a, nav a')]
            .filter(e => e.offsetParent !== null)
            .map(e => { const r = e.getBoundingClientRect(); return [e.textContent.trim() || e.name, r.width, r.height]; })
            .filter(([, w, h]) => w < 44 || h < 44)""")
        assert small == [], (path, small)
