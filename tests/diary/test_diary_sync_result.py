"""The sync tells the result (issue 16): the outbox's answer carries the assessment and the outcome screen;
the offline form shells carry no patient data and their entries never fail on the weekly questions."""
from sqlalchemy import select

from companion.diary.models import DiaryEntry
from companion.extensions import db
from tests.conftest import login
from tests.diary.helpers import ORDINARY, new_id

URGENT = {"pain_now": "5", "anything_new": "yes", "pump_alarm": "two_tone"}


def test_sync_answer_carries_the_urgent_result_and_the_same_on_replay(client, peg_done):
    login(client, peg_done.patient_a_user)
    cid = new_id()
    first = client.post("/api/diary/entries", json={"kind": "checkin", "answers": URGENT},
                        headers={"Idempotency-Key": cid})
    body = first.get_json()
    assert first.status_code == 201 and body["tier"] == "urgent" and body["case_id"]
    assert body["sent_text"].startswith("Sent at ") and 'data-outcome="urgent"' in body["outcome_html"]
    assert "Call your clinic now" in body["outcome_html"]
    replay = client.post("/api/diary/entries", json={"kind": "checkin", "answers": URGENT},
                         headers={"Idempotency-Key": cid})
    assert replay.status_code == 200 and replay.get_json() == body
    home = client.get("/").get_data(as_text=True)
    assert f'data-open-case="{body["case_id"]}"' in home  # an entry sent from the outbox shows on home too


def test_sync_answer_for_an_ordinary_day_has_no_outcome_screen(client, peg_done):
    login(client, peg_done.patient_a_user)
    body = client.post("/api/diary/entries", json={"kind": "checkin", "answers": ORDINARY},
                       headers={"Idempotency-Key": new_id()}).get_json()
    assert body["tier"] == "none" and body["outcome_html"] == "" and body["sent_text"].startswith("Sent at ")


def test_offline_shells_hold_no_patient_data(client, world):
    login(client, world.patient_a_user)
    for url, kind in (("/checkin/offline-form", "checkin"), ("/wound/offline-form", "wound")):
        response = client.get(url)
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and f'data-kind="{kind}"' in html and "data-shell" in html
        assert world.patient_a.given_name not in html and world.patient_a.family_name not in html
        assert 'data-patient=""' in html and 'value=""' in html.split('name="client_entry_id"')[1][:20]
        assert "hx-post=" not in html.split('id="entry-form"')[1].split(">")[0]  # entries go through the outbox
        assert 'type="file"' not in html and 'id="emergency-rules"' in html and "data-unread" not in html


def test_an_entry_from_the_shell_is_kept_when_the_weekly_questions_are_due(client, world):
    login(client, world.patient_a_user)  # no PEG yet: the weekly questions are due, the shell does not ask them
    refused = client.post("/api/diary/entries", json={"kind": "checkin", "answers": ORDINARY},
                          headers={"Idempotency-Key": new_id()})
    assert refused.status_code == 422  # the ordinary form must ask them
    kept = client.post("/api/diary/entries", json={"kind": "checkin", "answers": ORDINARY, "shell": True},
                       headers={"Idempotency-Key": new_id()})
    assert kept.status_code == 201
    assert db.session.scalar(select(DiaryEntry.pain_now).where(DiaryEntry.id == kept.get_json()["id"])) == 3


def test_a_staff_member_gets_no_shell(client, world):
    login(client, world.nurse1)
    assert client.get("/checkin/offline-form").status_code in (403, 404)
