"""Pump pages: staff record (refill, blind double check, visit), calendar, patient /pump, access and audit."""
import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal as D

import pytest
import textstat
from icalendar import Calendar
from sqlalchemy import select

from companion.audit.models import AuditEvent
from companion.extensions import db
from companion.pump import queries, services
from companion.pump.models import RefillRecord
from tests.conftest import HX, login
from tests.pump.conftest import confirm, record

REFILL = {"kind": "refill", "filled_on": "2026-11-23", "expected_residual_ml": "2.0", "withdrawn_ml": "1.9",
          "fill_volume_ml": "20", "alarm_volume_ml": "2", "stability_days": "60", "mode": "simple_continuous",
          "drugs-0-name": "Morphine", "drugs-0-concentration": "10", "drugs-0-daily_dose": "2", "drugs-0-unit": "mg",
          "drugs-1-unit": "mg", "drugs-2-unit": "mg"}

BLIND = {"check_bolus_dose": "0", "check_boluses_per_day": "0", "check_fill_volume_ml": "20",
         "check_alarm_volume_ml": "2"}


def audited(action, patient_id=None):
    stmt = select(AuditEvent).where(AuditEvent.action == action)
    if patient_id:
        stmt = stmt.where(AuditEvent.patient_id == patient_id)
    return list(db.session.scalars(stmt))


def url(world, tail=""):
    return f"/care/patients/{world.patient_a.id}/pump{tail}"


def test_staff_page_and_partial_are_audited(client, pumped):
    login(client, pumped.nurse1)
    page = client.get(url(pumped))
    assert page.status_code == 200 and "<html" in page.get_data(as_text=True)
    partial = client.get(url(pumped), headers=HX).get_data(as_text=True)
    assert "<html" not in partial and 'id="pump-record"' in partial and "Record a refill" in partial
    assert len(audited("pump_record_viewed", pumped.patient_a.id)) == 2


def test_nurse_records_and_doctor_confirms_through_the_pages(app, pumped):
    nurse, doctor = app.test_client(), app.test_client()
    login(nurse, pumped.nurse1)
    login(doctor, pumped.physician1)
    response = nurse.post(url(pumped, "/refills"), data=REFILL, headers=HX)
    assert response.status_code == 200 and "second clinician must now confirm" in response.get_data(as_text=True)
    refill = db.session.scalar(select(RefillRecord))
    # The nurse cannot confirm her own entry: no form for her, and the route refuses.
    assert f"confirm-form-{refill.id}" not in response.get_data(as_text=True)
    own = nurse.post(url(pumped, f"/refills/{refill.id}/confirm"), headers=HX, data=dict(
        BLIND, **{"entries-0-concentration": "10", "entries-0-daily_dose": "2"}))
    assert own.status_code == 422 and "different nurse or doctor" in own.get_data(as_text=True)
    # The doctor sees the form but not the first entry's numbers.
    page = doctor.get(url(pumped), headers=HX).get_data(as_text=True)
    assert f"confirm-form-{refill.id}" in page and "hidden until checked" in page
    assert "10 mg/mL, 2 mg/day" not in page
    wrong = doctor.post(url(pumped, f"/refills/{refill.id}/confirm"), headers=HX, data=dict(
        BLIND, **{"entries-0-concentration": "10", "entries-0-daily_dose": "20"}))
    text = wrong.get_data(as_text=True)
    assert wrong.status_code == 422 and "does not match on daily dose" in text and "Nothing was saved" in text
    db.session.expire_all()
    assert db.session.get(RefillRecord, refill.id).status == "pending_confirmation"
    right = doctor.post(url(pumped, f"/refills/{refill.id}/confirm"), headers=HX, data=dict(
        BLIND, **{"entries-0-concentration": "10.0", "entries-0-daily_dose": "2"}))
    assert right.status_code == 200 and "Refill confirmed" in right.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(RefillRecord, refill.id).due_on == date(2027, 1, 22)
    assert audited("pump_refill_confirmed", pumped.patient_a.id)


