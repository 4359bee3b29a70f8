"""Values every template may use: the clinic's numbers, navigation, versioned asset URLs."""
import hashlib
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

from flask import Flask, current_app, request, url_for
from flask_babel import lazy_gettext as _l
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
    ("reports.index", N_("Reports"), ("nurse", "physician", "admin")),
    ("notify.index", N_("Messages"), ("patient", "caregiver", "nurse", "physician", "admin")),
    ("settings.index", N_("Settings"), ("admin",)),
    ("settings.staff", N_("Staff"), ("admin",)),
    ("audit.index", N_("Audit"), ("admin",)),
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


# Stored codes staff would otherwise read raw; any other snake_case code falls back to its words.
CODE_WORDS = {"confusion_new": "new confusion", "cloudy_or_pus": "cloudy or pus", "dose_increase": "dose increase",
              "two_tone": "two-tone alarm", "hard_to_wake": "hard to wake", "drifts_off": "drifts off",
              "slightly_drowsy": "slightly drowsy", "first_fill": "first fill", "dose_change": "dose change",
              "simple_continuous": "simple continuous", "before_trial": "before trial", "post_implant": "after implant"}
_CODE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
_STORED = re.compile(r"\b\d+\.\d{3,}\b")  # stored amounts carry 4 decimals; "2026.10" (a version) is left alone


def amount(value) -> str:
    """A number as people write it: 5.0000 -> 5, 0.2500 -> 0.25, 1E+1 -> 10 (no exponent); text unchanged."""
    if value is None or isinstance(value, bool):
        return "" if value is None else str(value)
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not number.is_finite():
        return str(value)
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "") else text


def words(text) -> str:
    """Staff-facing text with stored codes in words and numbers without trailing zeros ("5.0000 mg" -> "5 mg")."""
    text = _CODE.sub(lambda m: CODE_WORDS.get(m.group(0), m.group(0).replace("_", " ")), str(text or ""))
    return _STORED.sub(lambda m: amount(m.group(0)), text)


def tel(number: str) -> str:
    """A tel: link target from a phone number as people write it."""
    return "tel:" + "".join(ch for ch in (number or "") if ch.isdigit() or ch == "+")


def init_app(app: Flask) -> None:
    """Register the context processor and filters."""
    app.context_processor(clinic_context)
    app.jinja_env.filters["tel"] = tel
    app.jinja_env.filters["amount"] = amount
    app.jinja_env.filters["words"] = words
