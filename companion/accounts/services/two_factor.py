"""Two-step sign-in: the authenticator set-up and each code checked once, with attempt limits."""
import hmac
import time
from datetime import datetime, timedelta

import pyotp
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, update

from companion.accounts.models import LoginAttempt, User
from companion.accounts.services.common import AccountError
from companion.accounts.services.sign_in import _recent_failures
from companion.audit import services as audit
from companion.clock import utcnow
from companion.extensions import db


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