def test_refill_form_errors_come_back_422_with_values_kept(client, pumped):
    login(client, pumped.nurse1)
    data = dict(REFILL, **{"drugs-0-daily_dose": "", "fill_volume_ml": "18.5"})
    response = client.post(url(pumped, "/refills"), data=data, headers=HX)
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and 'aria-invalid="true"' in text and "error-summary" in text
    assert 'value="18.5"' in text and 'value="Morphine"' in text
    assert re.search(r'id="drugs-0-daily_dose"[^>]*aria-describedby="drugs-0-daily_dose-error"', text) or \
        re.search(r'aria-describedby="drugs-0-daily_dose-error"[^>]*id="drugs-0-daily_dose"', text)
    assert db.session.scalar(select(RefillRecord.id)) is None


def test_unanswered_dose_checks_are_listed_and_the_reason_is_required(client, pumped):
    confirm(pumped, record(pumped))
    login(client, pumped.nurse1)
    data = dict(REFILL, **{"drugs-0-daily_dose": "3"})
    response = client.post(url(pumped, "/refills"), data=data, headers=HX)
    assert response.status_code == 422 and "write a reason" in response.get_data(as_text=True)
    assert len(queries.refill_history(pumped.patient_a)) == 1
    data["change_reason"] = "Pain up for two weeks."
    # +50 % with no clinic limit is above the suggested 20 % step: an override too (a one-letter note is refused).
    refused = client.post(url(pumped, "/refills"), data=dict(data, override_reason="tolerance", override_note="y"),
                          headers=HX)
    assert refused.status_code == 422 and "rises by 50.0%" in refused.get_data(as_text=True)
    assert "unverified suggestion" in refused.get_data(as_text=True)
    data.update(override_reason="tolerance", override_note="Pain 7/10 for two weeks; agreed with Dr B.")
    assert client.post(url(pumped, "/refills"), data=data, headers=HX).status_code == 200
    assert len(queries.refill_history(pumped.patient_a)) == 2


def test_overfill_is_refused_beside_the_field(client, pumped):
    login(client, pumped.nurse1)
    response = client.post(url(pumped, "/refills"), data=dict(REFILL, fill_volume_ml="25"), headers=HX)
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and "Do not overfill" in text and 'id="fill_volume_ml-error"' in text


def test_gap_flag_shows_in_the_history(client, pumped):
    login(client, pumped.nurse1)
    client.post(url(pumped, "/refills"), data=dict(REFILL, withdrawn_ml="0.5"), headers=HX)
    assert "gap: follow up" in client.get(url(pumped), headers=HX).get_data(as_text=True)


def test_profile_booking_and_medicines_from_the_page(client, pumped):
    login(client, pumped.physician1)
    saved = client.post(url(pumped, "/profile"), headers=HX, data={"model": "other", "reservoir_ml": "",
                                                                    "other_model_name": "Old pump"})
    assert saved.status_code == 422 and "reservoir size" in saved.get_data(as_text=True)
    confirm(pumped, record(pumped))  # due 22 January 2027
    late = client.post(url(pumped, "/appointment"), headers=HX,
                       data={"starts_on": "2027-01-25", "starts_time": "10:00", "minutes": "30"})
    assert late.status_code == 200 and "After the due date" in late.get_data(as_text=True)
    added = client.post(url(pumped, "/medicines"), headers=HX, data={"name": "Pregabalin", "medicine_class": "gabapentinoid"})
    assert "Sedating medicines" in added.get_data(as_text=True)
    assert audited("pump_appointment_booked") and audited("pump_medicine_added")


def test_a_visit_date_far_away_is_refused_beside_the_field(client, pumped):
    login(client, pumped.nurse1)
    for far in ("9999-12-31", "0001-01-01", "2030-01-01"):  # found by the hypothesis suite: a 500 before
        answer = client.post(url(pumped, "/appointment"), headers=HX,
                             data={"starts_on": far, "starts_time": "19:00", "minutes": "5"})
        assert answer.status_code == 422 and "within the next two years" in answer.get_data(as_text=True), far
        assert f'value="{far}"' in answer.get_data(as_text=True)  # the value is kept


def test_refill_calendar_shows_what_needs_action(client, pumped, world):
    confirm(pumped, record(pumped, stability=10))  # due 3 December, nothing booked
    login(client, world.nurse1)
    page = client.get("/care/refills").get_data(as_text=True)
    assert "Due, no visit" in page and world.patient_a.family_name in page
    services.book_appointment(world.nurse1, world.patient_a, datetime(2026, 12, 7, 15, tzinfo=timezone.utc))
    page = client.get("/care/refills?week=2026-12-07").get_data(as_text=True)
    assert "Visit after due date" in page and "pump-event-visit is-late" in page
    assert "<html" not in client.get("/care/refills", headers=HX).get_data(as_text=True)
    assert audited("pump_refill_calendar_viewed")
    login(client, world.nurse2)
    assert world.patient_a.family_name not in client.get("/care/refills").get_data(as_text=True)


