"""Demo data for `make run`: the Demo Pain Clinic, its staff, patients and a caregiver."""
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from companion.accounts.models import CaregiverLink, Clinic, Patient, User
from companion.accounts.passwords import hash_password
from companion.clock import utcnow
from companion.extensions import db

PASSWORD = "companion-demo"
CLINIC = "Demo Pain Clinic"
STAFF = [("nurse@demo.test", "Nurse Nora Reyes", "nurse"),
         ("doctor@demo.test", "Dr Sam Okafor", "physician"),
         ("admin@demo.test", "Alex Admin", "admin")]
# email, given, family, record number, days since implant (None: not implanted), stage
PATIENTS = [("patient@demo.test", "Pat", "Morgan", "MRN-1001", 730, "maintenance"),
            ("newpatient@demo.test", "Jamie", "Lee", "MRN-1002", None, "before_trial"),
            ("postop@demo.test", "Robin", "Diaz", "MRN-1003", 5, "post_implant")]
CAREGIVER = ("caregiver@demo.test", "Chris Morgan")
# A Spanish-speaking patient, so anyone can see the Spanish side at once (issue 17).
SPANISH = ("paciente@demo.test", "Lucía", "Hernández", "MRN-1004", 400, "maintenance")



def _steps() -> list:
    """Each capability's demo step, a function of (clinic, patients_by_email), in dependency order."""
    from companion.careteam import demo as careteam
    from companion.careteam.reports import demo as reports
    from companion.clinic import demo as clinic_settings
    from companion.consent import demo as consent
    from companion.diary import demo as diary
    from companion.escalation import demo as escalation
    from companion.pump import demo as pump

    return [clinic_settings.seed, consent.seed, escalation.seed, pump.seed, diary.seed, careteam.seed, reports.seed,
            _seed_spanish]


def seed() -> list[tuple[str, str]]:
    """Create the demo clinic once (idempotent) and return (email, role) for each login."""
    clinic = db.session.scalar(select(Clinic).where(Clinic.name == CLINIC))
    created = clinic is None
    if created:
        clinic = Clinic(name=CLINIC, phone="+1 555 010 2000", out_of_hours_phone="+1 555 010 2999",
                        emergency_number="911", timezone="America/New_York")
        db.session.add(clinic)
        db.session.flush()
        _seed_people(clinic)
    patients = {p.user.email: p for p in db.session.scalars(select(Patient).where(
        Patient.clinic_id == clinic.id, Patient.user_id.is_not(None)))}
    if created:
        for step in _steps():
            step(clinic, patients)
        from companion.roster import services as roster

        roster.rebuild(clinic.id)  # demo rows are made directly, not all through the writing services
    db.session.commit()
    logins = [(e, r) for e, _, r in STAFF] + [(p[0], "patient") for p in (*PATIENTS, SPANISH)] + \
        [(CAREGIVER[0], "caregiver")]
    return logins


def _seed_people(clinic: Clinic) -> None:
    """Staff, patients with accounts, and the caregiver linked to the maintenance patient."""
    password_hash = hash_password(PASSWORD)
    today = utcnow().date()
    for email, name, role in STAFF:
        db.session.add(User(email=email, display_name=name, role=role, clinic_id=clinic.id,
                            password_hash=password_hash, demo=True))
    first = None
    for email, given, family, mrn, days, stage in (*PATIENTS, SPANISH):
        spanish = email == SPANISH[0]
        user = User(email=email, display_name=given, role="patient", clinic_id=clinic.id,
                    password_hash=password_hash, demo=True, language="es" if spanish else "en")
        db.session.add(user)
        db.session.flush()
        patient = Patient(clinic_id=clinic.id, user_id=user.id, given_name=given, family_name=family,
                          record_number=mrn, therapy_stage=stage,
                          implanted_on=today - timedelta(days=days) if days is not None else None,
                          needs_interpreter=spanish)
        db.session.add(patient)
        db.session.flush()
        first = first or patient
    caregiver = User(email=CAREGIVER[0], display_name=CAREGIVER[1], role="caregiver", clinic_id=clinic.id,
                     password_hash=password_hash, demo=True)
    db.session.add(caregiver)
    db.session.flush()
    now = utcnow()
    db.session.add(CaregiverLink(patient_id=first.id, caregiver_id=caregiver.id, code_hash="demo-link",
                                 created_at=now, expires_at=now, accepted_at=now))


def _seed_spanish(clinic: Clinic, patients: dict[str, Patient]) -> None:
    """Lucía: a pump refilled 30 days ago, a month of check-ins (one note in her own words), the course half read."""
    from decimal import Decimal as D

    from companion.consent import demo as consent_demo
    from companion.consent import queries as consent_queries
    from companion.consent import services as consent_services
    from companion.diary import demo as diary_demo
    from companion.pump import demo as pump_demo
    from companion.pump import services as pump_services

    patient = patients.get(SPANISH[0])
    nurse, doctor = pump_demo._staff("nurse@demo.test"), pump_demo._staff("doctor@demo.test")
    if patient is None or nurse is None or doctor is None:
        return
    pump_services.save_profile(nurse, patient, model="synchromed_ii_20", reservoir_ml=None,
                               implanted_on=patient.implanted_on, pocket_side="left", catheter_tip_level="T11",
                               opioid_tolerant=True)  # else the refill's dose check asks first (issue 14)
    pump_demo._fill(nurse, doctor, patient, 30, D(20), [pump_services.DrugEntry("Morphine", D(10), D(2), "mg")],
                    expected_residual_ml=D("4.0"), withdrawn_ml=D("3.8"))
    now = utcnow()
    zone = ZoneInfo(clinic.timezone)
    diary_demo._seed_checkins(patient, zone, now)
    # Free text is kept as the patient wrote it: the clinic sees her Spanish, never a translation.
    diary_demo._entry(patient, "checkin", {"pain_now": "5", "anything_new": "yes", "note": (
        "Me duele más la espalda en la noche. ¿Puedo tomar el ibuprofeno?")}, now - timedelta(hours=20),
        patient.user_id)
    content = consent_queries.current_content()
    for day, module in enumerate(content.modules[:4]):
        when = now - timedelta(days=6 - day, hours=3)
        consent_demo._answer(patient, content, module.id, set(), when)
        consent_services.mark_read(patient, content, module.id, now=when + timedelta(minutes=6))
