"""/admin/audit: filters by person, record number, action and clinic-local days; names shown; paged; CSV audited."""
import csv
import io
from datetime import datetime, timedelta, timezone

import pytest

from companion.audit import services as audit
from companion.extensions import db
from tests.clinic.helpers import events
from tests.conftest import FIXED_NOW, HX, login


@pytest.fixture
def admin(client, world):
    login(client, world.admin1)
    return world.admin1


def add(action, user, at, patient=None, **detail):
    event = audit.record(action, user=user, patient_id=patient.id if patient else None, **detail)
    event.at = at
    db.session.commit()
    return event


def test_names_and_record_numbers_are_shown_and_other_clinics_never(client, admin, world):
    add("patient_record_viewed", world.nurse1, FIXED_NOW - timedelta(hours=1), world.patient_a)
    add("patient_record_viewed", world.nurse2, FIXED_NOW - timedelta(hours=1), world.patient_c2)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert world.nurse1.display_name in page and world.patient_a.record_number in page
    assert world.nurse2.display_name not in page and world.patient_c2.record_number not in page
    # Shown in the clinic's zone (New York, UTC-5 in November): 14:00 UTC is 09:00 there.
    assert "23 Nov 2026 09:00:00" in page


def test_filter_by_person_patient_and_action(client, admin, world):
    add("patient_record_viewed", world.nurse1, FIXED_NOW - timedelta(hours=2), world.patient_a)
    add("patient_record_viewed", world.physician1, FIXED_NOW - timedelta(hours=2), world.patient_b)
    add("case_acknowledged", world.nurse1, FIXED_NOW - timedelta(hours=2), world.patient_b)
    page = client.get(f"/admin/audit?user={world.nurse1.id}&patient={world.patient_b.record_number}"
                      "&action=case_acknowledged").get_data(as_text=True)
    assert "1 event" in page and "case_acknowledged</code>" in page and "patient_record_viewed</code>" not in page
    assert f'<option value="{world.nurse1.id}" selected>' in page and '<option value="case_acknowledged" selected>' in page
    page = client.get(f"/admin/audit?patient={world.patient_a.record_number}").get_data(as_text=True)
    assert "1 event" in page and world.nurse1.display_name in page


def test_date_range_is_in_the_clinic_time_zone(client, admin, world):
    # 04:30 UTC on 23 Nov is still 22 Nov in New York.
    add("late_evening", world.nurse1, datetime(2026, 11, 23, 4, 30, tzinfo=timezone.utc))
    add("next_morning", world.nurse1, datetime(2026, 11, 23, 14, 0, tzinfo=timezone.utc))
    page = client.get("/admin/audit?from=2026-11-22&to=2026-11-22").get_data(as_text=True)
    assert "late_evening" in page and "next_morning</code>" not in page
    page = client.get("/admin/audit?from=2026-11-23&to=2026-11-23").get_data(as_text=True)
    assert "next_morning</code>" in page and "late_evening</code>" not in page


@pytest.mark.parametrize("query,field,message", [
    ("patient=NOPE-1", "patient", "No patient of this clinic has that record number."),
    ("from=22/11/2026", "from", "Use a date like 2026-11-23."),
    ("from=2026-11-23&to=2026-11-01", "to", "The end date is before the start date."),
    ("user=999999", "user", "Choose a person from the list."),
])
def test_bad_filters_are_422_with_values_kept(client, admin, world, query, field, message):
    response = client.get(f"/admin/audit?{query}")
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and message in body and f'id="f-{field}-error"' in body
    assert 'aria-invalid="true"' in body
    if field == "patient":
        assert 'value="NOPE-1"' in body


def test_another_clinics_record_number_is_not_found(client, admin, world):
    response = client.get(f"/admin/audit?patient={world.patient_c2.record_number}")
    body = response.get_data(as_text=True)
    # refused exactly as an unknown number is: no hint that the other clinic has this patient
    assert response.status_code == 422 and "No patient of this clinic has that record number." in body
    assert 'id="f-patient-error"' in body and world.patient_c2.given_name not in body


def test_pages_of_fifty(client, admin, world):
    for n in range(60):
        add("bulk_event", world.nurse1, FIXED_NOW - timedelta(minutes=n + 1), n=n)
    first = client.get("/admin/audit?action=bulk_event").get_data(as_text=True)
    assert "60 events" in first and "Page 1 of 2" in first and first.count("bulk_event</code>") == 50
    assert "n: 0" in first and "n: 59" not in first
    second = client.get("/admin/audit?action=bulk_event&page=2").get_data(as_text=True)
    assert second.count("bulk_event</code>") == 10 and "n: 59" in second and 'rel="prev"' in second


def test_changes_show_before_and_after(client, admin, world):
    client.post("/admin/settings/contacts", headers=HX, data={
        "contacts-phone": "+1 555 000 1000", "contacts-out_of_hours_phone": "+1 555 777 8888",
        "contacts-emergency_number": "911"})
    page = client.get("/admin/audit?action=clinic_contacts_changed").get_data(as_text=True)
    assert "out_of_hours_phone: +1 555 000 1999 → +1 555 777 8888" in page and admin.display_name in page


def test_csv_export_uses_the_same_filters_and_is_audited(client, admin, world):
    add("patient_record_viewed", world.nurse1, FIXED_NOW - timedelta(hours=1), world.patient_a)
    add("patient_record_viewed", world.physician1, FIXED_NOW - timedelta(hours=1), world.patient_b)
    page = client.get(f"/admin/audit?user={world.nurse1.id}").get_data(as_text=True)
    assert f"/admin/audit/export.csv?user={world.nurse1.id}" in page
    response = client.get(f"/admin/audit/export.csv?user={world.nurse1.id}&action=patient_record_viewed")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert response.mimetype == "text/csv" and len(rows) == 1
    assert (rows[0]["user_name"], rows[0]["record_number"]) == (world.nurse1.display_name, world.patient_a.record_number)
    assert rows[0]["at_clinic_time"].endswith("-05:00")
    [export] = events("audit_exported")
    assert export.detail["rows"] == 1 and export.detail["filters"]["user"] == str(world.nurse1.id)
    assert export.user_id == admin.id


def test_results_partial_for_htmx(client, admin):
    body = client.get("/admin/audit", headers=HX).get_data(as_text=True)
    assert body.lstrip().startswith('<section id="audit-results"') and "<html" not in body


def test_viewing_the_log_is_audited_and_csv_cells_cannot_run_as_formulas(client, admin, world):
    world.nurse1.display_name = "=HYPERLINK(\"http://evil.example\")"
    db.session.commit()
    add("patient_record_viewed", world.nurse1, FIXED_NOW - timedelta(hours=1), world.patient_a, delta=-5)
    client.get(f"/admin/audit?patient={world.patient_a.record_number}")
    [viewed] = events("audit_viewed")
    assert viewed.user_id == admin.id and viewed.detail["patient_filter"] == world.patient_a.id
    rows = list(csv.DictReader(io.StringIO(client.get("/admin/audit/export.csv?action=patient_record_viewed")
                                           .get_data(as_text=True))))
    assert rows[0]["user_name"] == "'=HYPERLINK(\"http://evil.example\")"
