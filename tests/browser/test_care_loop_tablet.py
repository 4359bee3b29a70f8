"""The care team's loop at tablet size: an unacknowledged emergency shows "overdue by" and its rounds, the second
rung gets an email (a real local SMTP server) with the tier and the link, two paged people each acknowledge, the
patient sees only the message, and the idle warning's "Stay signed in" keeps the queue live. Axe on every state."""
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from companion.accounts.models import User
from companion.accounts.queries import patient_for_user
from companion.clock import utcnow
from companion.escalation import services
from companion.extensions import db
from tests.browser.axe_check import violations
from tests.browser.conftest import shot, sign_in
from tests.factories import different_urgent_report
from tests.notify.conftest import Smtp

INTERNAL = "Wife says drowsy, breathing 8 a minute."
MESSAGE = "We are calling you now. Keep your phone close."


@pytest.fixture
def smtp(live_server):
    """A real local SMTP server, and links built from the live server's address."""
    base, app = live_server
    server = Smtp()
    server.start()
    # real delivery: email leaves from the background thread as in production (no request waits on it)
    app.config.update(SMTP_URL=server.url, COMPANION_BASE_URL=base, NOTIFY_BACKGROUND=True)
    yield server
    app.config.update(SMTP_URL="", NOTIFY_BACKGROUND=False)
    server.stop()