@pytest.mark.parametrize("who,status", [("nurse2", 404), ("patient_a_user", 403), ("caregiver", 403),
                                        ("admin1", 403)])
def test_staff_pump_pages_refuse_the_wrong_people(client, pumped, who, status):
    login(client, getattr(pumped, who))
    assert client.get(url(pumped)).status_code == status
    assert client.post(url(pumped, "/refills"), data=REFILL).status_code == status
    assert db.session.scalar(select(RefillRecord.id)) is None


def test_a_refill_of_another_clinic_cannot_be_confirmed(client, pumped, world):
    refill = record(pumped)
    login(client, world.nurse2)
    response = client.post(f"/care/patients/{world.patient_c2.id}/pump/refills/{refill.id}/confirm",
                           data={"entries-0-concentration": "10", "entries-0-daily_dose": "2"})
    assert response.status_code == 404


def test_anonymous_is_sent_to_sign_in(client, pumped):
    for path in ("/pump", "/pump/card.pdf", "/care/refills", url(pumped)):
        assert "/login" in client.get(path).headers["Location"]


def _pumped_with_visit(world):
    confirm(world, record(world))
    services.book_appointment(world.nurse1, world.patient_a, datetime(2027, 1, 20, 15, tzinfo=timezone.utc))


def test_patient_pump_page(client, pumped):
    _pumped_with_visit(pumped)
    login(client, pumped.patient_a_user)
    text = client.get("/pump").get_data(as_text=True)
    assert "Friday 22 January 2027" in text and "That is in 60 days." in text
    assert "SynchroMed II 20 mL" in text and "Show this card to any doctor or the emergency department." in text
    assert "/checkin?pump_alarm=1" in text and 'data-pump-tone="two"' in text
    assert "Strength: 10 mg/mL" in text and "Daily dose: 2 mg/day" in text
    assert pumped.clinic1.out_of_hours_phone in text and "js/pump.js" in text
    assert "<html" not in client.get("/pump", headers=HX).get_data(as_text=True)


def test_patient_is_told_to_call_when_the_visit_is_late(client, pumped):
    confirm(pumped, record(pumped))
    services.book_appointment(pumped.nurse1, pumped.patient_a, datetime(2027, 2, 1, 15, tzinfo=timezone.utc))
    login(client, pumped.patient_a_user)
    assert "Please call your clinic to get an earlier visit." in client.get("/pump").get_data(as_text=True)


def test_calendar_file_parses(client, pumped):
    _pumped_with_visit(pumped)
    login(client, pumped.patient_a_user)
    response = client.get("/pump/appointment.ics")
    assert response.mimetype == "text/calendar"
    [event] = Calendar.from_ical(response.data).walk("VEVENT")
    assert event.decoded("dtstart") == datetime(2027, 1, 20, 15, tzinfo=timezone.utc)
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=30)
    assert "morphine" not in response.get_data(as_text=True).lower()


