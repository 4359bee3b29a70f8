"""Consent end to end: the new patient learns on a phone and resumes; a nurse runs the session on a tablet; PDF."""
import io

from pypdf import PdfReader
from sqlalchemy import select

from companion.accounts.models import Patient
from companion.consent.content_loader import load_version
from companion.extensions import db
from tests.browser.conftest import shot, sign_in

CONTENT = load_version()


def watch_errors(page) -> list:
    """Collect script errors and CSP violations (they show as console errors)."""
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and errors.append(f"{page.url} {m.location} {m.text}"))
    return errors


def choose(page, question, right: bool) -> None:
    """Tap an answer (the right one or a wrong one) and check it; wait for the explanation to swap in."""
    choice = next(c for c in question.choices if c.correct == right)
    block = page.locator(f"#q-{question.id}")
    block.locator("label.answer-choice", has_text=choice.text).click()
    block.get_by_role("button", name="Check my answer").click()
    result = page.locator(f"#q-{question.id} .answer-result.{'is-right' if right else 'is-wrong'}")
    result.wait_for()
    assert choice.explanation in result.inner_text()


def small_targets(page) -> list:
    """Visible controls in main smaller than 44 x 44 CSS px."""
    return page.evaluate("""() => [...document.querySelectorAll('main a.btn, main button, main .answer-choice span, main .module-row, main .crumbs a')]
        .filter(e => e.offsetParent !== null)
        .map(e => { const r = e.getBoundingClientRect(); return [e.textContent.trim().slice(0, 40), r.width, r.height]; })
        .filter(([, w, h]) => w < 44 || h < 44)""")


def test_new_patient_reads_answers_one_wrong_and_resumes_later(live_server, phone, browser):
    base, _app = live_server
    page = phone.new_page()
    errors = watch_errors(page)
    sign_in(page, base, "newpatient@demo.test")
    page.goto(base + "/learn")
    assert "You have read 3 of 11 parts" in page.locator("#learn-progress").inner_text()
    shot(page, "consent-learn-phone")
    surgery, device = CONTENT.module("surgery-risks"), CONTENT.module("device-risks")
    page.get_by_role("link", name=f"Continue: {surgery.title}").click()
    assert page.locator("h1").inner_text() == surgery.title
    choose(page, surgery.questions[0], right=False)
    choose(page, surgery.questions[1], right=True)
    shot(page, "consent-answers-phone")
    assert small_targets(page) == []
    page.get_by_role("button", name="I have read this part. Next part").click()
    page.wait_for_url(f"{base}/learn/{device.id}")
    choose(page, device.questions[0], right=True)
    page.close()

    # Later, on a fresh page load in a new browser session: progress and answers are still there.
    p, b = browser
    later = b.new_context(**p.devices["Pixel 7"])
    page = later.new_page()
    errors += watch_errors(page)
    sign_in(page, base, "newpatient@demo.test")
    page.goto(base + "/learn")
    progress = page.locator("#learn-progress").inner_text()
    assert "You have read 4 of 11 parts" in progress and f"Continue: {device.title}" in progress
    assert small_targets(page) == []
    page.get_by_role("link", name=f"Continue: {device.title}").click()
    assert device.questions[0].correct_choice.explanation in page.locator(f"#q-{device.questions[0].id}").inner_text()
    page.goto(f"{base}/learn/{surgery.id}")
    assert page.locator(f"#q-{surgery.questions[0].id} .answer-result.is-wrong").count() == 1
    later.close()
    assert errors == []


