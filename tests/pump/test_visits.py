"""Refill visits: cancelling with its reminders, the early-refill prompt, the clinic's no-visit window, the battery
window of a model the maker gives no figure for."""
from datetime import date, datetime, timedelta, timezone

from companion.extensions import db
from companion.notify.models import Notification
from companion.pump import queries, services
from companion.pump.models import Appointment
from tests.conftest import FIXED_NOW, HX, login
from tests.pump.conftest import confirm, record


def url(world, tail=""):
    return f"/care/patients/{world.patient_a.id}/pump{tail}"


def test_cancelling_a_visit_stops_and_clears_its_reminders(client, pumped):
    from companion.pump.jobs import due_reminders

    visit = services.book_appointment(pumped.nurse1, pumped.patient_a, FIXED_NOW + timedelta(days=2, hours=3))
    sent = due_reminders(pumped.clinic1, FIXED_NOW)  # the 2-days-before reminder (09:00 clinic time) is due
    assert sent
    for reminder in sent:
        from companion.notify.services import enqueue

        enqueue(kind="refill_reminder", channels=("in_app",), **reminder)
    db.session.commit()
    login(client, pumped.nurse1)
    page = client.post(url(pumped, f"/appointment/{visit.id}/cancel"), headers=HX)
    assert page.status_code == 200 and "Visit cancelled" in page.get_data(as_text=True)
    assert db.session.get(Appointment, visit.id).cancelled_at is not None
    assert due_reminders(pumped.clinic1, FIXED_NOW) == []
    assert due_reminders(pumped.clinic1, FIXED_NOW + timedelta(days=1)) == []
    unread = db.session.query(Notification).filter_by(kind="refill_reminder", read_at=None).count()
    assert unread == 0
    again = client.post(url(pumped, f"/appointment/{visit.id}/cancel"), headers=HX)
    assert again.status_code == 422 and "already cancelled" in again.get_data(as_text=True)


def test_another_clinics_visit_cannot_be_cancelled(client, pumped, world):
    visit = services.book_appointment(pumped.nurse1, pumped.patient_a, FIXED_NOW + timedelta(days=2))
    login(client, world.nurse2)
    response = client.post(f"/care/patients/{world.patient_c2.id}/pump/appointment/{visit.id}/cancel", headers=HX)
    assert response.status_code == 404
    assert db.session.get(Appointment, visit.id).cancelled_at is None


def test_an_early_refill_offers_to_move_or_cancel_the_next_visit(client, pumped):
    """A visit booked for 30 December; the refill is done early on 23 November: the page offers to move or cancel."""
    visit = services.book_appointment(pumped.nurse1, pumped.patient_a, datetime(2026, 12, 30, 15, tzinfo=timezone.utc))
    visit.created_at = FIXED_NOW - timedelta(days=40)  # booked at the previous refill
    db.session.commit()
    confirm(pumped, record(pumped))
    login(client, pumped.nurse1)
    page = client.get(url(pumped), headers=HX).get_data(as_text=True)
    assert "which came early" in page and "Cancel visit and its reminders" in page


def test_a_visit_booked_after_the_refill_is_not_called_early(client, pumped):
    confirm(pumped, record(pumped))
    services.book_appointment(pumped.nurse1, pumped.patient_a, datetime(2027, 1, 15, 15, tzinfo=timezone.utc))
    login(client, pumped.nurse1)
    assert "which came early" not in client.get(url(pumped), headers=HX).get_data(as_text=True)


def test_the_calendar_uses_the_clinics_no_visit_window(client, pumped):
    """Due 22 January 2027 (61 days after 22 November): flagged with a 61-day window, not with the default 45."""
    confirm(pumped, record(pumped))  # 20 mL, 2 mL alarm, 0.2 mL/day: due 22 January 2027
    login(client, pumped.nurse1)
    assert "Due, no visit" not in client.get("/care/refills").get_data(as_text=True)
    services.save_dose_settings(pumped.physician1, change_percent_limit=None, ceilings=[], no_visit_flag_days=61)
    assert "Due, no visit" in client.get("/care/refills").get_data(as_text=True)


def test_prometra_battery_window_comes_from_the_clinic_setting(client, pumped):
    """Prometra: the maker gives no battery figure; the clinic's 8 years gives 2020-03-01 to 2028-03-01."""
    services.save_profile(pumped.nurse1, pumped.patient_a, model="prometra_ii_20", reservoir_ml=None,
                          implanted_on=date(2020, 3, 1), opioid_tolerant=True)
    assert queries.battery_window(pumped.patient_a) is None
    services.save_dose_settings(pumped.physician1, change_percent_limit=None, ceilings=[], prometra_battery_years=8)
    assert queries.battery_window(pumped.patient_a) == (date(2028, 3, 1), date(2028, 3, 1))
    confirm(pumped, record(pumped))
    login(client, pumped.nurse1)
    assert "1 Mar 2028" in client.get("/care/refills").get_data(as_text=True)


def test_the_battery_row_shows_the_whole_window(client, pumped):
    """SynchroMed II 5-7 years from 1 March 2020: 1 March 2025 - 1 March 2027 [S10]."""
    services.save_profile(pumped.nurse1, pumped.patient_a, model="synchromed_ii_20", reservoir_ml=None,
                          implanted_on=date(2020, 3, 1), opioid_tolerant=True)
    confirm(pumped, record(pumped))
    login(client, pumped.nurse1)
    page = client.get("/care/refills").get_data(as_text=True)
    assert "1 Mar 2025 – 1 Mar 2027" in page
