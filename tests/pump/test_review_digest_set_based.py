"""The daily review digest reads only the rows SQL narrows down (pump.review): on a varied data set its items equal
the per-row computation over the whole calendar, in several time zones and on many days; and a sweep run twice
enqueues nothing new."""
import random
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from sqlalchemy import func, select

from companion import clock
from companion.extensions import db
from companion.notify.models import Notification
from companion.pump import jobs, queries
from companion.pump.models import Appointment, PumpDoseSettings, PumpProfile, RefillRecord, Regimen
from companion.pump.reminders import REVIEW_WINDOW_DAYS, clinic_review_items, refill_reminder_times, reminder_key
from companion.pump.review import clinics_with_refill_due, review_rows

START = date(2027, 1, 10)
MODELS = ["synchromed_ii_20", "synchromed_ii_40", "prometra_ii_20", "prometra_ii_40", "other"]


def _maybe(rng: random.Random, p: float, value):
    """value with probability p, else None."""
    return value if rng.random() < p else None


def _patient(factory, clinic, staff, rng: random.Random) -> None:
    """One patient with a random mix of pump, records (confirmed, pending, ties) and visits near the test days."""
    patient = factory.patient(clinic, with_account=rng.random() < 0.5,
                              implanted_on=_maybe(rng, 0.7, START - timedelta(days=rng.randint(0, 3300))))
    if rng.random() < 0.8:
        implanted = _maybe(rng, 0.8, START - timedelta(days=rng.choice([rng.randint(0, 3300), 5 * 365 - 180,
                                                                      7 * 365 - 183, 4 * 365 + 1])))
        indicator = (implanted + timedelta(days=rng.randint(0, 3000))
                     if implanted and rng.random() < 0.25 else None)
        db.session.add(PumpProfile(patient_id=patient.id, model=rng.choice(MODELS), reservoir_ml=Decimal(20),
                                   implanted_on=implanted, replacement_indicator_on=indicator))
    regimen = Regimen(patient_id=patient.id, created_by_id=staff.id)
    db.session.add(regimen)
    db.session.flush()
    records = []
    for _ in range(rng.choice([0, 1, 1, 2, 3])):
        performed = datetime.combine(START - timedelta(days=rng.randint(0, 120)), time(rng.choice([0, 14, 23])),
                                     timezone.utc)
        due = _maybe(rng, 0.9, START + timedelta(days=rng.randint(-20, 120)))
        record = RefillRecord(patient_id=patient.id, clinic_id=clinic.id, performed_at=performed,
                              filled_on=performed.date(), fill_volume_ml=Decimal(20), alarm_volume_ml=Decimal(2),
                              regimen_id=regimen.id, first_clinician_id=staff.id, due_on=due, alarm_on=due,
                              status=rng.choice(["confirmed", "confirmed", "pending_confirmation"]))
        if records and rng.random() < 0.3:
            record.performed_at = records[-1].performed_at  # a tie: the larger id is the current one
        records.append(record)
    db.session.add_all(records)
    db.session.flush()
    for _ in range(rng.choice([0, 1, 1, 2])):
        starts = datetime.combine(START + timedelta(days=rng.randint(-3, 130)), time(rng.randint(0, 23)),
                                  timezone.utc)
        db.session.add(Appointment(
            patient_id=patient.id, clinic_id=clinic.id, starts_at=starts, booked_by_id=staff.id,
            cancelled_at=_maybe(rng, 0.15, starts), attended_refill_id=records[0].id if records and rng.random() < 0.1
            else None))


def _clinics(world, factory):
    """Four clinics, two of them in New York and two in zones far apart (two with their own Prometra battery life),
    50 varied patients each."""
    rng = random.Random(18)
    clinics = [world.clinic1, factory.clinic(timezone="America/New_York"),
               factory.clinic(timezone="Pacific/Kiritimati"), factory.clinic(timezone="Pacific/Pago_Pago")]
    db.session.add_all([PumpDoseSettings(clinic_id=clinics[1].id, prometra_battery_years=4),
                        PumpDoseSettings(clinic_id=clinics[2].id, prometra_battery_years=6)])
    for clinic in clinics:
        for _ in range(50):
            _patient(factory, clinic, world.nurse1, rng)
    small = factory.clinic(timezone="America/New_York")  # few patients: on some days nothing is surely due
    for _ in range(4):
        _patient(factory, small, world.nurse1, rng)
    quiet = factory.clinic(timezone="Asia/Tokyo")  # nothing to review for its first weeks
    patient = factory.patient(quiet, with_account=False)
    db.session.add(PumpProfile(patient_id=patient.id, model="synchromed_ii_40", reservoir_ml=Decimal(40),
                               implanted_on=START))
    regimen = Regimen(patient_id=patient.id, created_by_id=world.nurse1.id)
    db.session.add(regimen)
    db.session.flush()
    db.session.add(RefillRecord(patient_id=patient.id, clinic_id=quiet.id, status="confirmed", regimen_id=regimen.id,
                                performed_at=datetime.combine(START, time(3), timezone.utc), filled_on=START,
                                fill_volume_ml=Decimal(40), alarm_volume_ml=Decimal(2),
                                first_clinician_id=world.nurse1.id, due_on=START + timedelta(days=90)))
    db.session.commit()
    return clinics + [small, quiet]