def test_every_module_at_phone_size(live_server, phone):
    base, _app = live_server
    page = phone.new_page()
    errors = watch_errors(page)
    sign_in(page, base, "newpatient@demo.test")  # most questions still open: the big radio buttons show
    for module in CONTENT.modules:
        page.goto(f"{base}/learn/{module.id}")
        assert page.locator("h1").inner_text() == module.title
        if module.diagram:
            box = page.locator(".module-diagram img").bounding_box()
            assert 250 <= box["width"] <= 412 and box["height"] <= 26 * 18 + 1, box  # fits, not taller than 26rem
            assert page.evaluate("document.querySelector('.module-diagram img').naturalWidth") > 0
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scroll
        shot(page, f"consent-module-{module.order:02d}-{module.id}-phone")
    page.goto(base + "/learn/about")
    assert CONTENT.date.isoformat() in page.locator("main").inner_text()
    shot(page, "consent-about-phone")
    assert errors == []


def test_nurse_runs_the_session_both_sign_and_the_pdf_has_the_facts(live_server, tablet, tmp_path, clinic_today):
    base, app = live_server
    with app.app_context():
        patient_id = db.session.scalar(select(Patient.id).where(Patient.given_name == "Jamie"))
        db.session.remove()
    page = tablet.new_page()
    errors = watch_errors(page)
    sign_in(page, base, "nurse@demo.test")
    page.goto(f"{base}/care/patients/{patient_id}/consent")
    flagged = page.locator(".missed-open")
    assert flagged.count() >= 1
    assert "realistic" in page.locator('[data-missed="benefits-and-limits/realistic-hope"]').get_attribute("data-missed")
    shot(page, "consent-session-tablet")

    page.get_by_label("Question the patient asked").fill("Will I still need my pain pills?")
    page.get_by_label("Answer given").fill("Maybe fewer. We will adjust them together.")
    page.get_by_role("button", name="Add question").click()
    page.locator(".qa-row", has_text="Will I still need my pain pills?").wait_for()

    page.get_by_role("button", name="Tick all").click()
    page.locator("#decision label.choice", has_text="Agrees to a trial").click()
    canvas = page.locator("#patient-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + box["height"] * 0.6)
    page.mouse.down()
    for i in range(1, 30):
        page.mouse.move(box["x"] + 30 + i * 12, box["y"] + box["height"] * (0.6 - 0.25 * ((-1) ** i) * (i % 3) / 2), steps=3)
    page.mouse.up()
    assert page.input_value("#patient_signature").startswith("data:image/png;base64,")
    clinician = page.locator("#clinician-signer")
    clinician.locator("label.choice", has_text="Type the name instead").click()
    page.fill("#clinician_typed_name", "Nurse Nora Reyes")
    page.fill("#readiness_reason", "Wants the trial now; we went over the open topics together.")  # 3 of 11 read
    shot(page, "consent-sign-tablet")
    page.get_by_role("button", name="Save the signed record").click()
    page.locator(".flash-success").wait_for()
    assert page.locator("[data-consent-state]").inner_text().startswith("signed on ")
    shot(page, "consent-signed-tablet")

    with page.expect_download() as download:
        page.locator("a[data-pdf]").first.click()
    path = tmp_path / "consent.pdf"
    download.value.save_as(path)
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    text = " ".join(p.extract_text() for p in reader.pages).replace("\n", " ")
    today = clinic_today.isoformat()  # the server's clock is frozen at noon for this test
    for expected in ("Jamie Lee", "Nurse Nora Reyes", today, CONTENT.version, "Agrees to a trial",
                     "Will I still need my pain pills?", CONTENT.content_hash[:16]):
        assert expected in text, expected
    assert sum(len(p.images) for p in reader.pages) >= 1  # the drawn patient signature
    assert errors == []


def test_patient_finds_the_signed_record_under_documents(live_server, phone, tmp_path):
    base, _app = live_server
    page = phone.new_page()
    sign_in(page, base, "patient@demo.test")
    page.goto(base + "/documents")
    shot(page, "consent-documents-phone")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download (PDF)").first.click()
    path = tmp_path / "mine.pdf"
    download.value.save_as(path)
    text = " ".join(p.extract_text() for p in PdfReader(str(path)).pages)
    assert "Pat Morgan" in text and load_version().version in text and "Agrees to the implant" in text
