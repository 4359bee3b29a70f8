"""Argon2id password hashing (argon2-cffi); the cheapest profile only in tests."""
import re

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from zxcvbn import zxcvbn

_DEFAULT = PasswordHasher()  # Argon2id, RFC 9106 low-memory profile
_TEST = PasswordHasher.from_parameters(profiles.CHEAPEST)
# Verifying against this keeps the time for unknown emails like the time for known ones.
_DUMMY_HASH = _DEFAULT.hash("not-a-real-password")


def _hasher() -> PasswordHasher:
    """The test profile only when the app is configured for tests."""
    return _TEST if current_app.config.get("ARGON2_PROFILE") == "test" else _DEFAULT


def hash_password(password: str) -> str:
    """Hash a new password with Argon2id."""
    return _hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when the password matches; always spends the hashing time."""
    try:
        return _hasher().verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def _compact(text: str) -> str:
    """Lower-case letters and digits only: 'Margaret.Hughes' and 'margaret hughes' compare alike."""
    return re.sub(r"[^a-z0-9]+", "", (text or "").lower())


def _personal_words(personal) -> tuple[list[str], list[str]]:
    """The person's own words: whole ones (an email's local part, a full name) and their parts (4+ letters)."""
    whole, parts = [], []
    for value in personal:
        value = (value or "").strip().lower()
        local = value.partition("@")[0]
        whole.append(_compact(local))
        parts += re.split(r"[^a-z0-9]+", local)
    return [w for w in whole if len(w) >= 4], [p for p in parts if len(p) >= 4]


def _uses_personal(password: str, personal) -> bool:
    """The whole email prefix or name inside the password, or one part of it with little else beside it."""
    whole, parts = _personal_words(personal)
    compact = _compact(password)
    return any(w in compact for w in whole) or any(p in compact and len(compact) - len(p) < 8 for p in parts)


def check_new_password(password: str, personal=()) -> str | None:
    """A plain message when a new password is too weak (ASVS 6.2: length, no composition rules, refused when it
    is easy to guess by zxcvbn's offline frequency lists, built on the person's own email or name, or the demo
    password outside demo mode)."""
    if len(password) < 12:
        return _("Use at least 12 characters. A few words together work well.")
    if len(password) > 128:
        return _("Use at most 128 characters.")
    lowered = password.lower()
    from companion.demo import PASSWORD as DEMO_PASSWORD

    if DEMO_PASSWORD in lowered and not current_app.config.get("DEMO_MODE"):
        return _("That password is too common. Try a few words together.")
    if _uses_personal(password, personal):
        return _("Do not use your email or name in your password. Try a few other words together.")
    if lowered in COMMON or zxcvbn(password[:100], user_inputs=sum(_personal_words(personal), []))["score"] < 3:
        return _("That password is too easy to guess. Try a few words together.")
    return None


COMMON = frozenset(
    "password password123 123456789012 qwertyuiopas iloveyou1234 companion123 letmein12345 "
    "welcome12345 passwordpassword 111111111111 000000000000 abcdefghijkl".split()
)
