"""Who may see whose data: pure decisions on plain attributes (no database, no Flask)."""
from typing import Iterable, Protocol


class UserLike(Protocol):
    """The attributes of a user that access decisions read."""

    id: int
    role: str
    clinic_id: int
    active: bool


class PatientLike(Protocol):
    """The attributes of a patient record that access decisions read."""

    id: int
    clinic_id: int
    user_id: int | None


STAFF_ROLES = frozenset({"nurse", "physician", "admin"})
CLINICAL_ROLES = frozenset({"nurse", "physician"})


def can_view_patient(user: UserLike, patient: PatientLike, caregiver_patient_ids: Iterable[int] = ()) -> bool:
    """Staff of the patient's clinic, the patient, or a caregiver the patient invited."""
    if not user.active:
        return False
    if user.role in STAFF_ROLES:
        return user.clinic_id == patient.clinic_id
    if user.role == "patient":
        return patient.user_id is not None and patient.user_id == user.id
    if user.role == "caregiver":
        return patient.id in set(caregiver_patient_ids)
    return False


def can_treat_patient(user: UserLike, patient: PatientLike) -> bool:
    """Clinical actions (consent, refills, acknowledging cases): nurses and physicians of the clinic."""
    return user.active and user.role in CLINICAL_ROLES and user.clinic_id == patient.clinic_id


def needs_two_factor(role: str, totp_enabled: bool, demo_account: bool, demo_mode: bool,
                     clinic_requires: bool = False) -> bool:
    """Staff with TOTP set up must use it; admins must have it, and clinicians when their clinic requires it
    (demo staff skip it in demo mode only)."""
    if role not in STAFF_ROLES or (demo_account and demo_mode):
        return False
    return totp_enabled or role == "admin" or (clinic_requires and role in CLINICAL_ROLES)
