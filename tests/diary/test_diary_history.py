"""History and trends, the care team's diary view (audited), reminders and home-screen tasks."""
import re
from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from companion.audit.models import AuditEvent
from companion.clock import utcnow
from companion.diary import charts, queries, services
from companion.diary.models import CheckinReminderPreference
from companion.extensions import db
from companion.notify.models import Notification
from tests.conftest import FIXED_NOW, HX, login
from tests.diary.helpers import form, new_id


def add_checkins(patient, user, pains, days_ago_start=1):
    """Store check-ins through the service, one a day, oldest first."""
    for i, pain in enumerate(pains):
        when = utcnow() - timedelta(days=days_ago_start + len(pains) - 1 - i)
        done = services.record_entry(patient, "checkin", {"pain_now": str(pain), "anything_new": "no",
                                                          "peg.pain_avg": "5", "peg.enjoyment": "4",
                                                          "peg.activity": "3"},
                                     reporter_user=user, client_entry_id=new_id(), recorded_at=when)
        assert done.ok, done.errors


def test_history_lists_newest_first_by_device_time_with_charts(client, world):
    add_checkins(world.patient_a, world.patient_a_user, [2, 5, 7])
    # Sent late (received now) but made before the others: it must sort by when it was made.
    services.record_entry(world.patient_a, "post_refill", {"sleepiness": "alert", "breathing_trouble": "no"},
                          reporter_user=world.patient_a_user, client_entry_id=new_id(),
                          recorded_at=utcnow() - timedelta(days=10))
    login(client, world.patient_a_user)
    html = client.get("/diary").get_data(as_text=True)
    assert html.count('class="diary-entry"') == 4
    order = [m for m in re.findall(r"Pain (\d+) of 10", html)]
    assert order == ["7", "5", "2"] and html.rindex("Sleep and breathing check") > html.rindex("Pain 2 of 10")
    assert '<svg class="chart" id="pain-30"' in html and "style=" not in html.split("<main")[1]
    assert "Show as a table" in html and "Check-ins on 3 of 30 days." in html
    partial = client.get("/diary?days=90", headers=HX).get_data(as_text=True)
    assert "<html" not in partial and 'id="pain-90"' in partial


def test_trends_for_gives_series_and_adherence(world):
    add_checkins(world.patient_a, world.patient_a_user, [3, 4, 6])
    trends = queries.trends_for(world.patient_a, 30, FIXED_NOW)
    assert [v for _, v in trends.pain] == [3, 4, 6] and len(trends.adherence) == 30
    assert trends.checkin_days == 3 and trends.adherence[-1] == (trends.end, False)
    assert [v for _, v in trends.peg] == [4.0] * 3
    assert all("style=" not in svg and svg.startswith("<svg") for svg in trends.svg.values())


def test_charts_are_pure_accessible_svg():
    from datetime import date

    svg = charts.line_chart("t", 'Pain <"x">', [(date(2026, 1, 2), 4), (date(2026, 1, 3), 11)],
                            start=date(2026, 1, 1), end=date(2026, 1, 30))
    assert 'role="img"' in svg and "<title id=\"t-title\">Pain &lt;&quot;x&quot;&gt;</title>" in svg
    assert svg.count("<circle") == 2 and "<polyline" in svg and "style" not in svg
    empty = charts.line_chart("e", "Pain", [], start=date(2026, 1, 1), end=date(2026, 1, 30))
    assert "No entries yet" in empty and "<circle" not in empty


def test_context_for_uses_the_last_7_days_of_pain(world):
    add_checkins(world.patient_a, world.patient_a_user, [9], days_ago_start=9)
    add_checkins(world.patient_a, world.patient_a_user, [2, 4])
    context = queries.context_for(world.patient_a, FIXED_NOW)
    assert context["pain_baseline"] == 3


def test_staff_diary_is_clinic_scoped_and_audited(client, world):
    add_checkins(world.patient_a, world.patient_a_user, [3])
    login(client, world.nurse1)
    response = client.get(f"/care/patients/{world.patient_a.id}/diary")
    assert response.status_code == 200 and "Pain 3 of 10" in response.get_data(as_text=True)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "patient_diary_viewed"))
    assert event.patient_id == world.patient_a.id and event.user_id == world.nurse1.id
    client.post("/logout")
    login(client, world.nurse2)
    response = client.get(f"/care/patients/{world.patient_a.id}/diary")
    assert response.status_code == 404 and "Pain 3" not in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "access_refused", AuditEvent.user_id == world.nurse2.id)) == 1


