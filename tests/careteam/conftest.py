"""Care-team test builders: diary entries, confirmed refills and cases made through the real models and services."""
import uuid
from datetime import timedelta
from decimal import Decimal as D

import pytest

from companion.clock import utcnow
from companion.diary.models import DiaryEntry
from companion.extensions import db
from companion.roster import services as roster
from companion.pump import services as pump


def entry(patient, days_ago: float, kind: str = "checkin", **values) -> DiaryEntry:
    """A stored diary entry `days_ago` days before the frozen now, with typed trend values."""
    at = utcnow() - timedelta(days=days_ago)
    answers = {"pain_now": values["pain_now"], "anything_new": "no"} if "pain_now" in values else {}
    row = DiaryEntry(patient_id=patient.id, kind=kind, reported_by_user_id=patient.user_id, reporter="patient",
                     questionnaire_id="daily-checkin" if kind == "checkin" else "wound-check",
                     questionnaire_version="1", answers=answers, observations={}, client_entry_id=str(uuid.uuid4()),
                     recorded_at=at, received_at=at, **values)
    db.session.add(row)
    db.session.flush()
    if kind == "checkin":  # as diary.services does for the roster's summary row
        roster.checkin_recorded(patient.id, at)
    db.session.commit()
    return row


def refill(world, patient, days_ago: int, dose: str = "2", kind: str = "refill", stability: int = 60):
    """A refill recorded by nurse1 and confirmed by physician1, `days_ago` days back."""
    filled_on = utcnow().date() - timedelta(days=days_ago)
    record = pump.record_refill(world.nurse1, patient, kind=kind, filled_on=filled_on, fill_volume_ml=D("20"),
                                alarm_volume_ml=D("2"), drugs=[pump.DrugEntry("Morphine", D("10"), D(dose), "mg")],
                                expected_residual_ml=D("2"), withdrawn_ml=D("2"), stability_days=stability,
                                change_reason="Pain higher" if kind == "dose_change" else "",
                                reprogrammed_confirmed=kind == "dose_change")
    from tests.pump.conftest import volumes

    pump.confirm_refill(world.physician1, record, [(d.concentration, d.daily_dose) for d in record.regimen.drugs],
                        volumes=volumes(record))
    db.session.commit()
    return record


def open_case(patient, minutes_ago: int, observations: dict, source_id: int, context: dict | None = None):
    """A case opened by the escalation service `minutes_ago` minutes before now."""
    from companion.escalation import services

    result = services.assess(patient, observations=observations, context=context or {}, source_type="test",
                             source_id=source_id, reported_by_user=patient.user,
                             now=utcnow() - timedelta(minutes=minutes_ago))
    db.session.commit()
    return result.case_id


URGENT = {"pump_alarm": "two_tone"}
EMERGENCY = {"breaths_per_min": 8, "sleepiness": "alert"}


@pytest.fixture
def record_world(world):
    """Patient A: a pump, two refills (one a dose increase), check-ins, a temperature, a wound check, a sedating medicine."""
    pump.save_profile(world.nurse1, world.patient_a, model="synchromed_ii_20", reservoir_ml=None,
                      implanted_on=utcnow().date() - timedelta(days=400), opioid_tolerant=True)
    refill(world, world.patient_a, 50)
    refill(world, world.patient_a, 20, dose="2.2", kind="dose_change")
    for day in range(0, 28, 3):
        entry(world.patient_a, day + 0.2, pain_now=4 + day % 3)
    entry(world.patient_a, 1.5, pain_now=6, temperature_c=37.4)
    entry(world.patient_a, 2.5, kind="wound", wound_redness="edges_only")
    pump.add_medicine(world.nurse1, world.patient_a, name="Lorazepam 1 mg", medicine_class="benzodiazepine",
                      reported_by="staff")
    db.session.commit()
    return world