def test_wallet_card_pdf(client, pumped):
    _pumped_with_visit(pumped)
    login(client, pumped.caregiver)
    response = client.get("/pump/card.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    from pypdf import PdfReader  # noqa: PLC0415 - only this test reads PDFs
    import io

    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 2 and round(float(reader.pages[0].mediabox.width) / 72 * 25.4, 1) == 85.6
    assert "Morphine 10 mg/mL, 2 mg/day" in reader.pages[0].extract_text()


def test_no_card_or_visit_gives_404_files(client, world):
    login(client, world.patient_b_user)
    assert client.get("/pump").status_code == 200
    assert client.get("/pump/card.pdf").status_code == 404
    assert client.get("/pump/appointment.ics").status_code == 404


def test_offline_card_page_is_the_card_only(client, pumped):
    _pumped_with_visit(pumped)
    login(client, pumped.patient_a_user)
    text = client.get("/pump/card/offline").get_data(as_text=True)
    assert "SynchroMed II 20 mL" in text and "top-nav" not in text and "Record a refill" not in text


def test_unlinked_caregiver_and_other_patient_see_nothing_of_a(client, pumped, world):
    _pumped_with_visit(pumped)
    login(client, world.unlinked_caregiver)
    assert client.get("/pump").status_code == 404
    login(client, world.patient_b_user)
    assert world.patient_a.given_name not in client.get("/pump").get_data(as_text=True)


def test_mri_form_422_keeps_values_then_saves(client, pumped):
    login(client, pumped.patient_a_user)
    bad = client.post("/pump/procedures", headers=HX, data={"planned_on": "2026-11-30", "details": "City MRI"})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "Choose one." in text and "City MRI" in text and 'value="2026-11-30"' in text
    good = client.post("/pump/procedures", headers=HX, data={"kind": "mri", "planned_on": "2026-11-30"})
    assert good.status_code == 200 and "Your clinic has been told" in good.get_data(as_text=True)
    assert audited("pump_procedure_reported", pumped.patient_a.id)[0].detail["kind"] == "mri"


def test_caregiver_turns_reminders_on_and_off(client, pumped):
    login(client, pumped.caregiver)
    on = client.post("/pump/reminders", data={"on": "1"}, headers=HX).get_data(as_text=True)
    assert "Stop my reminders" in on and queries.caregiver_opted_in(pumped.patient_a, pumped.caregiver.id)
    client.post("/pump/reminders", data={"on": "0"}, headers=HX)
    assert not queries.caregiver_opted_in(pumped.patient_a, pumped.caregiver.id)
    login(client, pumped.patient_a_user)
    assert client.post("/pump/reminders", data={"on": "1"}).status_code == 403


def test_dose_settings_page(client, world):
    login(client, world.physician1)
    data = {"change_percent_limit": "25", "ceilings-0-drug": "Infumorph", "ceilings-0-max_daily_dose": "15",
            "ceilings-0-unit": "mg"}
    assert client.post("/care/pump-settings", data=data, headers=HX).status_code == 200
    settings = queries.dose_settings(world.clinic1.id)
    assert settings.change_percent_limit == D(25) and settings.ceilings["morphine"][0] == D(15)
    login(client, world.nurse1)
    assert client.get("/care/pump-settings").status_code == 403


def _visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    main = re.search(r"<main[^>]*>(.*)</main>", html, flags=re.S).group(1)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def test_patient_page_reads_at_grade_eight_or_below(client, pumped):
    _pumped_with_visit(pumped)
    login(client, pumped.patient_a_user)
    text = _visible_text(client.get("/pump").get_data(as_text=True))
    # Drug and device names and phone numbers are not words a reader must decode.
    for name in ("SynchroMed II", "Morphine", "gabapentin", "Clinic One"):
        text = text.replace(name, "pump")
    assert len(text.split()) > 300
    grade = textstat.flesch_kincaid_grade(text)
    assert grade <= 8, grade


def test_battery_replacement_within_six_months_is_a_review_item(client, world):
    # SynchroMed II: the pump stops 90 days after its replacement indicator (ERI) [S10].
    services.save_profile(world.nurse1, world.patient_b, model="synchromed_ii_40", reservoir_ml=None,
                          implanted_on=date(2020, 3, 1), replacement_indicator_on=date(2026, 11, 1))
    login(client, world.physician1)
    page = client.get("/care/refills").get_data(as_text=True)
    assert "Battery: plan replacement" in page and "30 Jan 2027" in page


def test_an_override_over_a_ceiling_through_the_form(client, pumped):
    """A listed reason and a sentence clear a ceiling; the override is in the history."""
    services.save_dose_settings(pumped.physician1, change_percent_limit=D(20), ceilings=[("Morphine", D(1), None, "mg")])
    login(client, pumped.nurse1)
    data = dict(REFILL, override_reason="previous_response", override_note="x")
    refused = client.post(url(pumped, "/refills"), data=data, headers=HX)
    assert refused.status_code == 422 and "above the clinic ceiling of 1 mg" in refused.get_data(as_text=True)
    data["override_note"] = "Same 2 mg/day as for two years; agreed with Dr B."
    saved = client.post(url(pumped, "/refills"), data=data, headers=HX)
    assert saved.status_code == 200, saved.get_data(as_text=True)[:3000]
    assert "Same 2 mg/day as for two years" in saved.get_data(as_text=True)
