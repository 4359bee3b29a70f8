"""Views: the triage queue page and poll, acknowledge, resolve (422 keeps values), patient case page, access."""
import textstat
from flask import render_template
from sqlalchemy import select

from companion.audit.models import AuditEvent
from companion.escalation import services
from companion.escalation.models import Case
from companion.extensions import db
from tests.conftest import HX, login


def open_case(world, patient=None, observations=None, source_id=1):
    patient = patient or world.patient_a
    result = services.assess(patient, observations=observations or {"pump_alarm": "two_tone"}, context={},
                             source_type="diary_entry", source_id=source_id, reported_by_user=patient.user)
    db.session.commit()
    return result


def test_queue_lists_emergency_first_and_polls_without_audit(client, world):
    urgent = open_case(world)
    emergency = open_case(world, observations={"breaths_per_min": 7}, source_id=2)
    services.assess(world.patient_a, observations={"constipation_days": 5}, context={}, source_type="diary_entry",
                    source_id=3, reported_by_user=world.patient_a_user)
    db.session.commit()
    login(client, world.nurse1)
    page = client.get("/care").get_data(as_text=True)
    assert page.index(f'id="case-{emergency.case_id}"') < page.index(f'id="case-{urgent.case_id}"')
    assert 'hx-trigger="every 5s"' in page and "poll=1" in page and "data-queue-live" in page
    assert "Review list" in page and "No BM for 5 d." in page
    assert "1 h 0 min left" in page and "15 min left" in page and world.nurse1.display_name in page
    audits = db.session.scalar(select(db.func.count()).where(AuditEvent.action == "triage_queue_viewed"))
    partial = client.get("/care/queue?poll=1", headers=HX).get_data(as_text=True)
    assert partial.lstrip().startswith("<section") and "<html" not in partial
    assert db.session.scalar(select(db.func.count()).where(AuditEvent.action == "triage_queue_viewed")) == audits


def test_queue_filters_by_tier_and_mine(client, world):
    open_case(world)
    open_case(world, observations={"breaths_per_min": 7}, source_id=2)
    login(client, world.physician1)  # in hours the nurses were paged, not the physician
    assert 'class="card case-row' not in client.get("/care/queue?scope=mine", headers=HX).get_data(as_text=True)
    only = client.get("/care/queue?tier=urgent", headers=HX).get_data(as_text=True)
    assert only.count('class="card case-row case-urgent') == 1 and "case-emergency" not in only


def test_acknowledge_from_queue_then_patient_sees_seen_by(app, client, world):
    result = open_case(world)
    login(client, world.nurse1)
    response = client.post(f"/care/cases/{result.case_id}/acknowledge", headers=HX)
    assert response.status_code == 200 and "Seen by Nurse" in response.get_data(as_text=True)
    patient = app.test_client()
    login(patient, world.patient_a_user)
    page = patient.get(f"/cases/{result.case_id}").get_data(as_text=True)
    assert f"Seen by {world.nurse1.display_name} at 10:00" in page  # 15:00 UTC is 10:00 in New York
    status = patient.get(f"/cases/{result.case_id}/status?poll=1", headers=HX).get_data(as_text=True)
    assert "every 10s" in status and "Seen by" in status


def test_resolve_errors_keep_values_then_patient_sees_only_the_message(app, client, world):
    result = open_case(world)
    login(client, world.nurse1)
    bad = client.post(f"/care/cases/{result.case_id}/resolve", data={"note": "Called, all fine"}, headers=HX)
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "Choose how the case was resolved." in html
    assert "Called, all fine" in html and 'aria-invalid="true"' in html and "error-summary" in html
    ok = client.post(f"/care/cases/{result.case_id}/resolve", headers=HX,
                     data={"resolution": "advice_by_phone", "note": "Wife says drowsy, RR 14, pump log normal.",
                           "message": "We called you. Your pump is fine."})
    staff_html = ok.get_data(as_text=True)
    assert ok.status_code == 200 and "Advice by phone" in staff_html
    assert "Wife says drowsy, RR 14" in staff_html and "We called you. Your pump is fine." in staff_html
    patient = app.test_client()
    login(patient, world.patient_a_user)
    page = patient.get(f"/cases/{result.case_id}").get_data(as_text=True)
    assert "We called you. Your pump is fine." in page and "every 10s" not in page
    assert "Wife says drowsy" not in page and "RR 14" not in page  # the internal note never reaches the patient
    assert db.session.get(Case, result.case_id).status == "resolved"


