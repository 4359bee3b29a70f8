"""Patient records, enrolment codes and caregiver invites: each code used once, by one conditional update."""
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from companion.accounts.models import CaregiverLink, EnrolmentCode, Patient, User
from companion.accounts.passwords import hash_password
from companion.accounts.services.common import AccountError, _digest, _readable_code
from companion.audit import services as audit
from companion.clock import utcnow
from companion.extensions import db
from companion.roster import services as roster


def create_patient(actor: User, *, given_name: str, family_name: str, record_number: str,
                   birth_date=None, implanted_on=None, therapy_stage: str = "maintenance") -> Patient:
    """A nurse creates a patient record in their own clinic."""
    exists = db.session.scalar(select(Patient.id).where(
        Patient.clinic_id == actor.clinic_id, Patient.record_number == record_number.strip()))
    if exists:
        raise AccountError(_l("A patient with this record number already exists."), "record_number")
    patient = Patient(clinic_id=actor.clinic_id, given_name=given_name.strip(), family_name=family_name.strip(),
                      record_number=record_number.strip(), birth_date=birth_date, implanted_on=implanted_on,
                      therapy_stage=therapy_stage)
    db.session.add(patient)
    db.session.flush()
    roster.patient_added(patient.id)
    audit.record("patient_created", user=actor, patient_id=patient.id, object_type="patient", object_id=patient.id)
    db.session.commit()
    return patient


def issue_enrolment_code(actor: User, patient: Patient, now: datetime | None = None) -> str:
    """A new one-time code for the patient; earlier unused codes stop working."""
    now = now or utcnow()
    for old in db.session.scalars(select(EnrolmentCode).where(
            EnrolmentCode.patient_id == patient.id, EnrolmentCode.used_at.is_(None))):
        old.expires_at = min(old.expires_at, now)
    code = _readable_code()
    hours = current_app.config["ENROLMENT_CODE_HOURS"]
    db.session.add(EnrolmentCode(patient_id=patient.id, code_hash=_digest(code), created_by_id=actor.id,
                                 created_at=now, expires_at=now + timedelta(hours=hours)))
    audit.record("enrolment_code_issued", user=actor, patient_id=patient.id, object_type="patient",
                 object_id=patient.id)
    db.session.commit()
    return code


def enrol_patient(code: str, email: str, password: str, now: datetime | None = None) -> User:
    """Use an enrolment code once to create the patient's own account."""
    now = now or utcnow()
    row = db.session.scalar(select(EnrolmentCode).where(EnrolmentCode.code_hash == _digest(code)))
    used = AccountError(_l("This code does not work. It may be used or too old. Ask your clinic for a new one."), "code")
    if row is None or row.used_at is not None or row.expires_at <= now or row.patient.user_id is not None:
        raise used
    # One conditional update consumes the code: of several posts at once exactly one wins; the rest create nothing.
    _consume(update(EnrolmentCode).where(EnrolmentCode.id == row.id, EnrolmentCode.used_at.is_(None))
             .values(used_at=now), used)
    user = _new_user(email, password, role="patient", clinic_id=row.patient.clinic_id,
                     display_name=row.patient.given_name)
    row.patient.user_id = user.id
    audit.record("patient_enrolled", user=user, patient_id=row.patient_id, object_type="user", object_id=user.id)
    db.session.commit()
    return user


def _consume(statement, refusal: AccountError) -> None:
    """Run the one conditional UPDATE that uses a one-time code; the loser of a race gets the refusal."""
    try:
        won = db.session.execute(statement.execution_options(synchronize_session=False)).rowcount == 1
    except OperationalError:  # SQLite: another request wrote the code since this one read it
        won = False
    if not won:
        db.session.rollback()
        raise refusal


def _new_user(email: str, password: str, *, role: str, clinic_id: int, display_name: str) -> User:
    """Create a user row in the current transaction; one account per email."""
    email = email.strip().lower()
    if db.session.scalar(select(User.id).where(User.email == email)):
        # Saying so reveals the email exists, but only to someone holding a valid one-time code.
        raise AccountError(_l("This email already has an account. Sign in instead, or use another email."), "email")
    user = User(email=email, password_hash=hash_password(password), role=role, clinic_id=clinic_id,
                display_name=display_name.strip()[:200])
    db.session.add(user)
    db.session.flush()
    return user


def invite_caregiver(patient: Patient, actor: User, now: datetime | None = None) -> str:
    """The patient makes a one-time invite code for a caregiver (valid 7 days)."""
    now = now or utcnow()
    code = _readable_code()
    db.session.add(CaregiverLink(patient_id=patient.id, code_hash=_digest(code), created_at=now,
                                 expires_at=now + timedelta(days=7)))
    audit.record("caregiver_invited", user=actor, patient_id=patient.id)
    db.session.commit()
    return code


def accept_caregiver_invite(code: str, *, user: User | None = None, email: str = "", password: str = "",
                            display_name: str = "", now: datetime | None = None) -> User:
    """A caregiver uses an invite: a new caregiver account, or a signed-in caregiver."""
    now = now or utcnow()
    link = db.session.scalar(select(CaregiverLink).where(CaregiverLink.code_hash == _digest(code)))
    used = AccountError(_l("This invite code does not work. Ask the patient for a new one."), "code")
    if link is None or link.accepted_at or link.revoked_at or link.expires_at <= now:
        raise used
    if user is not None and user.role != "caregiver":
        raise AccountError(_l("Only a caregiver account can accept an invite."), "code")
    _consume(update(CaregiverLink).where(CaregiverLink.id == link.id, CaregiverLink.accepted_at.is_(None),
                                         CaregiverLink.revoked_at.is_(None)).values(accepted_at=now), used)
    if user is None:
        user = _new_user(email, password, role="caregiver", clinic_id=link.patient.clinic_id,
                         display_name=display_name)
    link.caregiver_id, link.accepted_at = user.id, now
    audit.record("caregiver_linked", user=user, patient_id=link.patient_id, object_type="caregiver_link",
                 object_id=link.id)
    db.session.commit()
    return user


def revoke_caregiver(patient: Patient, link_id: int, actor: User, now: datetime | None = None) -> None:
    """The patient ends a caregiver's access at once."""
    link = db.session.get(CaregiverLink, link_id)
    if link is None or link.patient_id != patient.id:
        raise AccountError(_l("That caregiver link was not found."))
    link.revoked_at = now or utcnow()
    audit.record("caregiver_revoked", user=actor, patient_id=patient.id, object_type="caregiver_link",
                 object_id=link.id)
    db.session.commit()
