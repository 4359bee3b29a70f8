"""Issue 15 finding 3: a phone's entry time far in the past is refused with a clear message, and a stored time of
any value (0001-01-01 from before this fix) never breaks a page or an export."""
import uuid
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from companion.diary.models import DiaryEntry
from companion.extensions import db
from tests.conftest import FIXED_NOW, HX, login
from tests.diary.helpers import form

ORDINARY = {"pain_now": "3", "anything_new": "no", "peg.pain_avg": "4", "peg.enjoyment": "3", "peg.activity": "3"}
MESSAGE = "Check the date and time on your phone"


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(DiaryEntry))


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+00:00", "2026-11-01T09:00:00+00:00"])
def test_the_sync_api_refuses_a_device_time_long_before_receipt(client, world, when):
    login(client, world.patient_a_user)
    body = {"kind": "checkin", "answers": ORDINARY, "recorded_at": when, "client_entry_id": str(uuid.uuid4())}
    response = client.post("/api/diary/entries", json=body)
    assert response.status_code == 422 and MESSAGE in response.get_json()["errors"]["recorded_at"]
    assert _count() == 0


def test_the_form_refuses_a_device_time_before_the_patient_joined(client, world):
    world.patient_a.created_at = FIXED_NOW.replace(day=22)
    db.session.commit()
    login(client, world.patient_a_user)
    response = client.post("/checkin", data=form(ORDINARY, recorded_at="2026-11-20T09:00:00+00:00"), headers=HX)
    assert response.status_code == 422 and "before you joined" in response.get_data(as_text=True)
    assert _count() == 0


def test_a_recent_offline_entry_is_still_kept_with_its_device_time(client, world):
    login(client, world.patient_a_user)
    body = {"kind": "checkin", "answers": ORDINARY, "recorded_at": "2026-11-20T09:00:00+00:00",
            "client_entry_id": str(uuid.uuid4())}
    assert client.post("/api/diary/entries", json=body).status_code == 201
    assert db.session.scalar(select(DiaryEntry.recorded_at)) == datetime(2026, 11, 20, 9, tzinfo=timezone.utc)


@pytest.mark.parametrize("stored", [datetime(1, 1, 1, tzinfo=timezone.utc),
                                    datetime(9999, 12, 31, 23, 59, tzinfo=timezone.utc)])
def test_pages_and_exports_survive_any_stored_time(app, client, world, stored):
    """Rows stored before the fix (or edited in the database) still show: the time stays in UTC."""
    db.session.add(DiaryEntry(patient_id=world.patient_a.id, kind="checkin", reported_by_user_id=world.patient_a_user.id,
                              reporter="patient", questionnaire_id="checkin", questionnaire_version=1,
                              answers=ORDINARY, observations={"pain_now": 3}, context={},
                              client_entry_id=str(uuid.uuid4()), recorded_at=stored, received_at=FIXED_NOW,
                              tier="none", pain_now=3))
    db.session.commit()
    login(client, world.patient_a_user)
    for url in ("/diary", "/", "/account/export/diary.csv"):
        assert client.get(url).status_code == 200, url
    nurse = app.test_client()
    login(nurse, world.nurse1)
    pid = world.patient_a.id
    for url in (f"/care/patients/{pid}", f"/care/patients/{pid}/diary", f"/care/patients/{pid}/export/diary.csv",
                "/care/patients", "/care"):
        assert nurse.get(url).status_code == 200, url
