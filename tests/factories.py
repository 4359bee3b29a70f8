"""Test data builders (real rows through the models, never mocks)."""
from dataclasses import dataclass

import pyotp
from datetime import timedelta

from companion.accounts.models import CaregiverLink, Clinic, Patient, User
from companion.accounts.passwords import hash_password
from companion.clock import utcnow
from companion.extensions import db
from companion.roster import services as roster

PASSWORD = "correct horse battery"
# Urgent reports with different signs, so each opens a case of its own: the same signs reported again while a case
# waits for acknowledgement join that case instead (escalation.services._waiting_case_with_same_signs).
DIFFERENT_URGENT_REPORTS = (
    {"pump_alarm": "two_tone"},
    {"headache": "severe", "headache_worse_upright": True, "clear_fluid_swelling": True},
    {"numbness_new": True, "pain_character_new": True, "pain_now": 7},
    {"feels_feverish": True, "stiff_neck": True},
    {"wound_drainage": "cloudy_or_pus"},
)


def different_urgent_report(n: int) -> dict:
    """The n-th of 14 urgent reports whose signs are never a subset of an earlier one's: the five alone, then pairs
    (but severe headache with a stiff neck, which is an emergency)."""
    singles = DIFFERENT_URGENT_REPORTS
    pairs = [{**a, **b} for i, a in enumerate(singles) for b in singles[i + 1:]
             if not ({"headache", "stiff_neck"} <= {**a, **b}.keys())]
    return (list(singles) + pairs)[n % (len(singles) + len(pairs))]


@dataclass
class World:
    """Two clinics and one person for each access boundary."""

    clinic1: Clinic
    clinic2: Clinic
    patient_a: Patient
    patient_b: Patient
    patient_c2: Patient
    patient_a_user: User
    patient_b_user: User
    caregiver: User
    unlinked_caregiver: User
    nurse1: User
    physician1: User
    admin1: User
    nurse2: User
    admin2: User


class Factory:
    """Builds rows and commits them."""

    def __init__(self):
        self._n = 0
        self._hash = hash_password(PASSWORD)

    def _next(self) -> int:
        self._n += 1
        return self._n

    def clinic(self, name: str | None = None, **kw) -> Clinic:
        """A clinic with phone numbers."""
        clinic = Clinic(name=name or f"Clinic {self._next()}", phone="+1 555 000 1000",
                        out_of_hours_phone="+1 555 000 1999", **kw)
        db.session.add(clinic)
        db.session.commit()
        return clinic

    def user(self, role: str, clinic: Clinic, email: str | None = None, **kw) -> User:
        """A user with the shared test password."""
        n = self._next()
        if role == "admin" and "totp_enabled" not in kw:
            kw.update(totp_enabled=True, totp_secret=pyotp.random_base32())  # admins must use two-factor
        user = User(email=email or f"{role}{n}@test.example", display_name=kw.pop("display_name", f"{role.title()} {n}"),
                    role=role, clinic_id=clinic.id, password_hash=self._hash, **kw)
        db.session.add(user)
        db.session.commit()
        return user

    def patient(self, clinic: Clinic, *, with_account: bool = True, given: str | None = None, **kw) -> Patient:
        """A patient record, with its own account unless asked otherwise."""
        n = self._next()
        user = self.user("patient", clinic) if with_account else None
        kw.setdefault("created_at", utcnow() - timedelta(days=365))  # on the clinic's list long before any entry
        patient = Patient(clinic_id=clinic.id, user_id=user.id if user else None, given_name=given or f"Given{n}",
                          family_name=kw.pop("family", f"Family{n}"), record_number=kw.pop("mrn", f"MRN-{n:04d}"), **kw)
        db.session.add(patient)
        db.session.flush()
        roster.patient_added(patient.id)  # as accounts.services.create_patient does
        db.session.commit()
        return patient

    def link_caregiver(self, patient: Patient, caregiver: User) -> CaregiverLink:
        """An accepted caregiver link."""
        now = utcnow()
        link = CaregiverLink(patient_id=patient.id, caregiver_id=caregiver.id, code_hash=f"test-{self._next()}",
                             created_at=now, expires_at=now + timedelta(days=7), accepted_at=now)
        db.session.add(link)
        db.session.commit()
        return link

    def world(self) -> World:
        """Two clinics, patients A and B in clinic 1, one patient in clinic 2, their staff and caregivers."""
        c1, c2 = self.clinic("Clinic One"), self.clinic("Clinic Two")
        a, b, c = self.patient(c1, given="Alice"), self.patient(c1, given="Bruno"), self.patient(c2, given="Cora")
        caregiver, unlinked = self.user("caregiver", c1), self.user("caregiver", c1)
        self.link_caregiver(a, caregiver)
        return World(c1, c2, a, b, c, a.user, b.user, caregiver, unlinked, self.user("nurse", c1),
                     self.user("physician", c1), self.user("admin", c1), self.user("nurse", c2), self.user("admin", c2))
