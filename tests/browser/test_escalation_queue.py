"""A case opened by assess() reaches the nurse's queue within 10 s without a reload; the patient then sees 'seen by'."""
from playwright.sync_api import expect
from sqlalchemy import select

from companion.accounts.models import User
from companion.escalation import services
from companion.extensions import db
from tests.browser.conftest import shot, sign_in


def _open_case(app, source_id: int) -> int:
    """What the diary does after a two-tone alarm answer: assess in its transaction, commit, deliver."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "patient@demo.test"))
        from companion.accounts.queries import patient_for_user

        result = services.assess(patient_for_user(user), observations={"pump_alarm": "two_tone"}, context={},
                                 source_type="browser_test", source_id=source_id, reported_by_user=user)
        db.session.commit()
        services.after_commit(result)
        case_id = result.case_id
        db.session.remove()
    return case_id


def test_new_case_appears_in_queue_nurse_acknowledges_patient_sees_seen_by(live_server, tablet, phone):
    base, app = live_server
    nurse = tablet.new_page()
    sign_in(nurse, base, "nurse@demo.test")
    nurse.goto(base + "/care")
    expect(nurse.locator(".case-row.case-urgent").first).to_be_visible()  # the demo's open urgent case
    shot(nurse, "escalation-queue-before")

    case_id = _open_case(app, 9001)
    row = nurse.locator(f"#case-{case_id}")
    expect(row).to_be_visible(timeout=10_000)  # the 5-second poll, no reload
    expect(nurse.locator("[data-queue-live]")).to_have_text("New case in the queue.")
    expect(nurse.locator("[data-queue-alert]")).to_be_visible()
    shot(nurse, "escalation-queue-new-case")

    row.get_by_role("button", name="I'm on it").click()
    expect(nurse.locator(f"#case-{case_id}")).to_contain_text("Seen by Nurse Nora Reyes")
    shot(nurse, "escalation-queue-acknowledged")

    patient = phone.new_page()
    sign_in(patient, base, "patient@demo.test")
    patient.goto(f"{base}/cases/{case_id}")
    expect(patient.locator("[data-seen]")).to_contain_text("Seen by Nurse Nora Reyes at")
    shot(patient, "escalation-patient-case-seen")


def test_sound_toggle_is_remembered(live_server, tablet):
    base, _app = live_server
    page = tablet.new_page()
    sign_in(page, base, "nurse@demo.test")
    page.goto(base + "/care")
    button = page.locator("[data-queue-sound]")
    expect(button).to_have_attribute("aria-pressed", "false")
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    page.reload()
    expect(page.locator("[data-queue-sound]")).to_have_attribute("aria-pressed", "true")
