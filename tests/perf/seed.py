"""Bulk data for the benchmarks: clinics of 1,000 patients, a year of daily check-ins each, refills,
appointments and some cases, written with PostgreSQL COPY (minutes, not hours)."""
import json
import random
import uuid
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from sqlalchemy import text

from companion.accounts.passwords import hash_password
from companion.extensions import db
from companion.roster import services as roster

PATIENTS_PER_CLINIC = 1000
PASSWORD = "bench-password-1"
SLEEPINESS = ["alert"] * 8 + ["slightly_drowsy"] * 2


def _fill(columns, row: dict) -> list:
    """The row in column order, with each column's own default where the row is silent."""
    out = []
    for column in columns:
        if column.name in row:
            value = row[column.name]
        elif column.default is not None and not (column.primary_key and column.autoincrement is True):
            arg = column.default.arg
            value = arg(None) if callable(arg) and getattr(column.default, "is_callable", False) else arg
        else:
            value = None
        if isinstance(value, (dict, list)):
            value = json.dumps(value)
        out.append(value)
    return out


def copy_rows(table_name: str, rows) -> int:
    """COPY rows (dicts) into a table; returns how many."""
    table = db.metadata.tables[table_name]
    if db.session.get_bind().dialect.name == "sqlite":  # the sweeps measured on the embedded default: plain inserts
        rows = list(rows)
        if rows:
            db.session.execute(table.insert(), rows)
        return len(rows)
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    # Without explicit ids the database's own sequence numbers the rows.
    columns = [c for c in table.columns if not (c.primary_key and c.name not in first)]
    names = ", ".join(f'"{c.name}"' for c in columns)
    raw = db.session.connection().connection.driver_connection
    n = 0
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table_name}" ({names}) FROM STDIN') as copy:
        for row in _chain(first, rows):
            copy.write_row(_fill(columns, row))
            n += 1
    return n


def _chain(first, rest):
    """The first row, then the rest."""
    yield first
    yield from rest


def _reset_sequences() -> None:
    """Explicit ids were copied: move every id sequence past them."""
    for table in db.metadata.sorted_tables:
        if "id" in table.columns and table.columns["id"].autoincrement in (True, "auto"):
            db.session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM \"{table.name}\"), 0) + 1, false)"))


def seed(clinics: int, *, first_clinic: int = 1, days: int = 365, today: date | None = None,
         with_diary: bool = True) -> dict:
    """Add `clinics` clinics of 1,000 patients each (ids derived from the clinic number)."""
    rng = random.Random(first_clinic)
    today = today or date.today()
    password_hash = hash_password(PASSWORD)
    now = datetime.now(timezone.utc)
    counts = {"patients": 0, "entries": 0}
    for c in range(first_clinic, first_clinic + clinics):
        base = c * 100_000
        copy_rows("clinic", [{"id": c, "name": f"Bench Clinic {c}", "phone": "+1 555 010 2000",
                              "out_of_hours_phone": "+1 555 010 2999", "emergency_number": "911",
                              "timezone": "America/New_York", "created_at": now}])
        staff = [{"id": base + 1, "clinic_id": c, "email": f"nurse{c}@bench.test", "display_name": f"Nurse {c}",
                  "role": "nurse", "password_hash": password_hash, "session_token": uuid.uuid4().hex,
                  "demo": True, "active": True, "totp_enabled": False},
                 {"id": base + 2, "clinic_id": c, "email": f"doctor{c}@bench.test", "display_name": f"Doctor {c}",
                  "role": "physician", "password_hash": password_hash, "session_token": uuid.uuid4().hex,
                  "demo": True, "active": True, "totp_enabled": False}]
        users = staff + [{"id": base + 10 + i, "clinic_id": c, "email": f"p{c}-{i}@bench.test",
                          "display_name": f"P{i}", "role": "patient", "password_hash": password_hash,
                          "session_token": uuid.uuid4().hex, "demo": True, "active": True, "totp_enabled": False}
                         for i in range(PATIENTS_PER_CLINIC)]
        copy_rows("user_account", users)
        patients = [{"id": base + i, "clinic_id": c, "user_id": base + 10 + i, "record_number": f"B{c}-{i:05d}",
                     "given_name": f"Given{i}", "family_name": f"Family{c}x{i}",
                     "implanted_on": today - timedelta(days=rng.randint(30, 2000)), "therapy_stage": "maintenance",
                     "created_at": now} for i in range(PATIENTS_PER_CLINIC)]
        copy_rows("patient", patients)
        _seed_pump(c, base, patients, today, now, rng)
        if with_diary:
            counts["entries"] += copy_rows("diary_entry", _entries(base, patients, days, today, rng))
        _seed_cases(c, base, rng, now)
        roster.rebuild(c)  # the roster ranks from the summary rows: fill them from what was just copied
        counts["patients"] += len(patients)
    if db.session.get_bind().dialect.name == "postgresql":
        _reset_sequences()
    db.session.commit()
    return counts


