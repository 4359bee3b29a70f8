"""Check-in over HTTP: pages and fragments, 422 keeping values, idempotent replay, caregivers, the sync API."""
import json

from sqlalchemy import func, select

from companion.audit.models import AuditEvent
from companion.diary.models import DiaryEntry
from companion.extensions import db
from tests.conftest import FIXED_NOW, HX, login
from tests.diary.helpers import ORDINARY, form, new_id


def count(patient=None) -> int:
    stmt = select(func.count(DiaryEntry.id))
    if patient is not None:
        stmt = stmt.where(DiaryEntry.patient_id == patient.id)
    return db.session.scalar(stmt)


def test_checkin_page_and_partial(client, peg_done):
    login(client, peg_done.patient_a_user)
    page = client.get("/checkin")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<html" in html and 'id="emergency-rules"' in html
    assert 'data-enable-when=\'[["anything_new", "yes"]]\'' in html  # red flags wait behind "anything new?"
    assert 'name="peg.pain_avg"' not in html  # PEG answered yesterday: not asked
    rules = json.loads(html.split('id="emergency-rules">')[1].split("</script>")[0])
    assert any(r["code"] == "breathing_slow" for r in rules)
    partial = client.get("/checkin", headers=HX).get_data(as_text=True)
    assert "<html" not in partial and 'id="entry-form"' in partial


def test_weekly_peg_is_asked_when_due(client, world):
    login(client, world.patient_a_user)
    html = client.get("/checkin").get_data(as_text=True)
    assert 'name="peg.pain_avg"' in html
    response = client.post("/checkin", data=form(ORDINARY), headers=HX)
    assert response.status_code == 422 and "peg.activity" in response.get_data(as_text=True)


def test_ordinary_checkin_saves_once_with_outcome_and_audit(client, peg_done):
    login(client, peg_done.patient_a_user)
    before = count(peg_done.patient_a)
    response = client.post("/checkin", data=form(ORDINARY, recorded_at="2026-11-23T14:58:00+00:00"), headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'data-outcome="none"' in html and "<html" not in html
    assert count(peg_done.patient_a) == before + 1
    entry = db.session.scalar(select(DiaryEntry).order_by(DiaryEntry.id.desc()))
    assert entry.pain_now == 3 and entry.reporter == "patient" and entry.tier == "none"
    assert entry.recorded_at.isoformat() == "2026-11-23T14:58:00+00:00" and entry.received_at == FIXED_NOW
    assert entry.questionnaire_id == "daily-checkin" and entry.questionnaire_version == "1"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "diary_entry_recorded"))
    assert event.patient_id == peg_done.patient_a.id and event.object_id == str(entry.id)


def test_no_js_post_renders_the_outcome_page(client, peg_done):
    login(client, peg_done.patient_a_user)
    before = count(peg_done.patient_a)
    response = client.post("/checkin", data=form(ORDINARY))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" in html and "<title>Saved" in html  # the whole page
    assert 'data-entry-saved data-tier="none"' in html and 'data-outcome="none"' in html
    assert 'href="/diary"' in html and count(peg_done.patient_a) == before + 1


