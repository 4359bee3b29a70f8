"""Signing in and out: the password check with its throttles and the audit of every attempt."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from companion.accounts.models import LoginAttempt, User, new_token
from companion.accounts.passwords import verify_password
from companion.audit import services as audit
from companion.clock import utcnow
from companion.extensions import db
from companion.i18n import LANGUAGES


FAILED = _l("That email and password do not match. Please try again.")
THROTTLED = _l("Too many tries. Please wait 15 minutes, then try again.")


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


def sign_out(user: User) -> None:
    """Rotate the session token so every copy of the old session cookie stops working."""
    user.session_token = new_token()
    audit.record("sign_out", user=user)
    db.session.commit()
