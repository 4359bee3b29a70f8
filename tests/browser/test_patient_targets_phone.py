"""Issue 16 at Pixel 7 size: every link, button and input on every patient and caregiver page is at least
44 x 44 CSS px (our own standard; axe's 24 px is the floor), the tab bar has at most five labelled tabs,
"Help now" stays in view, before-trial patients see no pump alarm, and the chart range is in the URL."""
from tests.browser.conftest import shot, sign_in
from tests.browser.test_accessibility_all import pages_for

MEASURE = """() => {
  const seen = new Set(), small = [];
  const els = document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary');
  for (const el of els) {
    // A radio or checkbox is tapped through its label: measure what the finger hits.
    const target = (el.type === 'radio' || el.type === 'checkbox') && el.closest('label') ? el.closest('label') : el;
    if (seen.has(target) || target.closest('[hidden]')) continue;
    seen.add(target);
    const r = target.getBoundingClientRect(), s = getComputedStyle(target);
    if (!r.width || !r.height || s.visibility === 'hidden' || target.classList.contains('skip-link')) continue;
    if (target.classList.contains('visually-hidden')) continue;
    if (r.width < 44 || r.height < 44) small.push([(target.textContent || target.name || target.type).trim().slice(0, 40),
                                                  Math.round(r.width), Math.round(r.height)]);
  }
  return small;
}"""


def test_every_patient_side_target_is_at_least_44px(live_server, phone):
    base, app = live_server
    problems, seen = {}, set()
    for email, role in (("patient@demo.test", "patient"), ("caregiver@demo.test", "caregiver")):
        page = phone.new_page()
        sign_in(page, base, email)
        for url in pages_for(app, role, seen) + ["/checkin?pump_alarm=1", "/diary/photos?site=back"]:
            response = page.goto(base + url)
            if response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
                continue
            small = page.evaluate(MEASURE)
            if small:
                problems[f"{role} {url}"] = small
        page.close()
        phone.clear_cookies()
    assert problems == {}, "\n".join(f"{k}: {v}" for k, v in problems.items())


def test_tab_bar_help_now_and_chart_range(live_server, phone):
    base, _app = live_server
    page = phone.new_page()
    sign_in(page, base, "patient@demo.test")
    tabs = page.locator("nav.tab-bar a")
    assert tabs.count() == 5
    assert [t.strip() for t in tabs.all_inner_texts()] == ["Home", "Check-in", "Diary", "Pump", "More"]
    assert page.locator("nav.tab-bar svg").count() == 5
    page.goto(base + "/diary")
    page.mouse.wheel(0, 3000)
    page.wait_for_timeout(300)
    help_box = page.locator("a.btn-help").bounding_box()
    assert 0 <= help_box["y"] < 915 and page.locator("a.btn-help").is_visible()  # kept in view after scrolling
    page.locator("a[href$='?days=90']").first.click()
    page.wait_for_url("**/diary?days=90")
    shot(page, "i16-diary-90-days-phone")
    page.goto(base + "/more")
    assert page.locator("nav.tab-bar a[aria-current='page']").inner_text().strip() == "More"
    shot(page, "i16-more-phone")


def test_before_trial_patient_sees_no_pump_alarm(live_server, phone):
    base, _app = live_server
    page = phone.new_page()
    sign_in(page, base, "newpatient@demo.test")
    assert "Pump" not in [t.strip() for t in page.locator("nav.tab-bar a").all_inner_texts()]
    page.goto(base + "/pump")
    assert page.locator(".pump-alarm").count() == 0 and "beep" not in page.locator("main").inner_text().lower()
    page.goto(base + "/checkin")
    page.locator("#q-anything_new label.choice:has(input[value='yes'])").tap()
    assert page.locator("#q-pump_alarm").count() == 0
    shot(page, "i16-before-trial-checkin-phone")
