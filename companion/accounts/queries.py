"""Read-only look-ups of users, patients and caregiver links."""
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from companion.accounts.models import CaregiverLink, Patient, User
from companion.extensions import db


def user_by_session_token(token: str) -> User | None:
    """The active user whose current session token this is, with their clinic and own patient record (one query:
    every signed-in request starts here)."""
    return db.session.scalar(select(User).options(joinedload(User.clinic), joinedload(User.patient_record))
                             .where(User.session_token == token, User.active.is_(True)))


def patient_for_user(user: User) -> Patient | None:
    """The patient record a patient account belongs to (already loaded with the signed-in user)."""
    return user.patient_record


def caregiver_patient_ids(user: User) -> list[int]:
    """Patients who invited this caregiver and have not revoked it."""
    stmt = select(CaregiverLink.patient_id).where(
        CaregiverLink.caregiver_id == user.id, CaregiverLink.accepted_at.is_not(None),
        CaregiverLink.revoked_at.is_(None))
    return list(db.session.scalars(stmt))


def caregiver_patients(user: User) -> list[Patient]:
    """The patients this caregiver may act for, by first name (the chooser's list)."""
    ids = caregiver_patient_ids(user)
    if not ids:
        return []
    return list(db.session.scalars(select(Patient).where(Patient.id.in_(ids))
                                   .order_by(Patient.given_name, Patient.family_name, Patient.id)))


def ended_caregiver_link(user: User) -> CaregiverLink | None:
    """This caregiver's most recently ended link (the patient revoked it), or None."""
    return db.session.scalar(select(CaregiverLink).where(
        CaregiverLink.caregiver_id == user.id, CaregiverLink.accepted_at.is_not(None),
        CaregiverLink.revoked_at.is_not(None)).order_by(CaregiverLink.revoked_at.desc(), CaregiverLink.id.desc()))


def caregiver_links(patient: Patient) -> list[CaregiverLink]:
    """A patient's caregiver links, newest first."""
    stmt = select(CaregiverLink).where(CaregiverLink.patient_id == patient.id).order_by(CaregiverLink.id.desc())
    return list(db.session.scalars(stmt))


def clinic_patients(clinic_id: int, search: str = "") -> list[Patient]:
    """The clinic's patients, by family name; optional search by name or record number."""
    stmt = select(Patient).where(Patient.clinic_id == clinic_id)
    if search:
        like = f"%{search.strip()}%"
        stmt = stmt.where(Patient.family_name.ilike(like) | Patient.given_name.ilike(like)
                          | Patient.record_number.ilike(like))
    return list(db.session.scalars(stmt.order_by(Patient.family_name, Patient.given_name)))


def clinic_patient(clinic_id: int, patient_id: int) -> Patient | None:
    """One patient, only if they belong to the clinic (404 for others, not 403)."""
    return db.session.scalar(select(Patient).where(Patient.id == patient_id, Patient.clinic_id == clinic_id))


def clinic_staff(clinic_id: int) -> list[User]:
    """The clinic's staff accounts."""
    stmt = select(User).where(User.clinic_id == clinic_id, User.role.in_(("nurse", "physician", "admin")))
    return list(db.session.scalars(stmt.order_by(User.display_name)))