def test_bad_answers_come_back_422_with_every_value_and_nothing_saved(client, peg_done):
    login(client, peg_done.patient_a_user)
    before = count()
    answers = {"pain_now": "11", "anything_new": "yes", "temperature": "80", "temperature.unit": "C",
               "note": "Feeling off <b>today</b>", "itching": "yes"}
    response = client.post("/checkin", data=form(answers), headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and count() == before
    assert 'class="error-summary"' in html
    assert "Please pick a number from 0 to 10." in html  # pain 11
    # 80 fits neither the °C nor the °F range (hand-checked against diary.rules.TEMP_RANGES)
    assert "Please check the temperature. It should be from 34 to 43 °C (93 to 109.4 °F)." in html
    assert 'value="80"' in html and 'aria-invalid="true"' in html
    assert 'value="yes" checked' in html and "Feeling off &lt;b&gt;today&lt;/b&gt;" in html
    assert 'aria-describedby="q-temperature-help q-temperature-error"' in html


def test_missing_required_answer_is_named_next_to_the_field(client, peg_done):
    login(client, peg_done.patient_a_user)
    response = client.post("/checkin", data=form({"pain_now": "4"}), headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="q-anything_new-error"' in html
    assert 'value="4" checked' in html


def test_errors_never_hide_an_emergency_answer(client, peg_done):
    login(client, peg_done.patient_a_user)
    answers = {"pain_now": "11", "anything_new": "yes", "sleepiness": "hard_to_wake"}
    response = client.post("/checkin", data=form(answers), headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and count(peg_done.patient_a) == 1
    assert html.index('class="emergency-card"') < html.index('class="error-summary"')
    assert 'href="tel:911"' in html


def test_errors_never_hide_an_urgent_answer(client, peg_done):
    """Issue 12: a stiff neck with a headache beside a bad pain answer shows the clinic call, keeps the answers."""
    login(client, peg_done.patient_a_user)
    answers = {"pain_now": "11", "anything_new": "yes", "stiff_neck": "yes", "headache": "mild"}
    response = client.post("/checkin", data=form(answers), headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and count(peg_done.patient_a) == 1
    assert 'class="emergency-card"' not in html
    assert html.index('data-outcome="urgent"') < html.index('class="error-summary"')
    card = html.split('data-outcome="urgent"')[1].split("</section>")[0]
    assert "Call your clinic now" in card and 'href="tel:' in card and "stiff neck" in card
    assert 'value="yes" checked' in html  # kept for the resend


def test_feels_feverish_is_asked_and_feeds_the_rules(client, peg_done):
    """Issue 12: feeling feverish with a stiff neck and a headache, no thermometer, is an emergency."""
    login(client, peg_done.patient_a_user)
    page = client.get("/checkin").get_data(as_text=True)
    assert 'name="feels_feverish"' in page
    answers = {"pain_now": "4", "anything_new": "yes", "feels_feverish": "yes", "stiff_neck": "yes",
               "headache": "mild"}
    response = client.post("/checkin", data=form(answers), headers=HX)
    entry = db.session.scalar(select(DiaryEntry).order_by(DiaryEntry.id.desc()).limit(1))
    assert response.status_code == 200 and entry.observations["feels_feverish"] is True
    assert entry.tier == "emergency" and "meningitis_signs_unmeasured" in entry.reason_codes


def test_the_same_uuid_posted_three_times_is_one_entry(client, peg_done):
    login(client, peg_done.patient_a_user)
    cid = new_id()
    bodies = []
    for _ in range(3):
        response = client.post("/api/diary/entries", json={"kind": "checkin", "answers": ORDINARY,
                                                             "recorded_at": "2026-11-23T09:00:00Z"},
                               headers={"Idempotency-Key": cid})
        bodies.append((response.status_code, response.get_json()))
    assert [s for s, _ in bodies] == [201, 200, 200]
    assert bodies[0][1] == bodies[1][1] == bodies[2][1]
    assert db.session.scalar(select(func.count()).where(DiaryEntry.client_entry_id == cid)) == 1
    assert bodies[0][1]["recorded_at"].startswith("2026-11-23T09:00:00")


def test_form_double_submit_with_one_uuid_is_one_entry(client, peg_done):
    login(client, peg_done.patient_a_user)
    data = form(ORDINARY)
    before = count()
    assert client.post("/checkin", data=data, headers=HX).status_code == 200
    assert client.post("/checkin", data=data, headers=HX).status_code == 200
    assert count() == before + 1


def test_another_patient_cannot_take_over_a_uuid(app, peg_done):
    a, b = app.test_client(), app.test_client()
    login(a, peg_done.patient_a_user)
    login(b, peg_done.patient_b_user)
    cid = new_id()
    assert a.post("/api/diary/entries", json={"kind": "checkin", "answers": ORDINARY},
                  headers={"Idempotency-Key": cid}).status_code == 201
    response = b.post("/api/diary/entries", json={"kind": "checkin", "answers": ORDINARY},
                      headers={"Idempotency-Key": cid})
    assert response.status_code == 409 and response.get_json() == {"error": "conflict"}


def test_api_rejects_nonsense_and_answers_422_with_errors(client, peg_done):
    login(client, peg_done.patient_a_user)
    assert client.post("/api/diary/entries", data="not json", content_type="application/json").status_code == 400
    assert client.post("/api/diary/entries", json={"kind": "nope", "answers": {}},
                       headers={"Idempotency-Key": new_id()}).status_code == 400
    assert client.post("/api/diary/entries", json={"kind": "checkin", "answers": ORDINARY},
                       headers={"Idempotency-Key": "not-a-uuid"}).status_code == 400
    response = client.post("/api/diary/entries", json={"kind": "checkin", "answers": {"pain_now": "11"}},
                           headers={"Idempotency-Key": new_id()})
    assert response.status_code == 422 and "pain_now" in response.get_json()["errors"]


def test_api_for_another_patient_id_is_404(client, peg_done):
    login(client, peg_done.patient_a_user)
    response = client.post("/api/diary/entries", json={"kind": "checkin", "answers": ORDINARY,
                                                         "patient_id": peg_done.patient_b.id},
                           headers={"Idempotency-Key": new_id()})
    assert response.status_code == 404 and count(peg_done.patient_b) == 1


def test_signed_out_replay_gets_401_json_and_keeps_nothing(client, world):
    response = client.post("/api/diary/entries", json={"kind": "checkin", "answers": ORDINARY},
                           headers={"Idempotency-Key": new_id()})
    assert response.status_code == 401 and response.get_json()["error"] == "signed_out"
    assert client.get("/api/csrf").status_code == 401


def test_replay_needs_the_fresh_csrf_token(tmp_path):
    from tests.conftest import make_app

    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        from tests.factories import Factory

        world = Factory().world()
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        client.post("/login", data={"email": world.patient_a_user.email, "password": "correct horse battery",
                                    "csrf_token": token})
        body = {"kind": "post_refill", "answers": {"sleepiness": "alert", "breathing_trouble": "no"}}
        cid = new_id()
        assert client.post("/api/diary/entries", json=body, headers={"Idempotency-Key": cid}).status_code == 400
        fresh = client.get("/api/csrf").get_json()["csrf_token"]
        ok = client.post("/api/diary/entries", json=body, headers={"Idempotency-Key": cid, "X-CSRFToken": fresh})
        assert ok.status_code == 201
        db.session.remove()


def test_caregiver_reports_breathing_and_gets_the_emergency_screen(client, peg_done):
    login(client, peg_done.caregiver)
    html = client.get("/checkin").get_data(as_text=True)
    assert 'name="breaths_per_min"' in html and 'name="pain_now"' not in html
    response = client.post("/checkin", data=form({"anything_new": "yes", "breaths_per_min": "6",
                                                  "sleepiness": "hard_to_wake"}), headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'data-outcome="emergency"' in html
    entry = db.session.scalar(select(DiaryEntry).order_by(DiaryEntry.id.desc()))
    assert entry.reporter == "caregiver" and entry.reported_by_user_id == peg_done.caregiver.id
    assert entry.patient_id == peg_done.patient_a.id and entry.tier == "emergency" and entry.case_id
    assert entry.breaths_per_min == 6 and entry.sleepiness == "hard_to_wake"


def test_unlinked_caregiver_and_staff_cannot_check_in(client, world):
    login(client, world.unlinked_caregiver)
    assert client.post("/checkin", data=form(ORDINARY)).status_code == 404
    assert client.post("/api/diary/entries", json={"kind": "checkin", "answers": ORDINARY},
                       headers={"Idempotency-Key": new_id()}).status_code == 404
    client.post("/logout")
    login(client, world.nurse1)
    assert client.post("/checkin", data=form(ORDINARY)).status_code == 403
    assert count() == 0


def test_temperature_in_fahrenheit_is_stored_in_celsius_with_context(client, peg_done):
    login(client, peg_done.patient_a_user)
    answers = {"pain_now": "8", "anything_new": "yes", "temperature": "100.4", "temperature.unit": "F"}
    response = client.post("/checkin", data=form(answers), headers=HX)
    assert response.status_code == 200
    entry = db.session.scalar(select(DiaryEntry).order_by(DiaryEntry.id.desc()))
    assert entry.temperature_c == 38.0 and entry.context["pain_baseline"] == 4
    assert entry.reason_codes == ["pain_above_baseline", "fever"] and entry.tier == "routine"


def test_post_refill_check_page_and_save(client, world):
    login(client, world.patient_a_user)
    assert "Sleep and breathing check" in client.get("/checkin/breathing").get_data(as_text=True)
    response = client.post("/checkin/breathing", data=form({"sleepiness": "alert", "breathing_trouble": "no"}))
    assert response.status_code == 200 and count(world.patient_a) == 1