def test_the_narrowed_rows_give_the_same_items_as_the_whole_calendar(world, factory):
    clinics = _clinics(world, factory)
    compared = kinds = 0
    seen: set[str] = set()
    decided_by_rows = {True: 0, False: 0}
    for hours in range(0, 24 * 130, 47):  # every hour of the day comes round, over four months
        now = datetime.combine(START, time(0), timezone.utc) + timedelta(hours=hours)
        clock.freeze(now)
        narrowed = review_rows(clinics, now, REVIEW_WINDOW_DAYS)
        sure = clinics_with_refill_due(clinics, now, REVIEW_WINDOW_DAYS)
        for clinic in clinics:
            today = queries.local_date(clinic, now)
            whole = clinic_review_items(today, queries.calendar_rows(clinic.id, now))
            assert clinic.id not in sure or any(item.kind in ("refill_overdue", "no_appointment") for item in whole)
            if clinic.id not in sure:
                decided_by_rows[bool(whole)] += 1
            assert clinic_review_items(today, narrowed[clinic.id]) == whole, (clinic.timezone, now)
            assert len(narrowed[clinic.id]) <= len(queries.calendar_rows(clinic.id, now))
            compared += 1
            kinds += len(whole)
            seen |= {item.kind for item in whole}
    assert compared > 180 and kinds > 600 and min(decided_by_rows.values()) > 3, decided_by_rows
    assert seen == {"refill_overdue", "appointment_after_due", "no_appointment", "battery_replacement"}


def test_the_narrowing_leaves_out_patients_with_nothing_to_review(world, factory):
    clinic = _clinics(world, factory)[0]
    now = datetime.combine(START, time(12), timezone.utc)
    rows = review_rows([clinic], now, REVIEW_WINDOW_DAYS)[clinic.id]
    calendar = queries.calendar_rows(clinic.id, now)
    assert 0 < len(rows) < len(calendar) * 0.9  # the point of the rewrite: not the whole clinic every day


def _outbox() -> int:
    return db.session.scalar(select(func.count()).select_from(Notification))


def test_each_sweep_of_the_day_run_twice_enqueues_nothing_new(world, factory):
    clinics = _clinics(world, factory)
    for clinic in clinics:
        factory.user("nurse", clinic)
    for at in (time(0, 5), time(9, 5), time(14, 5), time(20, 5)):
        now = datetime.combine(START + timedelta(days=3), at, timezone.utc)
        clock.freeze(now)
        jobs.send_refill_reminders(now)
        first = _outbox()
        jobs.send_refill_reminders(now)
        jobs.send_refill_reminders(now + timedelta(minutes=5))
        assert _outbox() == first, at
    digests = db.session.scalars(select(Notification.dedupe_key).where(Notification.kind == "refill_review")).all()
    assert len(digests) == len(set(digests)) >= 3  # once per clinician and clinic-local day
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind == "refill_reminder")) > 0


