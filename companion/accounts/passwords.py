"""Argon2id password hashing (argon2-cffi); the cheapest profile only in tests."""
from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _

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


def check_new_password(password: str) -> str | None:
    """A plain message when a new password is too weak (ASVS 6.2: length, not composition)."""
    if len(password) < 12:
        return _("Use at least 12 characters. A few words together work well.")
    if len(password) > 128:
        return _("Use at most 128 characters.")
    if password.lower() in COMMON:
        return _("That password is too common. Try a few words together.")
    return None


COMMON = frozenset(
    "password password123 123456789012 qwertyuiopas iloveyou1234 companion123 letmein12345 "
    "welcome12345 passwordpassword 111111111111 000000000000 abcdefghijkl".split()
)
