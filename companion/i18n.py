"""The patient's language: which locale a request uses, wording for a person outside a request, fresh catalogues."""
import ast
import functools
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, has_request_context, request, session
from flask_babel import format_date, get_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

# The languages a patient or caregiver may choose; staff pages stay English (the clinic works in English).
LANGUAGES = {"en": "English", "es": "Español"}
DEFAULT = "en"
TRANSLATIONS = Path(__file__).parent / "translations"
SESSION_KEY = "lang"
# Words our scripts show (toasts, offline states): rendered into each page as JSON in its language, so the
# scripts (and the offline copies of pages the service worker keeps) need no catalogue of their own.
JS_STRINGS = {
    "forbidden": _l("You cannot do that here."),
    "not_saved": _l("Not saved. Please try again."),
    "no_connection": _l("No connection. Please try again when you have signal."),
    "not_saved_phone": _l("Could not save on this phone. Please try again."),
    "sign_in_to_send": _l("Sign in to send them"),
    "no_sound": _l("This phone cannot play the sound."),
    "card_update": _l("Update the card on this phone"),
    "card_saved": _l("Saved. This card now opens on this phone, even with no signal."),
    "alerts_unsupported": _l("This browser cannot show alerts."),
    "alerts_on": _l("Alerts are on for this device."),
    "alerts_failed": _l("Alerts could not be turned on. Please try again."),
    "alerts_blocked": _l("Alerts are off. Allow notifications in the browser settings to turn them on."),
    "alerts_off": _l("Alerts are off."),
    "try_again": _l("Please try again."),
}  # the choice of someone not signed in (sign-in page), kept in the signed session cookie


def N_(text: str) -> str:
    """Mark a constant for extraction; it is translated where it is used (with the reader's locale)."""
    return text


def supported(code: str | None) -> str:
    """The code if we have it, else the default (an unknown value never reaches Babel)."""
    return code if code in LANGUAGES else DEFAULT


def language_of(user) -> str:
    """The language this person reads: staff always English, patients and caregivers their setting."""
    if user is None or getattr(user, "is_staff", False):
        return DEFAULT
    return supported(getattr(user, "language", None))


def select_locale() -> str:
    """Flask-Babel's selector: the signed-in person's setting, else their choice on the sign-in page, else the browser."""
    if not has_request_context():
        return DEFAULT
    if current_user.is_authenticated:
        return language_of(current_user)
    chosen = session.get(SESSION_KEY)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(list(LANGUAGES)) or DEFAULT


def language_name(code: str) -> str:
    """A language's name in English, for staff pages ("Spanish")."""
    from babel import Locale

    return Locale.parse(supported(code)).get_display_name("en").capitalize()


def html_lang() -> str:
    """The value of <html lang>: the language this page is in."""
    locale = get_locale()
    return locale.language if locale else DEFAULT


# Date patterns written for English, as each other language writes them ("lunes 21 de diciembre de 2026", 24-hour).
PATTERNS = {
    "es": {"EEEE d MMMM y": "EEEE d 'de' MMMM 'de' y", "d MMM y": "d MMM y",
           "EEEE d MMMM y, h:mm a": "EEEE d 'de' MMMM 'de' y, H:mm", "EEE d MMM y, h:mm a": "EEE d MMM y, H:mm",
           "h:mm a": "H:mm", "EEE d MMM": "EEE d MMM"},
}


def pattern(english: str) -> str:
    """The page language's form of a date pattern written for English."""
    return PATTERNS.get(html_lang(), {}).get(english, english)


def short_day(value) -> str:
    """A day as 'Mon 7 Dec' / 'lun 7 dic', in the page's language."""
    return format_date(value, "EEE d MMM") if value else ""


def js_strings() -> dict[str, str]:
    """The scripts' words in this page's language (a JSON island in base.html)."""
    return {key: str(text) for key, text in JS_STRINGS.items()}


RULES = Path(__file__).parent / "escalation" / "rules"
# Sentence constants in the rules files that only staff read (a reason's rationale), so never patient wording.
STAFF_CONSTANTS = frozenset({"NALOXONE_STEPS"})


def rule_sentences(path: Path) -> list[tuple[int, str]]:
    """The patient wording in one red-flag rules file: reason()'s `what` and `after`, patient(...), ACTION and
    sentence constants."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        values = []
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "reason":
            values = [a for i, a in enumerate(node.args) if i in (2, 5)]
            values += [k.value for k in node.keywords if k.arg in ("what", "after")]
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "patient":
            values = node.args[:1]
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict) and \
                any(getattr(t, "id", "") == "ACTION" for t in node.targets):
            values = node.value.values
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and \
                str(node.value.value).endswith(".") and " " in str(node.value.value) and \
                not any(getattr(t, "id", "") in STAFF_CONSTANTS for t in node.targets):
            values = [node.value]
        found += [(v.lineno, v.value) for v in values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
    return found


@functools.lru_cache(maxsize=1)
def _rule_pieces() -> tuple[str, ...]:
    """Every piece a red-flag patient text is joined from, longest first (for the greedy match below)."""
    pieces = {text for path in RULES.glob("*.py") for _line, text in rule_sentences(path)}
    return tuple(sorted(pieces, key=len, reverse=True))


def say(message: str) -> str:
    """A form message in the page's language; one with values (companion.diary.rules.Message) keeps them."""
    msgid = getattr(message, "msgid", None)
    return gettext(msgid, **message.params) if msgid else gettext(message)


def red_flag_text(text: str) -> str:
    """A red-flag patient text (pieces joined by the pure rules, in English) in the page's language, piece by piece."""
    out, rest = [], text.strip()
    while rest:
        piece = next((p for p in _rule_pieces() if rest.startswith(p)), None)
        if piece is None:
            out.append(rest)  # wording we do not know: shown as written rather than lost
            break
        out.append(gettext(piece))
        rest = rest[len(piece):].strip()
    return " ".join(out)


def compile_catalogues(directory: Path = TRANSLATIONS) -> list[Path]:
    """Compile each .po whose .mo is missing or older (a fresh clone, or a .po just edited); return what was written."""
    written = []
    for po_path in sorted(directory.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=po_path.parts[-3])
        try:
            with mo_path.open("wb") as handle:
                write_mo(handle, catalog)  # fuzzy entries are left out, as `pybabel compile` does
        except OSError:
            continue  # a read-only install: `make install` compiled them already
        written.append(mo_path)
    return written


def init_app(app: Flask) -> None:
    """Compile stale catalogues and give templates the page language and a localised short date."""
    compile_catalogues()
    app.jinja_env.globals["html_lang"] = html_lang
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
    app.jinja_env.globals["js_strings"] = js_strings
    app.jinja_env.globals["language_name"] = language_name
    app.jinja_env.filters["short_day"] = short_day
    app.jinja_env.filters["red_flag"] = red_flag_text
    app.jinja_env.filters["say"] = say
