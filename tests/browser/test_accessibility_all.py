"""axe (WCAG 2.0-2.2 A/AA, target-size on) on every page each role can open, found from the URL map, and on
every state (check-in red flags open, 422 errors, emergency screen, urgent outcome, queue with cases), at
phone and desktop size; plus keyboard-only runs through a check-in and acknowledging a case.

The foundation pages (sign-in, enrol, help, offline, 404, home, account, queue, roster) are also covered by
test_accessibility_foundation.py; here they come again only where a role sees them with its own content.
"""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from companion.extensions import db
from tests.browser.axe_check import violations
from tests.browser.conftest import shot, sign_in

FILES = re.compile(r"\.(pdf|ics|csv|json|png|js|webmanifest)$|^/api/|^/static/|^/icons/|^/healthz|^/logout")
# A caregiver and a physician see most pages exactly like the patient and the nurse (checked once); these
# pages differ for them, so they are checked for them too.
OWN_VIEW = {"home.index", "pump.card", "accounts.account", "notify.index", "notify.settings", "pump.settings"}
ROLES = [("patient@demo.test", "patient"), ("caregiver@demo.test", "caregiver"), ("nurse@demo.test", "nurse"),
         ("doctor@demo.test", "physician"), ("admin@demo.test", "admin")]


@pytest.fixture(params=["phone", "desktop"])
def context(request, browser):
    p, b = browser
    options = p.devices["Pixel 7"] if request.param == "phone" else {"viewport": {"width": 1280, "height": 900}}
    ctx = b.new_context(**options)
    ctx.size = request.param
    yield ctx
    ctx.close()


def demo_values(app) -> dict:
    """URL values from the demo data: Pat Morgan's record, case, consent record, refill and so on."""
    from companion.accounts.models import Patient
    from companion.consent import queries as consent
    from companion.consent.models import ConsentRecord
    from companion.escalation.models import Case, ReviewItem
    from companion.pump.models import PatientMedicine, ProcedureNotice, RefillRecord

    with app.app_context():
        pat = db.session.scalar(select(Patient).where(Patient.record_number == "MRN-1001"))
        first = lambda model: db.session.scalar(select(model.id).where(model.patient_id == pat.id))  # noqa: E731
        module = consent.current_content().modules[0]
        values = {"patient_id": pat.id, "case_id": first(Case), "item_id": first(ReviewItem),
                  "record_id": first(ConsentRecord) or first(RefillRecord), "medicine_id": first(PatientMedicine),
                  "notice_id": first(ProcedureNotice), "module_id": module.id, "question_id": module.questions[0].id}
        db.session.remove()
    return values


def pages_for(app, role: str, seen: set) -> list[str]:
    """Every GET page this role may open (from each view's roles_required), minus files and pages already seen."""
    values = demo_values(app)
    urls = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        roles = getattr(app.view_functions[rule.endpoint], "allowed_roles", ())
        if "GET" not in rule.methods or role not in roles and rule.endpoint != "home.index" \
                or any(values.get(a) is None for a in rule.arguments):
            continue
        url = rule.build({a: values[a] for a in rule.arguments}, append_unknown=False)[1]
        shared = role in ("caregiver", "physician") and rule.endpoint in seen and rule.endpoint not in OWN_VIEW
        if not FILES.search(url) and not shared:
            urls.append(url)
        seen.add(rule.endpoint)
    return urls


def check(page, label: str, problems: dict) -> None:
    """Run axe here and keep what it finds under a label."""
    found = violations(page)
    if found:
        problems[label] = found


def test_every_page_of_every_role_has_no_violations(live_server, context):
    base, app = live_server
    problems, seen, checked = {}, set(), 0
    for email, role in ROLES:
        page = context.new_page()
        sign_in(page, base, email)
        for url in pages_for(app, role, seen):
            response = page.goto(base + url)
            assert response.status < 500, url
            if response.status == 200 and "text/html" in response.headers.get("content-type", "") \
                    and "<html" in (response.text() or "")[:300]:  # a polled fragment is checked in its page
                check(page, f"{role} {url}", problems)
                checked += 1
        page.close()
        context.clear_cookies()
    assert problems == {}, "\n".join(f"{k}: {v}" for k, v in problems.items())
    assert checked >= 45


def _answer_required(page) -> None:
    """Pick the first answer in each visible required group (PEG week or not)."""
    page.locator("#q-pain_now label.choice:has(input[value='3'])").click()
    for link in ("peg-pain_avg", "peg-enjoyment", "peg-activity"):
        group = page.locator(f"#q-{link}")
        if group.count():
            group.locator("label.choice:has(input[value='4'])").click()


