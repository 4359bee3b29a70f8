"""Patient messages with content (issue 16): who saw the report and when, reminders with dates, unread badge,
opening marks read (POST only), push and email stay neutral; home shows open cases until resolved."""
from datetime import date

from sqlalchemy import select

from companion.escalation import services as cases
from companion.extensions import db
from companion.notify import channels, services
from companion.notify.models import Notification
from tests.conftest import HX, login


def open_case(world, observations=None, source_id=1):
    result = cases.assess(world.patient_a, observations=observations or {"pump_alarm": "two_tone"}, context={},
                          source_type="diary_entry", source_id=source_id, reported_by_user=world.patient_a_user)
    db.session.commit()
    return result


def test_acknowledge_tells_the_patient_who_and_when_in_the_app_only(client, world):
    result = open_case(world)
    case = db.session.get(cases.Case, result.case_id)
    cases.acknowledge(case, world.nurse1)
    rows = list(db.session.scalars(select(Notification).where(Notification.user_id == world.patient_a_user.id)))
    assert {r.channel for r in rows} == {"in_app", "push"}
    push = next(r for r in rows if r.channel == "push")
    assert push.detail is None  # the push row carries nothing a lock screen could show
    assert channels.wording(world.patient_a_user)[1] == "Open Companion to see a new message."
    login(client, world.patient_a_user)
    page = client.get("/notifications").get_data(as_text=True)
    assert f"{world.nurse1.display_name} has seen your report (10:00)." in page  # 15:00 UTC is 10:00 in New York
    assert "Open Companion to see a new message." not in page


def test_the_message_to_the_patient_reaches_them_and_the_internal_note_never_does(client, world):
    case = db.session.get(cases.Case, open_case(world).case_id)
    cases.resolve(case, world.nurse1, "advice_by_phone", note="Wife says he is drowsy; rechecked, fine now.",
                  message="Keep the dressing dry and rest today.")
    login(client, world.patient_a_user)
    page = client.get("/notifications").get_data(as_text=True)
    assert "has finished with your report" in page and "Keep the dressing dry and rest today." in page
    assert "drowsy" not in page and "drowsy" not in client.get(f"/cases/{case.id}").get_data(as_text=True)


def test_reminder_texts_say_what_is_due(client, world):
    uid = world.patient_a_user.id
    services.enqueue(user_id=uid, kind="checkin_reminder", dedupe_key="checkin:x", channels=("in_app", "push"))
    services.enqueue(user_id=uid, kind="refill_reminder", dedupe_key="refill:x", channels=("in_app",),
                     detail={"on": date(2027, 1, 1).isoformat()})
    db.session.commit()
    login(client, world.patient_a_user)
    page = client.get("/notifications").get_data(as_text=True)
    assert "Time for your daily check-in." in page and "Your refill is due Friday 1 January." in page


def test_unread_badge_on_messages_tab_and_home_and_opening_marks_read(client, world):
    open_id = services.enqueue(user_id=world.patient_a_user.id, kind="checkin_reminder", dedupe_key="checkin:y",
                               channels=("in_app",))[0]
    db.session.commit()
    login(client, world.patient_a_user)
    home = client.get("/").get_data(as_text=True)
    assert "data-unread>1" in home and "data-home-messages" in home and "Time for your daily check-in." in home
    client.get("/notifications")  # looking at the list (a GET) changes nothing
    assert db.session.get(Notification, open_id).read_at is None
    response = client.post(f"/notifications/{open_id}/read")
    assert response.status_code == 303 and response.headers["Location"] == "/checkin"
    db.session.expire_all()
    assert db.session.get(Notification, open_id).read_at is not None
    home = client.get("/").get_data(as_text=True)
    assert "data-unread" not in home and "data-home-messages" not in home
    assert "Time for your daily check-in." in client.get("/notifications").get_data(as_text=True)  # still listed


def test_someone_elses_message_cannot_be_opened(client, world):
    theirs = services.enqueue(user_id=world.patient_b_user.id, kind="checkin_reminder", dedupe_key="checkin:z",
                              channels=("in_app",))[0]
    db.session.commit()
    login(client, world.patient_a_user)
    assert client.post(f"/notifications/{theirs}/read").status_code == 404
    assert client.post(f"/notifications/{theirs}/read", headers=HX).status_code == 404
    assert db.session.get(Notification, theirs).read_at is None


def test_home_shows_the_open_case_until_it_is_resolved(client, world):
    result = open_case(world)
    login(client, world.patient_a_user)
    home = client.get("/").get_data(as_text=True)
    assert f'data-open-case="{result.case_id}"' in home and "Waiting for a nurse to see it." in home
    assert f"/cases/{result.case_id}" in home and 'class="btn btn-urgent' in home
    case = db.session.get(cases.Case, result.case_id)
    cases.acknowledge(case, world.nurse1)
    home = client.get("/").get_data(as_text=True)
    assert f"Seen by {world.nurse1.display_name}" in home and "If you feel worse" in home
    cases.resolve(db.session.get(cases.Case, result.case_id), world.nurse1, "advice_by_phone")
    assert "data-open-case" not in client.get("/").get_data(as_text=True)


def test_home_shows_no_other_patients_case(client, world):
    cases.assess(world.patient_b, observations={"pump_alarm": "two_tone"}, context={}, source_type="diary_entry",
                 source_id=9, reported_by_user=world.patient_b_user)
    db.session.commit()
    login(client, world.patient_a_user)
    assert "data-open-case" not in client.get("/").get_data(as_text=True)
