"""The only writer for clinic administration: numbers, hours, on-call and rota, thresholds, reminders, staff."""
import secrets
from datetime import date, datetime, time, timedelta

from flask import current_app
from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import or_, select

from companion.accounts import services as accounts
from companion.accounts.models import User, new_token
from companion.accounts.passwords import hash_password
from companion.accounts.services import AccountError
from companion.audit import services as audit
from companion.clinic import queries, rules
from companion.clinic.models import OnCallShift
from companion.clock import utcnow
from companion.escalation import routing
from companion.escalation import services as escalation
from companion.extensions import db

STAFF_ROLES = ("nurse", "physician", "admin")
LINK_BROKEN = _l("This set-up link does not work. It may be used or too old. Ask your clinic admin for a new one.")


class _ClockSigner(TimestampSigner):
    """Signs with companion.clock's time, so expiry follows the one time source (and frozen test clocks)."""

    def get_timestamp(self) -> int:
        """Seconds since the epoch, from utcnow()."""
        return int(utcnow().timestamp())


def _serializer() -> URLSafeTimedSerializer:
    """Signed, expiring set-up tokens; no table needed: the signature and the fingerprint make them safe."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="staff-invite", signer=_ClockSigner)


def invite_hours() -> int:
    """How long a staff set-up link works."""
    return int(current_app.config.get("STAFF_INVITE_HOURS", current_app.config["ENROLMENT_CODE_HOURS"]))


def save_contacts(actor: User, *, phone: str, out_of_hours_phone: str, emergency_number: str) -> bool:
    """Change the clinic's phone numbers; audited with before and after; commits. False if nothing changed."""
    return _save_clinic(actor, "clinic_contacts_changed", {
        "phone": phone.strip(), "out_of_hours_phone": out_of_hours_phone.strip(),
        "emergency_number": emergency_number.strip()})


def save_staff_two_factor(actor: User, required: bool) -> bool:
    """Require (or stop requiring) two-factor for the clinic's nurses and physicians; audited; commits."""
    return _save_clinic(actor, "clinic_staff_two_factor_changed", {"staff_two_factor": bool(required)})


def save_reminder_offsets(actor: User, days) -> bool:
    """Change the days before a booked refill when patients are reminded; audited; commits."""
    return _save_clinic(actor, "clinic_reminder_offsets_changed", {"reminder_offsets": rules.format_offsets(days)})


def save_first_post_refill_hours(actor: User, hours: int) -> bool:
    """Change how many hours after a refill the first breathing check is offered (2-12); audited; commits."""
    if rules.first_check_hours_error(hours):
        raise ValueError(f"first post-refill check hours out of range: {hours}")  # the form refuses it first
    return _save_clinic(actor, "clinic_post_refill_check_changed", {"first_post_refill_hours": hours})


def _save_clinic(actor: User, action: str, values: dict) -> bool:
    """Set changed values on the admin's clinic row, audit them with before and after, commit. False if none."""
    clinic = actor.clinic
    changed = _apply(clinic, values)
    if changed:
        audit.record(action, user=actor, object_type="clinic", object_id=clinic.id, **changed)
        db.session.commit()
    return bool(changed)


def add_shift(actor: User, *, weekday: int, starts: time, ends: time, user_id: int | None,
              slot: int = 1) -> OnCallShift:
    """Add a weekly on-call (slot 1) or backup (slot 2) shift; refused beside the field for a wrong person or an
    overlap in the same slot; audited; commits."""
    person = db.session.get(User, user_id) if user_id else None
    if person is None or person.clinic_id != actor.clinic_id or person.role not in ("nurse", "physician") \
            or not person.active:
        raise AccountError(_l("Choose an active nurse or physician of this clinic."), "user_id")
    shift = OnCallShift(clinic_id=actor.clinic_id, weekday=weekday, starts=starts, ends=ends, user_id=person.id,
                        slot=slot)
    clash = rules.overlapping_shift(shift, [s for s in queries.rota(actor.clinic_id) if s.slot == slot])
    if clash is not None:
        raise AccountError(_l("This overlaps %(day)s %(span)s (%(name)s). One person is on call at a time: "
                              "change the times or remove that shift first.", day=day_name(clash.weekday),
                              span=shift_text(clash), name=clash.user.display_name), "starts")
    db.session.add(shift)
    db.session.flush()
    audit.record("on_call_shift_added", user=actor, object_type="on_call_shift", object_id=shift.id,
                 before={}, after=_shift_fields(shift))
    db.session.commit()
    return shift