def overdue_emergency(app) -> int:
    """An emergency opened 16 minutes ago (clock fast-forwarded: 15-minute deadline), then the sweep's round 2."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "patient@demo.test"))
        admin = db.session.scalar(select(User).where(User.email == "admin@demo.test"))
        # Team first, physicians second, in and out of hours: the second rung is Dr Okafor whatever the hour.
        services.save_settings(admin.clinic_id, admin, ladder_in_hours="nurse,physician,admin",
                               ladder_out_of_hours="nurse,physician,admin")
        result = services.assess(patient_for_user(user), observations={"breaths_per_min": 7}, context={},
                                 source_type="browser_loop", source_id=1, reported_by_user=user,
                                 now=utcnow() - timedelta(minutes=16))
        db.session.commit()
        services.after_commit(result)
        services.sweep()
        case_id = result.case_id
        db.session.remove()
    return case_id


def clean(page, label):
    assert violations(page) == [], label


def test_overdue_rounds_second_rung_email_two_acknowledgements_and_the_patient_message(live_server, smtp, tablet,
                                                                                       phone):
    base, app = live_server
    case_id = overdue_emergency(app)
    link = f"{base}/care/cases/{case_id}"
    # (The sweep also re-pages the demo's own overdue urgent case: look at this case's emails.)
    ours = [(m["To"], m["Subject"], m.get_payload(decode=True).decode()) for m in smtp.inbox.messages]
    ours = [(to, subject, body) for to, subject, body in ours if body.strip().endswith(link)]
    assert [(to, subject) for to, subject, _body in ours if to == "doctor@demo.test"] == [
        ("doctor@demo.test", "Companion: EMERGENCY case, 1st reminder")]
    assert ("nurse@demo.test", "Companion: EMERGENCY case") in [(to, subject) for to, subject, _body in ours]
    assert all("Pat" not in body and "breath" not in body for _to, _subject, body in ours)  # no name, no detail

    nurse = tablet.new_page()
    sign_in(nurse, base, "nurse@demo.test")
    nurse.goto(base + "/care")
    row = nurse.locator(f"#case-{case_id}")
    expect(row).to_contain_text("Overdue by 1 min")
    expect(row.locator(".case-facts")).to_contain_text("Rounds")
    expect(row.locator(".paged-list")).to_contain_text("Dr Sam Okafor")
    expect(nurse.locator(".case-row").first).to_have_id(f"case-{case_id}")  # overdue first
    expect(nurse.locator("#nav-overdue .badge")).to_be_visible()
    shot(nurse, "care-loop-queue-overdue")
    clean(nurse, "queue with an overdue case, tablet")
    row.get_by_role("button", name="I'm on it").click()
    expect(nurse.locator(f"#case-{case_id} .paged-list")).to_contain_text("I'm on it")

    doctor = tablet.new_page()
    sign_in(doctor, base, "doctor@demo.test")
    doctor.goto(link)  # the link from the email
    expect(doctor.locator("#ack-form")).to_be_visible()
    clean(doctor, "case page with the acknowledge form, tablet")
    doctor.fill("#note", INTERNAL)
    doctor.fill("#message", MESSAGE)
    doctor.locator("#ack-form").get_by_role("button", name="Seen").click()
    paged = doctor.locator("#case-detail .paged-list")
    expect(paged).to_contain_text("Nurse Nora Reyes")
    expect(paged.locator(".badge-ok")).to_have_count(2)  # both acknowledgements, each with a time
    expect(doctor.locator("#case-detail")).to_contain_text(INTERNAL)
    doctor.get_by_role("button", name="No answer").click()
    expect(doctor.locator(".case-steps")).to_contain_text("No answer")
    expect(doctor.locator("#case-contact a[href^='tel:']")).to_have_count(1)
    shot(doctor, "care-loop-case-acknowledged")
    clean(doctor, "case page after two acknowledgements, tablet")

    small = phone.new_page()
    sign_in(small, base, "doctor@demo.test")
    small.goto(link)
    clean(small, "staff case page, phone")

    patient = phone.new_page()
    sign_in(patient, base, "patient@demo.test")
    patient.goto(f"{base}/cases/{case_id}")
    expect(patient.locator("[data-patient-message]")).to_contain_text(MESSAGE)
    expect(patient.locator("[data-seen]")).to_contain_text("Seen by Nurse Nora Reyes at")
    expect(patient.locator("main")).not_to_contain_text("drowsy")
    expect(patient.locator("main")).not_to_contain_text("Waiting for a nurse")
    shot(patient, "care-loop-patient-message")
    clean(patient, "patient case page with a message, phone")


def test_idle_warning_and_stay_signed_in_keeps_the_queue_live(live_server, tablet, phone):
    base, _app = live_server
    page = tablet.new_page()
    page.clock.install()
    sign_in(page, base, "nurse@demo.test")
    page.goto(base + "/care")
    warning = page.locator("[data-idle-warning]")
    expect(warning).to_be_hidden()
    page.clock.fast_forward("13:05")  # 15-minute limit: the warning comes two minutes before
    expect(warning).to_be_visible()
    expect(warning.get_by_role("button", name="Stay signed in")).to_be_focused()
    shot(page, "care-loop-idle-warning")
    clean(page, "idle warning, tablet")
    before = page.locator("[data-queue-updated]").get_attribute("data-queue-updated")
    warning.get_by_role("button", name="Stay signed in").click()
    expect(warning).to_be_hidden()
    expect(page.locator("[data-queue-updated]")).not_to_have_attribute("data-queue-updated", before, timeout=12_000)
    expect(page.locator("[data-queue-stale]")).to_be_hidden(timeout=12_000)
    assert "/care" in page.url

    login = phone.new_page()
    login.goto(base + "/login?reason=idle&next=/care")
    expect(login.locator("#idle-ended")).to_contain_text("no activity")
    clean(login, "sign-in page after an idle sign-out, phone")


def test_compact_queue_fits_twenty_cases_on_a_tablet_and_groups_a_patients_cases(live_server, tablet, phone):
    base, app = live_server
    with app.app_context():
        emails = ("patient@demo.test", "postop@demo.test", "newpatient@demo.test")
        people = [db.session.scalar(select(User).where(User.email == email)) for email in emails]
        for n in range(21):
            user = people[n % 3]
            # different signs each time (3–9: all urgent, none the demo case's): the same again would join it
            services.assess(patient_for_user(user), observations=different_urgent_report(n // 3 + 3), context={},
                            source_type="browser_compact", source_id=n, reported_by_user=user)
        db.session.commit()
        db.session.remove()
    page = tablet.new_page()
    sign_in(page, base, "nurse@demo.test")
    page.goto(base + "/care?view=compact")
    rows = page.locator(".case-line")
    assert rows.count() >= 20
    expect(page.locator(".case-group-title").first).to_contain_text("open cases")  # one patient, several cases
    heights = [rows.nth(i).bounding_box()["height"] for i in range(20)]
    assert max(heights) <= 60, heights  # one line a case
    # The 20th line ends inside the tablet's first screen (1366 px), filters and headings included.
    assert rows.nth(19).bounding_box()["y"] + heights[19] <= 1366, rows.nth(19).bounding_box()
    shot(page, "care-loop-compact-queue")
    clean(page, "compact queue, tablet")
    page.wait_for_timeout(6000)  # a poll keeps the compact view
    assert page.locator(".case-line").count() >= 20
    small = phone.new_page()
    sign_in(small, base, "nurse@demo.test")
    small.goto(base + "/care?view=compact")
    clean(small, "compact queue, phone")
