"""The check-in's one diary read (queries.entry_facts) gives the rules and the PEG question what the separate
queries give: last week's pains, whether the PEG is due, and who owns a posted UUID; the result, rendered without
reloading the entry, says what a replay says (issue 18)."""
import json
import uuid
from datetime import timedelta

import pytest

from companion.clock import utcnow
from companion.diary import queries
from companion.diary.models import DiaryEntry
from companion.extensions import db
from tests.conftest import login
from tests.diary.helpers import ORDINARY


def _entry(patient, at, kind="checkin", pain=None, peg=None) -> DiaryEntry:
    row = DiaryEntry(patient_id=patient.id, kind=kind, reported_by_user_id=patient.user_id, reporter="patient",
                     questionnaire_id="daily-checkin", questionnaire_version="1", answers={}, observations={},
                     client_entry_id=str(uuid.uuid4()), recorded_at=at, received_at=at, pain_now=pain, peg_score=peg)
    db.session.add(row)
    return row


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_entry_facts_agree_with_the_separate_queries_at_every_moment(world, zone):
    world.clinic1.timezone = zone
    start = utcnow()
    patient, other = world.patient_a, world.patient_b
    _entry(patient, start, peg=4.0, pain=3)
    for hours in range(-300, 260, 7):  # entries from 12 days before to 11 days after, some wound checks
        _entry(patient, start + timedelta(hours=hours), kind="wound" if hours % 3 == 0 else "checkin",
               pain=hours % 11 if hours % 5 else None)
    _entry(other, start + timedelta(days=1), pain=9, peg=7.0)  # another patient's entries never count
    _entry(patient, start + timedelta(days=9), peg=6.0)  # a later PEG (also in the future of some moments)
    db.session.commit()
    for step in range(0, 12 * 8):  # every 3 hours for 12 days, across both PEGs' 7-day marks
        now = start - timedelta(hours=13) + timedelta(hours=3 * step)
        facts = queries.entry_facts(patient, now, str(uuid.uuid4()))
        assert sorted(facts.pains) == sorted(queries.previous_pains(patient, now)), now
        assert queries.weekly_due(patient, now, facts) == queries.weekly_due(patient, now), now
        assert queries.context_for(patient, now, facts) == queries.context_for(patient, now), now
        assert facts.replay_id is None


def test_entry_facts_find_the_posted_uuid_whoever_owns_it(world):
    now = utcnow()
    mine = _entry(world.patient_a, now - timedelta(days=30), kind="wound")  # outside the recent window
    theirs = _entry(world.patient_b, now - timedelta(hours=1), pain=2)
    db.session.commit()
    facts = queries.entry_facts(world.patient_a, now, mine.client_entry_id)
    assert (facts.replay_id, facts.replay_patient_id) == (mine.id, world.patient_a.id)
    facts = queries.entry_facts(world.patient_a, now, theirs.client_entry_id)
    assert (facts.replay_id, facts.replay_patient_id) == (theirs.id, world.patient_b.id)
    assert facts.pains == []  # patient B's pain is not patient A's baseline


def test_the_first_answer_and_a_replay_agree_when_the_phone_is_not_on_utc(client, world):
    login(client, world.patient_a_user)
    body = {"kind": "checkin", "answers": dict(ORDINARY, **{"peg.pain_avg": "4", "peg.enjoyment": "4",
                                                            "peg.activity": "4"}),
            "client_entry_id": str(uuid.uuid4()), "recorded_at": "2026-11-23T16:55:00+02:00"}
    first = client.post("/api/diary/entries", data=json.dumps(body), content_type="application/json")
    db.session.remove()  # the replay comes in a later request, which reads the stored row
    again = client.post("/api/diary/entries", data=json.dumps(body), content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json()["recorded_at"] == "2026-11-23T14:55:00+00:00"
    assert {k: v for k, v in first.get_json().items() if k != "outcome_html"} == \
        {k: v for k, v in again.get_json().items() if k != "outcome_html"}