def _seed_pump(c: int, base: int, patients: list, today: date, now: datetime, rng) -> None:
    """A SynchroMed II 40 mL, morphine, a confirmed refill and a booked appointment for each patient."""
    copy_rows("pump_profile", [{"id": p["id"], "patient_id": p["id"], "model": "synchromed_ii_40",
                                "reservoir_ml": Decimal(40), "implanted_on": p["implanted_on"]} for p in patients])
    copy_rows("pump_regimen", [{"id": p["id"], "patient_id": p["id"], "created_by_id": base + 1, "created_at": now}
                               for p in patients])
    copy_rows("pump_regimen_drug", [{"id": p["id"], "regimen_id": p["id"], "name": "morphine",
                                     "concentration": Decimal(10), "daily_dose": Decimal(5)} for p in patients])
    refills, appointments = [], []
    for p in patients:
        filled = today - timedelta(days=rng.randint(1, 80))
        due = filled + timedelta(days=72)
        performed = datetime.combine(filled, time(14), timezone.utc)
        refills.append({"id": p["id"], "patient_id": p["id"], "clinic_id": c, "performed_at": performed,
                        "filled_on": filled, "fill_volume_ml": Decimal(40), "alarm_volume_ml": Decimal(4),
                        "stability_days": 180, "regimen_id": p["id"], "status": "confirmed",
                        "first_clinician_id": base + 1, "second_clinician_id": base + 2, "recorded_at": performed,
                        "confirmed_at": performed, "daily_volume_ml": Decimal("0.5"),
                        "alarm_on": due, "empty_on": filled + timedelta(days=80), "due_on": due,
                        "limited_by": "low_reservoir_alarm"})
        if rng.random() < 0.8:
            starts = datetime.combine(due - timedelta(days=rng.randint(-3, 10)), time(15), timezone.utc)
            appointments.append({"id": p["id"], "patient_id": p["id"], "clinic_id": c, "starts_at": starts,
                                 "booked_by_id": base + 1, "created_at": now, "updated_at": now})
    copy_rows("pump_refill", refills)
    copy_rows("pump_appointment", appointments)
    _seed_caregivers(c, base, patients, now, rng)
    # Two patients in five chose a daily check-in reminder, at a time of day between 08:00 and 20:30.
    copy_rows("checkin_reminder_preference", [{"id": p["id"], "patient_id": p["id"], "enabled": True,
                                               "remind_at": time(rng.randint(8, 20), rng.choice([0, 30])),
                                               "updated_at": now} for p in patients if rng.random() < 0.4])


def _seed_caregivers(c: int, base: int, patients: list, now: datetime, rng) -> None:
    """About one patient in five has a linked caregiver who asked for the refill reminders too."""
    carers = [p for p in patients if rng.random() < 0.2]
    copy_rows("user_account", [{"id": base + 5000 + (p["id"] - base), "clinic_id": c,
                                "email": f"carer{c}-{p['id'] - base}@bench.test", "display_name": "Carer",
                                "role": "caregiver", "password_hash": "-", "session_token": uuid.uuid4().hex,
                                "demo": True, "active": True, "totp_enabled": False} for p in carers])
    copy_rows("caregiver_link", [{"id": p["id"], "patient_id": p["id"], "caregiver_id": base + 5000 + (p["id"] - base),
                                  "code_hash": uuid.uuid4().hex, "expires_at": now, "created_at": now,
                                  "accepted_at": now} for p in carers])
    copy_rows("pump_reminder_opt_in", [{"id": p["id"], "patient_id": p["id"],
                                        "user_id": base + 5000 + (p["id"] - base), "created_at": now}
                                       for p in carers])


def _entries(base: int, patients: list, days: int, today: date, rng):
    """A year of daily check-ins per patient (about nine in ten days answered)."""
    for p in patients:
        pain_base = rng.randint(2, 6)
        for d in range(days):
            if rng.random() < 0.1:
                continue
            day = today - timedelta(days=d)
            at = datetime.combine(day, time(13, rng.randint(0, 59)), timezone.utc)
            pain = max(0, min(10, pain_base + rng.randint(-2, 2)))
            sleepy = rng.choice(SLEEPINESS)
            yield {"patient_id": p["id"], "kind": "checkin", "reported_by_user_id": p["user_id"],
                   "reporter": "patient", "questionnaire_id": "daily-checkin", "questionnaire_version": "1",
                   "answers": {"pain_now": pain, "anything_new": False},
                   "observations": {"pain_now": pain, "sleepiness": sleepy}, "context": {},
                   "client_entry_id": str(uuid.UUID(int=rng.getrandbits(128))), "recorded_at": at,
                   "received_at": at, "tier": "none", "reason_codes": [], "pain_now": pain, "sleepiness": sleepy}


def _seed_cases(c: int, base: int, rng, now: datetime) -> None:
    """A few open and many closed cases per clinic, like a real queue."""
    rows = []
    for i in range(60):
        opened = now - timedelta(hours=rng.randint(1, 24 * 180))
        status = "open" if i < 6 else "resolved"
        rows.append({"id": base + i, "clinic_id": c, "patient_id": base + rng.randint(0, PATIENTS_PER_CLINIC - 1),
                     "tier": "urgent" if i % 5 else "emergency", "status": status, "source_type": "bench",
                     "source_id": base + i, "reasons": [{"code": "pump_alarm_critical", "tier": "urgent",
                                                         "staff_text": "Two-tone pump alarm", "source": "S8"}],
                     "opened_at": opened, "ack_due_at": opened + timedelta(minutes=60),
                     "acknowledged_at": None if status == "open" else opened + timedelta(minutes=20),
                     "acknowledged_by_id": None if status == "open" else base + 1,
                     "resolved_at": None if status == "open" else opened + timedelta(hours=2),
                     "resolved_by_id": None if status == "open" else base + 1,
                     "resolution": None if status == "open" else "advice_by_phone"})
    copy_rows("escalation_case", rows)
