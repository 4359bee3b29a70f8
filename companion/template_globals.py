"""Values every template may use: the clinic's numbers, navigation, versioned asset URLs."""
import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask, current_app, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

DEFAULT_EMERGENCY = "911"
# (endpoint, label, roles): an item shows once its capability's endpoint exists.
NAV = [
    ("home.index", "Home", ("patient", "caregiver")),
    ("diary.checkin", "Check-in", ("patient", "caregiver")),
    ("diary.history", "Diary", ("patient", "caregiver")),
    ("pump.card", "Pump", ("patient", "caregiver")),
    ("consent.learn", "Learn", ("patient", "caregiver")),
    ("careteam.queue", "Queue", ("nurse", "physician", "admin")),
    ("careteam.roster", "Patients", ("nurse", "physician", "admin")),
    ("pump.refills", "Refills", ("nurse", "physician")),
    ("notify.index", "Messages", ("patient", "caregiver", "nurse", "physician", "admin")),
    ("settings.index", "Settings", ("admin",)),
    ("settings.staff", "Staff", ("admin",)),
    ("audit.index", "Audit", ("admin",)),
]


# The patient side's bottom tab bar (issue 16): at most five, each with a label and an icon. "More" holds the
# rest (messages, learning, settings, account). A person with no pump yet gets Learn in place of Pump.
TABS = [("home.index", _l("Home"), "home"), ("diary.checkin", _l("Check-in"), "check"),
        ("diary.history", _l("Diary"), "diary"), ("pump.card", _l("Pump"), "pump"), ("home.more", _l("More"), "more")]
MORE_ENDPOINTS = ("home.more", "notify.", "consent.", "accounts.", "diary.settings")


def tab_items() -> list[dict]:
    """The tabs for the signed-in patient or caregiver, the current one marked."""
    from companion.accounts.context import caring_for
    from companion.accounts.queries import patient_for_user

    if not current_user.is_authenticated or current_user.is_staff:
        return []
    patient = caring_for() if current_user.role == "caregiver" else patient_for_user(current_user)
    endpoint = request.endpoint or ""
    tabs = []
    for target, label, icon in TABS:
        if target == "pump.card" and patient is not None and patient.therapy_stage == "before_trial":
            target, label, icon = "consent.learn", _l("Learn"), "learn"
        if target not in current_app.view_functions:
            continue
        current = endpoint == target or (target == "home.more" and endpoint.startswith(MORE_ENDPOINTS))
        tabs.append({"endpoint": target, "label": label, "icon": icon, "current": current})
    return tabs


def clinic_context() -> dict:
    """The signed-in user's clinic (numbers for the emergency guidance), else safe defaults."""
    clinic = current_user.clinic if current_user.is_authenticated else None
    return {
        "clinic": clinic,
        "emergency_number": clinic.emergency_number if clinic else DEFAULT_EMERGENCY,
        "clinic_phone": clinic.phone if clinic else "",
        "out_of_hours_phone": clinic.out_of_hours_phone if clinic else "",
        "nav_items": nav_items,
        "tab_items": tab_items,
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
