"""The only writers of accounts: sign-in, sessions, enrolment, caregivers, passwords, 2FA."""
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import OperationalError

from companion.accounts.models import CaregiverLink, EnrolmentCode, LoginAttempt, Patient, User, new_token
from companion.accounts.passwords import hash_password, verify_password
from companion.audit import services as audit
from companion.clock import utcnow
from companion.extensions import db
from companion.roster import services as roster
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


def _recent_failures(since: datetime, kind: str = "password", **match) -> int:
    """Failed attempts since a time matching every column given, counted in the database (shared by all workers)."""
    stmt = select(func.count()).select_from(LoginAttempt).where(
        LoginAttempt.success.is_(False), LoginAttempt.at >= since, LoginAttempt.kind == kind,
        *(getattr(LoginAttempt, column) == value for column, value in match.items()))
    return db.session.scalar(stmt) or 0


def _account_delay(email: str, since: datetime, now: datetime, limit: int) -> bool:
    """Past a higher per-account bar, each further try waits longer (2, 4, 8 ... 60 s): slows a spread-out guesser
    without locking the owner out for the whole window."""
    failures = _recent_failures(since, email=email)
    if failures < limit * 4:
        return False
    last = db.session.scalar(select(func.max(LoginAttempt.at)).where(
        LoginAttempt.email == email, LoginAttempt.success.is_(False), LoginAttempt.kind == "password"))
    last = last.replace(tzinfo=now.tzinfo) if last is not None and last.tzinfo is None else last
    wait = timedelta(seconds=min(2 ** (failures - limit * 4 + 1), 60))
    return last is not None and now - last < wait


def second_factor_due(user: User) -> bool:
    """Whether this person signs in with a code after the password."""
    from companion.accounts.permissions import needs_two_factor

    return user.totp_enabled and needs_two_factor(user.role, user.totp_enabled, user.demo,
                                                  current_app.config["DEMO_MODE"])


def authenticate(email: str, password: str, ip: str, now: datetime | None = None) -> SignIn:
    """Check a password, throttled per address-and-account pair and per address, with growing delays past a
    higher per-account bar (the attacker is slowed, not the owner locked out); audit every attempt."""
    now = now or utcnow()
    email = email.strip().lower()
    cfg = current_app.config
    since = now - timedelta(minutes=cfg["LOGIN_WINDOW_MINUTES"])
    limit = cfg["LOGIN_MAX_FAILURES"]
    throttled = (_recent_failures(since, email=email, ip=ip) >= limit
                 or _recent_failures(since, ip=ip) >= limit * 4
                 or _account_delay(email, since, now, limit))
    user = db.session.scalar(select(User).where(User.email == email))
    ok = verify_password(user.password_hash if user else None, password)  # always hash: no timing leak
    ok = ok and not throttled and user is not None and user.active
    db.session.add(LoginAttempt(email=email, ip=ip, at=now, success=ok))
    pending = ok and second_factor_due(user)
    # A password alone is not a sign-in when a code must follow: that is audited apart from the finished one.
    action = ("sign_in_second_factor_pending" if pending else "sign_in") if ok else "sign_in_failed"
    audit.record(action, user=user if ok else None,
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


def start_totp(user: User) -> str:
    """A new TOTP secret, not yet enabled until a code from it is confirmed."""
    user.totp_secret = pyotp.random_base32()
    db.session.commit()
    return user.totp_secret


def confirm_totp(user: User, code: str) -> None:
    """Enable two-factor sign-in once the user proves the authenticator works."""
    step = _totp_step(user.totp_secret, code, None) if user.totp_secret else None
    if step is None:
        raise AccountError(_l("That code is not right. Check the time on your phone and try again."), "code")
    user.totp_enabled, user.totp_last_step = True, step  # the code that switched it on cannot sign in later
    audit.record("two_factor_enabled", user=user, object_type="user", object_id=user.id)
    db.session.commit()


def _totp_step(secret: str, code: str, last_step: int | None) -> int | None:
    """The 30-second step (this one or a neighbour, for clock drift) whose code this is, if not used before."""
    totp = pyotp.TOTP(secret)
    current = int(time.time()) // totp.interval  # the phone's clock, not the app's (frozen in tests)
    for step in (current - 1, current, current + 1):
        if (last_step is None or step > last_step) and hmac.compare_digest(totp.generate_otp(step), code.strip()):
            return step
    return None


def verify_totp(user: User, code: str, *, ip: str = "", pending: str = "", now: datetime | None = None) -> str:
    """Check a sign-in code: 'ok', 'wrong', 'restart' (this half-signed-in session used its tries) or
    'throttled' (the account's tries in the window are used). Each code works once; every try is counted."""
    now = now or utcnow()
    cfg = current_app.config
    since = now - timedelta(minutes=cfg["LOGIN_WINDOW_MINUTES"])
    if pending and _recent_failures(since, "totp", pending=pending) >= cfg.get("TOTP_MAX_PER_SESSION", 5):
        return "restart"
    if _recent_failures(since, "totp", email=user.email) >= cfg.get("TOTP_MAX_PER_ACCOUNT", 10):
        audit.record("two_factor_failed", user=user, outcome="refused", throttled=True)
        db.session.commit()
        return "throttled"
    step = _totp_step(user.totp_secret, code, user.totp_last_step) if user.totp_secret else None
    if step is not None:  # claim the step with one conditional update: two posts of one code cannot both win
        claimed = db.session.execute(
            update(User).where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
            .values(totp_last_step=step).execution_options(synchronize_session=False)).rowcount == 1
        step = step if claimed else None
    ok = step is not None
    db.session.add(LoginAttempt(email=user.email, ip=ip, at=now, success=ok, kind="totp", pending=pending or None))
    if not ok:
        audit.record("two_factor_failed", user=user, outcome="refused")
    db.session.commit()
    db.session.refresh(user)
    return "ok" if ok else "wrong"


def set_active(actor: User, user: User, active: bool) -> None:
    """An admin deactivates or reactivates a staff account; deactivation ends its sessions."""
    if user.clinic_id != actor.clinic_id:
        raise AccountError(_l("That account was not found."))
    user.active = active
    user.session_token = new_token()
    audit.record("account_deactivated" if not active else "account_reactivated", user=actor,
                 object_type="user", object_id=user.id)
    db.session.commit()


def set_phone(user: User, phone: str, by: User) -> bool:
    """Keep a patient's or caregiver's phone number (their own, or staff of their clinic); audited; commits."""
    if user.role not in ("patient", "caregiver"):
        raise AccountError(_l("Only patients and caregivers keep a phone number here."), "phone")
    phone = " ".join((phone or "").split())
    if phone == (user.phone or ""):
        return False
    audit.record("phone_changed", user=by, object_type="user", object_id=user.id, clinic_id=user.clinic_id,
                 patient_id=getattr(db.session.scalar(select(Patient).where(Patient.user_id == user.id)), "id", None),
                 by_staff=by.id != user.id)
    user.phone = phone
    db.session.commit()
    return True
