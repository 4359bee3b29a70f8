"""The only writers of accounts: sign-in, sessions, enrolment, caregivers, passwords, 2FA."""
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from companion.accounts.models import CaregiverLink, EnrolmentCode, LoginAttempt, Patient, User, new_token
from companion.accounts.passwords import hash_password, verify_password
from companion.audit import services as audit
from companion.clock import utcnow
from companion.extensions import db
from companion.i18n import LANGUAGES

FAILED = _l("That email and password do not match. Please try again.")
THROTTLED = _l("Too many tries. Please wait 15 minutes, then try again.")


class AccountError(ValueError):
    """A refusal with a message that is safe to show."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def _digest(code: str) -> str:
    """Codes are stored only as digests, like passwords, so a database copy cannot use them."""
    return hashlib.sha256(code.strip().upper().replace("-", "").replace(" ", "").encode()).hexdigest()


def _readable_code(n: int = 10) -> str:
    """A code that is easy to type: no 0/O or 1/I, grouped in fives."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(n))
    return "-".join(raw[i:i + 5] for i in range(0, n, 5))


@dataclass(frozen=True)
class SignIn:
    """The outcome of checking a password."""

    user: User | None
    error: str | None


def _recent_failures(column, value: str, since: datetime) -> int:
    """Failed attempts since a time, counted in the database (shared by all workers)."""
    stmt = select(func.count()).select_from(LoginAttempt).where(
        column == value, LoginAttempt.success.is_(False), LoginAttempt.at >= since)
    return db.session.scalar(stmt) or 0


def authenticate(email: str, password: str, ip: str, now: datetime | None = None) -> SignIn:
    """Check a password with throttling per email and per address; audit every attempt."""
    now = now or utcnow()
    email = email.strip().lower()
    cfg = current_app.config
    since = now - timedelta(minutes=cfg["LOGIN_WINDOW_MINUTES"])
    limit = cfg["LOGIN_MAX_FAILURES"]
    throttled = (_recent_failures(LoginAttempt.email, email, since) >= limit
                 or _recent_failures(LoginAttempt.ip, ip, since) >= limit * 4)
    user = db.session.scalar(select(User).where(User.email == email))
    ok = verify_password(user.password_hash if user else None, password)  # always hash: no timing leak
    ok = ok and not throttled and user is not None and user.active
    db.session.add(LoginAttempt(email=email, ip=ip, at=now, success=ok))
    audit.record("sign_in" if ok else "sign_in_failed", user=user if ok else None,
                 clinic_id=user.clinic_id if user else None, outcome="ok" if ok else "refused",
                 email_domain=email.rpartition("@")[2], throttled=throttled)
    db.session.commit()
    if ok:
        return SignIn(user, None)
    return SignIn(None, THROTTLED if throttled else FAILED)


def complete_sign_in(user: User, now: datetime | None = None, language: str | None = None) -> None:
    """Record the sign-in time, and the language chosen before signing in (the view rotates the Flask session)."""
    user.last_login_at = now or utcnow()
    if language in LANGUAGES and not user.is_staff:
        user.language = language
    db.session.commit()


def set_language(user: User, language: str) -> None:
    """Save the language a patient or caregiver reads Companion in (staff pages stay English)."""
    if language not in LANGUAGES:
        raise AccountError(_l("Please choose a language from the list."), "language")
    if not user.is_staff:
        user.language = language
        db.session.commit()


def sign_out(user: User) -> None:
    """Rotate the session token so every copy of the old session cookie stops working."""
    user.session_token = new_token()
    audit.record("sign_out", user=user)
    db.session.commit()


def change_password(user: User, current: str, new: str, sign_out_others: bool = True) -> None:
    """Change a password after checking the current one; ends the user's other sessions if asked."""
    if not verify_password(user.password_hash, current):
        raise AccountError(_l("Your current password is not right."), "current_password")
    user.password_hash = hash_password(new)
    user.password_changed_at = utcnow()
    if sign_out_others:
        user.session_token = new_token()  # every other copy of the session cookie stops working
    audit.record("password_changed", user=user, object_type="user", object_id=user.id,
                 other_devices_signed_out=sign_out_others)
    db.session.commit()


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
    if row is None or row.used_at is not None or row.expires_at <= now or row.patient.user_id is not None:
        raise AccountError(_l("This code does not work. It may be used or too old. Ask your clinic for a new one."), "code")
    user = _new_user(email, password, role="patient", clinic_id=row.patient.clinic_id,
                     display_name=row.patient.given_name)
    row.used_at = now
    row.patient.user_id = user.id
    audit.record("patient_enrolled", user=user, patient_id=row.patient_id, object_type="user", object_id=user.id)
    db.session.commit()
    return user


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
    if link is None or link.accepted_at or link.revoked_at or link.expires_at <= now:
        raise AccountError(_l("This invite code does not work. Ask the patient for a new one."), "code")
    if user is None:
        user = _new_user(email, password, role="caregiver", clinic_id=link.patient.clinic_id,
                         display_name=display_name)
    elif user.role != "caregiver":
        raise AccountError(_l("Only a caregiver account can accept an invite."), "code")
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


def start_totp(user: User) -> str:
    """A new TOTP secret, not yet enabled until a code from it is confirmed."""
    user.totp_secret = pyotp.random_base32()
    db.session.commit()
    return user.totp_secret


def confirm_totp(user: User, code: str) -> None:
    """Enable two-factor sign-in once the user proves the authenticator works."""
    if not user.totp_secret or not pyotp.TOTP(user.totp_secret).verify(code.strip(), valid_window=1):
        raise AccountError(_l("That code is not right. Check the time on your phone and try again."), "code")
    user.totp_enabled = True
    audit.record("two_factor_enabled", user=user, object_type="user", object_id=user.id)
    db.session.commit()


def verify_totp(user: User, code: str) -> bool:
    """Check a sign-in TOTP code; a wrong code is audited."""
    ok = bool(user.totp_secret) and pyotp.TOTP(user.totp_secret).verify(code.strip(), valid_window=1)
    if not ok:
        audit.record("two_factor_failed", user=user, outcome="refused")
        db.session.commit()
    return ok


def set_active(actor: User, user: User, active: bool) -> None:
    """An admin deactivates or reactivates a staff account; deactivation ends its sessions."""
    if user.clinic_id != actor.clinic_id:
        raise AccountError(_l("That account was not found."))
    user.active = active
    user.session_token = new_token()
    audit.record("account_deactivated" if not active else "account_reactivated", user=actor,
                 object_type="user", object_id=user.id)
    db.session.commit()