def test_staff_case_page_is_audited_and_other_clinic_gets_404(client, world):
    result = open_case(world)
    login(client, world.nurse1)
    assert client.get(f"/care/cases/{result.case_id}").status_code == 200
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case_viewed")).patient_id == world.patient_a.id
    client.post("/logout")
    login(client, world.nurse2)
    for method, url in (("GET", f"/care/cases/{result.case_id}"), ("POST", f"/care/cases/{result.case_id}/acknowledge"),
                        ("POST", f"/care/cases/{result.case_id}/resolve")):
        assert client.open(url, method=method).status_code == 404
    assert db.session.get(Case, result.case_id).status == "open"


def test_patient_side_access(app, world):
    result = open_case(world)
    for user, expected in ((world.patient_a_user, 200), (world.caregiver, 200), (world.patient_b_user, 404),
                           (world.unlinked_caregiver, 404), (world.nurse1, 403)):
        c = app.test_client()
        login(c, user)
        assert c.get(f"/cases/{result.case_id}").status_code == expected, user.email
    anonymous = app.test_client().get(f"/cases/{result.case_id}")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    admin = app.test_client()
    login(admin, world.admin1)
    # Admins are the ladder's top rung: they can acknowledge a page, but they do not resolve cases.
    assert admin.post(f"/care/cases/{result.case_id}/resolve", data={"resolution": "pump_checked"}).status_code == 403


def _outcome(app, world, observations, user):
    from flask_login import login_user

    result = services.assess(world.patient_a, observations=observations, context={}, source_type="diary_entry",
                             source_id=hash(str(observations)) % 10000, reported_by_user=world.patient_a_user)
    db.session.commit()
    with app.test_request_context("/"):
        login_user(user)
        from companion.template_globals import clinic_context
        return render_template("escalation/_outcome.html", assessment=result, **clinic_context(),
                               pump_card={"model": "SynchroMed II 40 mL", "drugs": [
                                   {"name": "morphine", "concentration": "25", "concentration_unit": "mg/mL"}]})


def test_outcome_partial_per_tier(app, world):
    emergency = _outcome(app, world, {"breaths_per_min": 6}, world.patient_a_user)
    assert "emergency-screen" in emergency and 'href="tel:911"' in emergency
    assert "morphine" in emergency and "25 mg/mL" in emergency and "pain pump" in emergency
    urgent = _outcome(app, world, {"pump_alarm": "two_tone"}, world.patient_a_user)
    assert "Call your clinic now" in urgent and "tel:+15550001000" in urgent.replace(" ", "")
    assert "emergency-screen" not in urgent
    routine = _outcome(app, world, {"constipation_days": 4}, world.patient_a_user)
    assert "Your care team will review this" in routine and "btn-emergency" not in routine


def test_out_of_hours_urgent_shows_the_out_of_hours_number(app, world):
    from companion import clock
    from tests.conftest import FIXED_NOW

    clock.freeze(FIXED_NOW.replace(hour=3))
    html = _outcome(app, world, {"pump_alarm": "two_tone"}, world.patient_a_user)
    assert "+1 555 000 1999" in html and "closed now" in html


def test_patient_texts_read_at_grade_eight_or_below(app, world):
    import re

    for observations in ({"breaths_per_min": 6}, {"pump_alarm": "two_tone"}, {"constipation_days": 4}):
        html = _outcome(app, world, observations, world.patient_a_user)
        text = re.sub(r"<[^>]+>", " ", html)
        text = re.sub(r"\{#.*?#\}", " ", text)
        assert textstat.flesch_kincaid_grade(text) <= 8, (observations, textstat.flesch_kincaid_grade(text))


def test_opening_the_case_marks_its_notifications_read_by_post_never_by_get(app, client, world):
    """ASVS 3.5.3: GET /cases/<id> changes nothing; the page's own htmx POST marks the notifications read."""
    from companion.notify.models import Notification

    result = open_case(world)
    login(client, world.nurse1)
    client.post(f"/care/cases/{result.case_id}/acknowledge")

    def unread() -> int:
        return db.session.scalar(select(db.func.count()).select_from(Notification).where(
            Notification.user_id == world.patient_a_user.id, Notification.read_at.is_(None),
            Notification.channel == "in_app", Notification.dedupe_key.like(f"case:{result.case_id}:patient:%")))

    assert unread() >= 1
    patient = app.test_client()
    login(patient, world.patient_a_user)
    page = patient.get(f"/cases/{result.case_id}").get_data(as_text=True)
    assert unread() >= 1  # the GET left them unread
    assert f'hx-post="/cases/{result.case_id}/read" hx-trigger="load"' in page
    assert patient.post(f"/cases/{result.case_id}/read", headers=HX).status_code == 204 and unread() == 0
    for user, expected in ((world.patient_b_user, 404), (world.unlinked_caregiver, 404), (world.nurse1, 403)):
        other = app.test_client()
        login(other, user)
        assert other.post(f"/cases/{result.case_id}/read", headers=HX).status_code == expected, user.email
