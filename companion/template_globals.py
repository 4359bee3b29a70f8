"""Values every template may use: the clinic's numbers, navigation, versioned asset URLs."""
import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask, current_app, url_for
from flask_login import current_user

from companion.i18n import N_

DEFAULT_EMERGENCY = "911"
# (endpoint, label, roles): an item shows once its capability's endpoint exists; labels are translated in base.html.
NAV = [
    ("home.index", N_("Home"), ("patient", "caregiver")),
    ("diary.checkin", N_("Check-in"), ("patient", "caregiver")),
    ("diary.history", N_("Diary"), ("patient", "caregiver")),
    ("pump.card", N_("Pump"), ("patient", "caregiver")),
    ("consent.learn", N_("Learn"), ("patient", "caregiver")),
    ("careteam.queue", N_("Queue"), ("nurse", "physician", "admin")),
    ("careteam.roster", N_("Patients"), ("nurse", "physician", "admin")),
    ("pump.refills", N_("Refills"), ("nurse", "physician")),
    ("notify.index", N_("Messages"), ("patient", "caregiver", "nurse", "physician", "admin")),
    ("settings.index", N_("Settings"), ("admin",)),
    ("settings.staff", N_("Staff"), ("admin",)),
    ("audit.index", N_("Audit"), ("admin",)),
]


def clinic_context() -> dict:
    """The signed-in user's clinic (numbers for the emergency guidance), else safe defaults."""
    clinic = current_user.clinic if current_user.is_authenticated else None
    return {
        "clinic": clinic,
        "emergency_number": clinic.emergency_number if clinic else DEFAULT_EMERGENCY,
        "clinic_phone": clinic.phone if clinic else "",
        "out_of_hours_phone": clinic.out_of_hours_phone if clinic else "",
        "nav_items": nav_items,
        "asset": asset,
    }


def nav_items() -> list[tuple[str, str]]:
    """The navigation links for the signed-in role whose pages exist."""
    if not current_user.is_authenticated:
        return []
    views = current_app.view_functions
    return [(e, label) for e, label, roles in NAV if current_user.role in roles and e in views]


@lru_cache(maxsize=64)
def _digest(path: str, mtime: float) -> str:
    """A short content hash, so a changed file gets a new URL (and the SW cache updates)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:10]


def asset(filename: str) -> str:
    """A static URL with a content-hash query so browsers may cache it safely."""
    path = Path(current_app.static_folder, filename)
    version = _digest(str(path), path.stat().st_mtime) if path.exists() else "0"
    return url_for("static", filename=filename, v=version)


def tel(number: str) -> str:
    """A tel: link target from a phone number as people write it."""
    return "tel:" + "".join(ch for ch in (number or "") if ch.isdigit() or ch == "+")


def init_app(app: Flask) -> None:
    """Register the context processor and filters."""
    app.context_processor(clinic_context)
    app.jinja_env.filters["tel"] = tel
