"""Over HTTP: a patient who sends the same pump alarm twice is told to call the clinic both times, and the care
team gets one case, with the second report on its history (escalation.services joins repeated signs)."""
from sqlalchemy import select

from companion.diary.models import DiaryEntry
from companion.extensions import db
from companion.roster.models import PatientSummary
from tests.conftest import HX, login
from tests.diary.helpers import form


def test_two_check_ins_with_the_same_alarm_make_one_case_and_both_entries_point_to_it(client, peg_done):
    login(client, peg_done.patient_a_user)
    answers = {"pain_now": "5", "anything_new": "yes", "pump_alarm": "two_tone"}
    for _ in range(2):
        html = client.post("/checkin", data=form(answers), headers=HX).get_data(as_text=True)
        assert 'data-outcome="urgent"' in html and "Call your clinic now" in html
    entries = list(db.session.scalars(select(DiaryEntry).where(DiaryEntry.patient_id == peg_done.patient_a.id,
                                                                DiaryEntry.tier == "urgent")))
    assert len(entries) == 2 and len({e.case_id for e in entries}) == 1 and entries[0].case_id
    summary = db.session.get(PatientSummary, peg_done.patient_a.id)
    assert (summary.urgent_open, summary.emergency_open) == (1, 0)
    login(client, peg_done.nurse1)
    queue = client.get("/care").get_data(as_text=True)
    assert queue.count(f'/care/cases/{entries[0].case_id}"') >= 1
    page = client.get(f"/care/cases/{entries[0].case_id}").get_data(as_text=True)
    assert "reported again" in page.lower()