@pytest.mark.parametrize("who", ["patient_a_user", "caregiver"])
def test_patient_side_cannot_open_the_staff_diary(client, world, who):
    login(client, getattr(world, who))
    assert client.get(f"/care/patients/{world.patient_a.id}/diary").status_code == 403


def test_patient_b_never_sees_patient_a_entries(client, world):
    add_checkins(world.patient_a, world.patient_a_user, [8])
    login(client, world.patient_b_user)
    assert "Pain 8 of 10" not in client.get("/diary").get_data(as_text=True)


def test_reminder_time_is_saved_and_bad_time_is_422(client, world):
    login(client, world.patient_a_user)
    bad = client.post("/diary/settings", data={"remind_at": "25:99", "save": "Save"}, headers=HX)
    assert bad.status_code == 422 and 'value="25:99"' in bad.get_data(as_text=True)
    ok = client.post("/diary/settings", data={"remind_at": "08:30", "save": "Save"}, headers=HX)
    assert ok.status_code == 200 and "08:30" in ok.get_data(as_text=True)
    pref = db.session.scalar(select(CheckinReminderPreference))
    assert pref.remind_at == time(8, 30) and pref.enabled
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "checkin_reminder_set"))
    client.post("/diary/settings", data={"turn_off": "Turn reminders off"})
    assert not db.session.scalar(select(CheckinReminderPreference)).enabled


def test_reminder_job_sends_once_after_the_time_and_not_after_a_checkin(world):
    services.set_reminder_time(world.patient_a, time(9, 0), user=world.patient_a_user)  # 09:00 New York
    services.set_reminder_time(world.patient_b, time(9, 0), user=world.patient_b_user)
    before = FIXED_NOW.replace(hour=13, minute=30)  # 08:30 in New York
    assert services.send_checkin_reminders(before) == 0
    add_checkins(world.patient_b, world.patient_b_user, [3], days_ago_start=0)
    assert services.send_checkin_reminders(FIXED_NOW) == 1  # 10:00 New York; B already checked in
    services.send_checkin_reminders(FIXED_NOW + timedelta(minutes=5))
    rows = db.session.scalars(select(Notification).where(Notification.kind == "checkin_reminder")).all()
    assert {r.channel for r in rows} == {"in_app", "push"} and len(rows) == 2
    assert {r.user_id for r in rows} == {world.patient_a_user.id}


def test_home_shows_the_due_checkin_as_a_task(client, world):
    login(client, world.patient_a_user)
    html = client.get("/").get_data(as_text=True)
    assert 'class="task" href="/checkin"' in html and "Daily check-in" in html
    client.post("/checkin", data=form({"pain_now": "3", "anything_new": "no", "peg.pain_avg": "5",
                                       "peg.enjoyment": "4", "peg.activity": "3"}))
    assert 'href="/checkin"' not in client.get("/").get_data(as_text=True).split("today-title")[1].split("</section>")[0]


def test_wound_task_after_implant(client, factory, world):
    world.patient_a.implanted_on = FIXED_NOW.date() - timedelta(days=2)
    db.session.commit()
    login(client, world.patient_a_user)
    html = client.get("/").get_data(as_text=True)
    assert 'class="task" href="/wound"' in html and "day 2 after surgery" in html


def test_checkin_page_reads_at_grade_8_or_below(client, world):
    import textstat

    login(client, world.patient_a_user)
    html = client.get("/checkin").get_data(as_text=True)
    main = html.split('<main id="main"')[1].split("</main>")[0].split('<script type="application/json"')[0]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))
    sentences = ". ".join(s.strip() for s in re.split(r"(?<=[?.!])\s", text) if len(s.split()) > 2)
    assert textstat.flesch_kincaid_grade(sentences) <= 8


def test_wound_and_adherence_charts_draw_one_mark_per_entry():
    from datetime import date, datetime

    morning, evening = datetime(2026, 1, 2, 9, 0), datetime(2026, 1, 2, 19, 0)
    svg = charts.level_chart("w", "Wound signs", [("Redness", [(morning, 1), (evening, 0)]), ("Leaking", [])],
                             start=date(2026, 1, 1), end=date(2026, 1, 7), levels=3)
    xs = re.findall(r'<rect x="([\d.]+)"', svg)
    assert len(xs) == 2 and float(xs[0]) < float(xs[1])  # morning and evening sit apart
    assert "Redness" in svg and "Leaking" in svg and "style" not in svg
    strip = charts.adherence_chart("a", "Check-ins", [(date(2026, 1, d), d % 2 == 0) for d in range(1, 31)])
    assert strip.count("<rect") == 30 and strip.count('fill="#0b5c4a"') == 15
