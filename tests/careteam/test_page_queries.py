"""Whole staff pages (view, template and audit write) run a fixed number of SQL statements as a clinic grows."""
from datetime import timedelta

import pytest
from sqlalchemy import event

from companion.clock import utcnow
from companion.extensions import db
from companion.pump import services as pump
from tests.careteam.conftest import URGENT, entry, open_case, refill
from tests.conftest import login


def _statements(client, path: str) -> int:
    """SQL statements one GET of `path` runs, from the view to the last byte of the template."""
    # One uncounted GET first: the test's own writes expire the shared session's objects (clinic, user),
    # which a real request would not have to reload.
    client.get(path)
    count = 0

    def counter(*_args, **_kwargs):
        nonlocal count
        count += 1

    event.listen(db.engine, "before_cursor_execute", counter)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", counter)
    return count


def _busy_patient(world, factory, n: int):
    """A pump patient with a refill, a sedating medicine, a check-in, a booked visit and an open case."""
    patient = factory.patient(world.clinic1, given=f"P{n}", implanted_on=utcnow().date() - timedelta(days=100))
    pump.save_profile(world.nurse1, patient, model="synchromed_ii_20", reservoir_ml=None, opioid_tolerant=True)
    refill(world, patient, 10 + n % 50)
    pump.add_medicine(world.nurse1, patient, name="Diazepam", medicine_class="benzodiazepine", reported_by="staff")
    pump.book_appointment(world.nurse1, patient, starts_at=utcnow() + timedelta(days=n % 9, hours=2))
    entry(patient, 1, pain_now=4)
    open_case(patient, 5, URGENT, 1000 + n)
    return patient


@pytest.mark.parametrize("path", ["/care", "/care/patients", "/care/refills"])
def test_clinic_pages_run_the_same_statements_for_5_and_60_patients(client, world, factory, path):
    for n in range(5):
        _busy_patient(world, factory, n)
    login(client, world.nurse1)
    five = _statements(client, path)
    for n in range(5, 60):  # past one page of 50, so paging is part of what is counted
        _busy_patient(world, factory, n)
    sixty = _statements(client, path)
    assert sixty == five, (path, five, sixty)


def test_patient_record_runs_the_same_statements_for_a_short_and_a_long_history(client, world, factory):
    patient = _busy_patient(world, factory, 0)
    path = f"/care/patients/{patient.id}"
    login(client, world.nurse1)
    short = _statements(client, path)
    for day in range(2, 120):
        entry(patient, day, pain_now=day % 10)
    for n in range(3):
        refill(world, patient, 30 + 30 * n)
        open_case(patient, 60 * (n + 1), URGENT, 5000 + n)
    long = _statements(client, path)
    assert long == short, (short, long)


def test_a_long_queue_is_paged_but_every_open_case_counts_for_the_new_case_cue(client, world, factory):
    for n in range(55):
        open_case(factory.patient(world.clinic1, given=f"Q{n:02d}"), 100 - n, URGENT, 2000 + n)
    login(client, world.nurse1)
    first = client.get("/care").get_data(as_text=True)
    assert first.count('class="card case-row case-urgent') == 50 and "Page 1 of 2" in first
    assert '<span class="badge">55</span>' in first
    ids = first.split('data-open-case-ids="')[1].split('"')[0].split(",")
    assert len(ids) == 55  # a new case on page 2 still sounds the cue on page 1
    second = client.get("/care?page=2").get_data(as_text=True)
    assert second.count('class="card case-row case-urgent') == 5 and "Page 2 of 2" in second