def remove_shift(actor: User, shift: OnCallShift) -> None:
    """Take a shift off the rota (configuration, not clinical data: the audit keeps what it was); commits."""
    if shift.clinic_id != actor.clinic_id:
        raise AccountError(_l("That shift was not found."))
    audit.record("on_call_shift_removed", user=actor, object_type="on_call_shift", object_id=shift.id,
                 before=_shift_fields(shift), after={})
    db.session.delete(shift)
    db.session.commit()


def _shift_fields(shift: OnCallShift) -> dict:
    """A shift as the audit log keeps it."""
    return {"weekday": shift.weekday, "starts": shift.starts.strftime("%H:%M"), "ends": shift.ends.strftime("%H:%M"),
            "user_id": shift.user_id, "slot": shift.slot or 1}


def day_name(weekday: int) -> str:
    """The weekday's name in the user's language (0 = Monday)."""
    return format_date(date(2024, 1, 1) + timedelta(days=weekday), "EEEE")  # 1 January 2024 was a Monday


def shift_text(shift) -> str:
    """'17:00–08:00 (next day)': a shift's times as the rota shows them."""
    text = f"{shift.starts:%H:%M}–{shift.ends:%H:%M}"
    return text + " " + str(_l("(next day)")) if shift.ends <= shift.starts else text


def save_hours(actor: User, *, timezone: str, hours_start: int, hours_end: int, working_days) -> bool:
    """Change the time zone and working hours in one transaction; audited with before and after; commits."""
    clinic = actor.clinic
    tz_changed = _apply(clinic, {"timezone": timezone.strip()})
    if tz_changed:
        audit.record("clinic_timezone_changed", user=actor, object_type="clinic", object_id=clinic.id, **tz_changed)
    values = {"hours_start": hours_start, "hours_end": hours_end, "working_days": rules.format_days(working_days)}
    return _save_escalation(actor, values) or _commit_if(tz_changed)


def save_on_call(actor: User, *, on_call_user_id: int | None, emergency_ack_minutes: int,
                 urgent_ack_minutes: int, ladder_in_hours: str | None = None,
                 ladder_out_of_hours: str | None = None) -> bool:
    """Change the on-call clinician, the ladders (None keeps them) and acknowledgement deadlines (escalation
    settings, audited); commits."""
    if on_call_user_id is not None:
        person = db.session.get(User, on_call_user_id)
        if person is None or person.clinic_id != actor.clinic_id or person.role not in ("nurse", "physician") \
                or not person.active:
            raise AccountError(_l("Choose an active nurse or physician of this clinic."), "on_call_user_id")
    ladders = {k: v for k, v in (("ladder_in_hours", ladder_in_hours), ("ladder_out_of_hours", ladder_out_of_hours))
               if v is not None}
    return _save_escalation(actor, {"on_call_user_id": on_call_user_id,
                                    "emergency_ack_minutes": emergency_ack_minutes,
                                    "urgent_ack_minutes": urgent_ack_minutes, **ladders})


def tighten_thresholds(actor: User, values: dict[str, float]) -> list[str]:
    """Save each changed threshold through escalation.set_threshold (tighten-only, audited). Returns the names."""
    current = routing.clinic_thresholds(actor.clinic_id)
    changed = [name for name, value in values.items() if float(value) != current[name].value]
    for name in changed:
        escalation.set_threshold(actor.clinic_id, name, float(values[name]), actor)
    return changed


def _apply(row, values: dict) -> dict:
    """Set the values that differ; return {"before": {...}, "after": {...}} of those (empty if none)."""
    before = {k: getattr(row, k) for k, v in values.items() if getattr(row, k) != v}
    for key in before:
        setattr(row, key, values[key])
    return {"before": before, "after": {k: values[k] for k in before}} if before else {}


def _save_escalation(actor: User, values: dict) -> bool:
    """Pass only the changed escalation settings to escalation.save_settings (which audits and commits)."""
    row = routing.settings_for(actor.clinic_id)
    changed = {k: v for k, v in values.items() if getattr(row, k) != v}
    if changed:
        escalation.save_settings(actor.clinic_id, actor, **changed)
    return bool(changed)


def _commit_if(changed) -> bool:
    """Commit when something changed."""
    if changed:
        db.session.commit()
    return bool(changed)