def test_the_edges_of_the_no_visit_window_and_of_a_late_visit(world, factory):
    clinic, now = world.clinic1, datetime.combine(START, time(12), timezone.utc)  # 07:00 in New York
    zone, n = queries.clinic_zone(clinic), REVIEW_WINDOW_DAYS
    regimen = Regimen(patient_id=world.patient_a.id, created_by_id=world.nurse1.id)
    db.session.add(regimen)
    db.session.flush()
    cases = [(n, None), (n + 1, None), (n + 1, n + 2), (n + 1, n + 1), (n + 5, n + 6), (0, 1), (-1, None)]
    for due_in, visit_in in cases:  # due in days; the visit at 00:30 clinic time on its day
        patient = factory.patient(clinic, with_account=False)
        db.session.add(RefillRecord(patient_id=patient.id, clinic_id=clinic.id, performed_at=now - timedelta(days=9),
                                    filled_on=START, fill_volume_ml=Decimal(20), alarm_volume_ml=Decimal(2),
                                    regimen_id=regimen.id, first_clinician_id=world.nurse1.id, status="confirmed",
                                    due_on=START + timedelta(days=due_in)))
        if visit_in is not None:
            starts = datetime.combine(START + timedelta(days=visit_in), time(0, 30), zone).astimezone(timezone.utc)
            db.session.add(Appointment(patient_id=patient.id, clinic_id=clinic.id, starts_at=starts,
                                       booked_by_id=world.nurse1.id))
    db.session.commit()
    whole = clinic_review_items(START, queries.calendar_rows(clinic.id, now))
    assert [item.kind for item in whole] == ["refill_overdue", "appointment_after_due", "appointment_after_due",
                                             "appointment_after_due", "no_appointment"]
    assert clinic_review_items(START, review_rows([clinic], now, n)[clinic.id]) == whole


def _per_visit(clinic, now) -> set[tuple]:
    """The refill reminders due at `now`, worked out visit by visit (no grouping, no cache): the reference."""
    due = set()
    for visit in db.session.scalars(select(Appointment).where(
            Appointment.clinic_id == clinic.id, Appointment.cancelled_at.is_(None),
            Appointment.attended_refill_id.is_(None))):
        on = queries.local_date(clinic, visit.starts_at)
        for offset, at in refill_reminder_times(on, jobs.clinic_offsets(clinic), tz=clinic.timezone,
                                                not_before=now - jobs.GRACE):
            if at <= now and visit.patient.user_id:
                due.add((visit.patient_id, visit.patient.user_id, reminder_key(visit.patient_id, "refill", on, offset,
                                                                                "all")))
    return due


def test_clinics_read_together_get_the_reminders_each_visit_gives(world, factory):
    clinics = _clinics(world, factory)
    clinics[1].reminder_offsets = "10,3,0"  # same zone as clinic 1, other days: read apart
    db.session.commit()
    found = 0
    for hours in range(0, 24 * 130, 53):
        now = datetime.combine(START, time(0), timezone.utc) + timedelta(hours=hours)
        for group in ([clinics[0], clinics[4]], [clinics[1]], [clinics[2]], [clinics[3]], [clinics[5]]):
            together = {(r["patient_id"], r["user_id"], r["dedupe_key"]) for r in jobs.due_reminders_for(group, now)
                        if r["dedupe_key"].split(":")[1] == "refill"}
            assert together == set().union(*(_per_visit(clinic, now) for clinic in group)), now
            found += len(together)
    assert found > 20


def test_the_digest_uses_each_clinics_own_no_visit_window_as_its_calendar_does(world, factory):
    """A refill due in 20 days with no visit booked: news in a clinic flagging 45 days ahead, not in one flagging 10."""
    now = datetime.combine(START, time(12), timezone.utc)
    clock.freeze(now)
    near, default = factory.clinic(timezone="America/New_York"), factory.clinic(timezone="America/New_York")
    db.session.add(PumpDoseSettings(clinic_id=near.id, no_visit_flag_days=10))
    for clinic in (near, default):
        factory.user("nurse", clinic)
        patient = factory.patient(clinic, with_account=False)
        regimen = Regimen(patient_id=patient.id, created_by_id=world.nurse1.id)
        db.session.add(regimen)
        db.session.flush()
        db.session.add(RefillRecord(patient_id=patient.id, clinic_id=clinic.id, performed_at=now - timedelta(days=60),
                                    filled_on=START, fill_volume_ml=Decimal(20), alarm_volume_ml=Decimal(2),
                                    regimen_id=regimen.id, first_clinician_id=world.nurse1.id, status="confirmed",
                                    due_on=START + timedelta(days=20)))
    db.session.commit()
    jobs.review_digests([near, default], now)
    digested = {key.split(":")[0] for key in db.session.scalars(
        select(Notification.dedupe_key).where(Notification.kind == "refill_review"))}
    assert digested == {f"clinic{default.id}"}
    for clinic, expected in ((near, []), (default, ["no_appointment"])):  # what each calendar page shows
        items = clinic_review_items(START, queries.calendar_rows(clinic.id, now), queries.no_visit_days(clinic.id))
        assert [item.kind for item in items] == expected