def test_check_in_states_have_no_violations(live_server, context):
    base, _app = live_server
    page = context.new_page()
    sign_in(page, base, "postop@demo.test")
    problems = {}
    page.goto(base + "/checkin")
    page.locator("#q-anything_new label.choice:has(input[value='yes'])").click()
    expect(page.locator("#q-sleepiness")).to_be_visible()
    check(page, "check-in: red-flag questions open", problems)
    page.locator("button.dq-send").click()  # nothing answered: the server's 422 with errors
    expect(page.locator(".error-summary")).to_be_visible()
    check(page, "check-in: 422 errors", problems)
    shot(page, f"a11y-checkin-errors-{context.size}")
    _answer_required(page)
    page.locator("#q-pump_alarm label.choice:has(input[value='two_tone'])").click()
    page.locator("button.dq-send").click()
    page.wait_for_selector("[data-entry-saved]")
    check(page, "check-in: urgent outcome", problems)
    shot(page, f"a11y-checkin-urgent-{context.size}")
    for offline in (True, False):  # the phone's own emergency screen with no signal, then the server's outcome
        page.goto(base + "/checkin")
        _answer_required(page)
        page.locator("#q-anything_new label.choice:has(input[value='yes'])").click()
        page.locator("#q-sleepiness label.choice:has(input[value='hard_to_wake'])").click()
        context.set_offline(offline)
        page.locator("button.dq-send").click()
        if offline:
            expect(page.locator("#emergency-screen")).to_be_visible()
            check(page, "check-in: emergency screen (offline)", problems)
            shot(page, f"a11y-emergency-screen-{context.size}")
            context.set_offline(False)
            page.evaluate("() => window.dispatchEvent(new Event('online'))")
            synced = page.locator("#sync-outcome [data-outcome='emergency']")  # the server's answer once sent
            expect(synced).to_be_visible()
            check(page, "check-in: emergency outcome after the sync", problems)
            page.locator("[data-close-sync-outcome]").click()
        else:
            page.wait_for_selector("[data-entry-saved]")
            check(page, "check-in: emergency outcome", problems)
            shot(page, f"a11y-checkin-emergency-{context.size}")
    page.goto(base + "/wound")
    page.locator("button.dq-send").click()
    expect(page.locator(".error-summary")).to_be_visible()
    check(page, "wound: 422 errors", problems)
    assert problems == {}, "\n".join(f"{k}: {v}" for k, v in problems.items())


def test_offline_and_staff_states_have_no_violations(live_server, context):
    base, _app = live_server
    problems = {}
    page = context.new_page()
    for path in ("/offline", "/help", "/staff/join", "/login?signed_out=1"):
        page.goto(base + path)
        check(page, path, problems)
    sign_in(page, base, "nurse@demo.test")
    page.goto(base + "/care")
    expect(page.locator(".case-row").first).to_be_visible()
    check(page, "queue with cases", problems)
    page.goto(base + "/care/patients/new")
    page.locator("main form[method=post] button[type=submit]").first.click()
    expect(page.locator(".error-summary")).to_be_visible()
    check(page, "new patient: 422 errors", problems)
    page.goto(base + "/care/patients")
    page.fill("#roster-q", "Morgan")
    page.wait_for_load_state("networkidle")
    check(page, "roster search", problems)
    assert problems == {}, "\n".join(f"{k}: {v}" for k, v in problems.items())


def _focus_is_visible(page) -> bool:
    """The focused element shows a focus ring (outline or box-shadow)."""
    return page.evaluate("""() => {
        const el = document.activeElement; if (!el || el === document.body) return false;
        const s = getComputedStyle(el);
        const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
        const label = el.closest('label');
        const ls = label ? getComputedStyle(label) : null;
        return ring || (ls && ((ls.outlineStyle !== 'none' && parseFloat(ls.outlineWidth) > 0) || ls.boxShadow !== 'none'));
    }""")


def test_keyboard_only_check_in(live_server, phone):
    """Tab, Space and Enter only: answer the first choice of each required group and send."""
    base, app = live_server
    page = phone.new_page()
    sign_in(page, base, "newpatient@demo.test")
    page.goto(base + "/checkin")
    answered, sent = set(), False
    for _ in range(120):
        page.keyboard.press("Tab")
        info = page.evaluate("""() => { const el = document.activeElement;
            return {tag: el.tagName, type: el.type || '', name: el.name || '', cls: el.className || '',
                    visible: !!(el.offsetWidth || el.offsetHeight)}; }""")
        if info["tag"] == "INPUT" and info["type"] == "radio" and info["name"] not in answered:
            assert _focus_is_visible(page), f"no visible focus on {info['name']}"
            page.keyboard.press("Space")
            answered.add(info["name"])
        elif info["tag"] == "BUTTON" and "dq-send" in info["cls"]:
            assert _focus_is_visible(page), "no visible focus on the send button"
            page.keyboard.press("Enter")
            sent = True
            break
    assert sent and {"pain_now", "anything_new"} <= answered, answered
    page.wait_for_selector("[data-entry-saved]")
    shot(page, "a11y-keyboard-checkin-saved")


def test_keyboard_only_acknowledge_a_case(live_server, tablet):
    base, app = live_server
    from tests.browser.test_escalation_queue import _open_case

    case_id = _open_case(app, 9101)
    page = tablet.new_page()
    sign_in(page, base, "nurse@demo.test")
    page.goto(base + "/care")
    row = page.locator(f"#case-{case_id}")
    expect(row).to_be_visible()
    for _ in range(200):
        page.keyboard.press("Tab")
        focused = page.evaluate("""(id) => { const el = document.activeElement;
            return !!(el && el.tagName === 'BUTTON' && el.closest('#case-' + id) && /I'm on it/.test(el.textContent)); }""",
                                case_id)
        if focused:
            break
    assert focused, "the I'm on it button of the new case is not reachable with Tab"
    assert _focus_is_visible(page)
    page.keyboard.press("Enter")
    expect(page.locator(f"#case-{case_id}")).to_contain_text("Seen by")
    shot(page, "a11y-keyboard-acknowledged")