def invite_staff(actor: User, *, display_name: str, email: str, role: str) -> tuple[User, str]:
    """A new staff account in the admin's clinic with a one-time set-up link token; audited; commits."""
    if role not in STAFF_ROLES:
        raise AccountError(_l("Choose nurse, physician or admin."), "role")
    email = email.strip().lower()
    if db.session.scalar(select(User.id).where(User.clinic_id == actor.clinic_id, or_(
            User.email == email, User.listed_email == email))) is not None:
        raise AccountError(_l("This email already has an account."), "email")  # their own list shows it anyway
    elsewhere = db.session.scalar(select(User.id).where(User.email == email)) is not None
    # Nobody knows this password: the account cannot be used until the person sets their own.
    user = User(clinic_id=actor.clinic_id, email=email, display_name=display_name.strip()[:200], role=role,
                password_hash=hash_password(secrets.token_urlsafe(32)), active=True)
    if elsewhere:
        # Another clinic's person: a real pending invite row all the same, so the admin's list, counts and
        # actions look exactly as for a new address; it signs in as nobody (a placeholder email on the
        # reserved .invalid domain) and its set-up link never works (invited_user).
        user.email, user.listed_email = f"invite-{secrets.token_hex(12)}@decoy.invalid", email
    db.session.add(user)
    db.session.flush()
    audit.record("staff_invited", user=actor, object_type="user", object_id=user.id,
                 before={}, after={"display_name": user.display_name, "email": email, "role": role})
    if elsewhere:
        # For operators only (no clinic): neither clinic's audit page may say the address has an account elsewhere.
        audit.record("staff_invite_refused", user=actor, object_type="user", object_id=user.id, outcome="refused",
                     reason="email_in_other_clinic").clinic_id = None
    db.session.commit()
    return user, _token(user)


def renew_invite(actor: User, user: User) -> str:
    """A new set-up link for someone who has not joined yet; earlier links stop working; audited; commits."""
    _same_clinic_staff(actor, user)
    if user.last_login_at is not None or user.id not in queries.pending_invite_ids(actor.clinic_id):
        raise AccountError(_l("This person has already set up their account."))
    user.password_hash = hash_password(secrets.token_urlsafe(32))  # changes the fingerprint: old links fail
    audit.record("staff_invite_renewed", user=actor, object_type="user", object_id=user.id)
    db.session.commit()
    return _token(user)


def _token(user: User) -> str:
    """The signed set-up token: the account and a fingerprint of its placeholder password."""
    return _serializer().dumps({"u": user.id, "f": rules.invite_fingerprint(user.password_hash)})


def invited_user(token: str) -> User:
    """The account a set-up token is for, if it is unused, unexpired and the account is active."""
    try:
        data = _serializer().loads((token or "").strip(), max_age=invite_hours() * 3600)
    except (SignatureExpired, BadSignature):
        raise AccountError(LINK_BROKEN, "code") from None
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or not user.active or user.role not in STAFF_ROLES or user.last_login_at is not None \
            or user.listed_email is not None or rules.invite_fingerprint(user.password_hash) != data.get("f"):
        raise AccountError(LINK_BROKEN, "code")
    return user


def join_staff(token: str, password: str, now: datetime | None = None) -> User:
    """The invited person sets their password with the link; the link then stops working; audited; commits."""
    user = invited_user(token)
    user.password_hash = hash_password(password)
    user.password_changed_at = now or utcnow()
    user.session_token = new_token()
    audit.record("staff_joined", user=user, object_type="user", object_id=user.id)
    db.session.commit()
    return user


def set_staff_active(actor: User, user: User, active: bool) -> None:
    """Deactivate (sessions end at once) or reactivate a staff member; never oneself; audited; commits."""
    _same_clinic_staff(actor, user)
    if user.id == actor.id:
        raise AccountError(_l("You cannot deactivate your own account. Ask another admin."))
    if user.active == active:
        return
    accounts.set_active(actor, user, active)


def reset_two_factor(actor: User, user: User) -> None:
    """Clear a staff member's authenticator; they must set it up again at their next sign-in; audited; commits."""
    _same_clinic_staff(actor, user)
    if not user.totp_enabled and not user.totp_secret:
        raise AccountError(_l("Two-step sign-in is not set up for this person, so there is nothing to reset."))
    before = {"two_factor": bool(user.totp_enabled)}
    user.totp_secret, user.totp_enabled = None, False
    user.session_token = new_token()  # signed out now, so the next sign-in asks for the new set-up
    audit.record("two_factor_reset", user=actor, object_type="user", object_id=user.id,
                 before=before, after={"two_factor": False})
    db.session.commit()


def _same_clinic_staff(actor: User, user: User) -> None:
    """Refuse anyone who is not staff of the admin's own clinic."""
    if user is None or user.clinic_id != actor.clinic_id or user.role not in STAFF_ROLES:
        raise AccountError(_l("That account was not found."))

