"""A person's own settings and an admin's switch: language, password, phone, active or not."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from companion.accounts.models import Patient, User, new_token
from companion.accounts.passwords import hash_password, verify_password
from companion.accounts.services.common import AccountError
from companion.audit import services as audit
from companion.clock import utcnow
from companion.extensions import db
from companion.i18n import LANGUAGES


def set_language(user: User, language: str) -> None:
    """Save the language a patient or caregiver reads Companion in (staff pages stay English)."""
    if language not in LANGUAGES:
        raise AccountError(_l("Please choose a language from the list."), "language")
    if not user.is_staff:
        user.language = language
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
