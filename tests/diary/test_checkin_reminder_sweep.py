"""The check-in reminder sweep is set-based (a query per clinic time zone, one bulk insert): on a varied data set it
finds exactly whom the per-patient loop found, at every hour of the day in several zones; its statements do not grow
with the patients; a rerun enqueues nothing new."""
import random
import uuid
from datetime import datetime, time, timedelta, timezone

from sqlalchemy import func, select

from companion import clock
from companion.accounts.models import Patient
from companion.diary import queries, services
from companion.diary.models import CheckinReminderPreference, DiaryEntry
from companion.extensions import db
from companion.notify.models import Notification
from tests.statements import counted

START = datetime(2027, 3, 1, tzinfo=timezone.utc)


def _per_patient(now: datetime) -> set[tuple[int, int, object]]:
    """The sweep as it was: each switched-on preference, its patient and newest check-in read one by one."""
    due = set()
    prefs = select(CheckinReminderPreference).where(CheckinReminderPreference.enabled.is_(True))
    for pref in db.session.scalars(prefs):
        patient = db.session.get(Patient, pref.patient_id)
        if patient.user_id is None:
            continue
        local = now.astimezone(queries.zone(patient))
        last = queries.last_entry(patient, "checkin")
        if local.time() < pref.remind_at or (last and queries.local_date(patient, last.recorded_at) == local.date()):
            continue
        due.add((patient.id, patient.user_id, local.date()))
    return due


def _checkin(patient: Patient, at: datetime) -> DiaryEntry:
    return DiaryEntry(patient_id=patient.id, kind="checkin", reported_by_user_id=patient.user_id or 1,
                      reporter="patient", questionnaire_id="daily-checkin", questionnaire_version="1",
                      client_entry_id=str(uuid.uuid4()), recorded_at=at, received_at=at)


def _patients(world, factory, n: int, seed: int = 7) -> None:
    """n patients over clinics in three zones: reminders on or off at many times, check-ins around the test day
    (some from a phone whose clock runs a day ahead)."""
    rng = random.Random(seed)
    clinics = [world.clinic1, factory.clinic(timezone="Asia/Kolkata"), factory.clinic(timezone="Pacific/Honolulu")]
    for _ in range(n):
        patient = factory.patient(rng.choice(clinics), with_account=rng.random() < 0.9)
        if rng.random() < 0.85:
            db.session.add(CheckinReminderPreference(patient_id=patient.id, enabled=rng.random() < 0.85,
                                                     remind_at=time(rng.randint(0, 23), rng.choice([0, 30, 59]))))
        for _ in range(rng.choice([0, 1, 2, 3])):
            if patient.user_id:
                db.session.add(_checkin(patient, START + timedelta(minutes=rng.randint(-3 * 1440, 3 * 1440))))
    db.session.commit()


def test_the_set_based_sweep_finds_whom_the_per_patient_loop_found(world, factory):
    _patients(world, factory, 90)
    found = 0
    for minutes in range(-1440, 2 * 1440, 151):  # every hour of the day comes round, in each zone
        now = START + timedelta(minutes=minutes)
        expected = _per_patient(now)
        assert set(queries.due_checkin_reminders(now)) == expected, now
        assert len(queries.due_checkin_reminders(now)) == len(expected)  # nobody twice
        found += len(expected)
    assert found > 150


def _outbox() -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind == "checkin_reminder"))


def test_statements_do_not_grow_with_patients_and_a_rerun_adds_nothing(world, factory):
    now = START + timedelta(hours=23)  # late in the day in every zone but Kolkata's early morning
    clock.freeze(now)
    _patients(world, factory, 10, seed=1)
    with counted() as small:
        due_small = services.send_checkin_reminders(now)
    _patients(world, factory, 40, seed=2)
    with counted() as large:
        due_large = services.send_checkin_reminders(now)
    assert 0 < due_small < due_large and len(large) == len(small), (len(small), len(large))
    rows = _outbox()
    assert rows == 2 * (due_small + due_large)  # in-app and push; the first ten were not queued again
    assert services.send_checkin_reminders(now + timedelta(minutes=5)) == 0
    assert _outbox() == rows
