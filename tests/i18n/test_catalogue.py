"""Every string a patient or caregiver can see has a Spanish translation: none missing, fuzzy or empty, and the
same %(placeholders)s. Staff-only files (below) may stay English: the clinic works in English.

After merging a branch that adds strings, run `make translations` (extract + update) and then this test: it
lists each patient-facing entry still to translate with the file and line it comes from.
"""
import re
from fnmatch import fnmatch
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from companion.i18n import LANGUAGES, TRANSLATIONS

ROOT = Path(__file__).resolve().parents[2]
# Files only staff see. An entry needs a translation when any one of its places is outside these.
STAFF_ONLY = (
    "templates/careteam/*", "templates/clinic/*", "templates/audit/*",
    "templates/escalation/_queue.html", "templates/escalation/_staff_case.html", "templates/escalation/staff_case.html",
    "templates/escalation/queue.html",
    "templates/pump/staff.html", "templates/pump/_staff.html", "templates/pump/refills.html",
    "templates/pump/_refills.html", "templates/pump/_refill_form.html",
    "templates/diary/staff_diary.html", "templates/consent/session.html", "templates/consent/care_module.html",
    "templates/accounts/two_factor.html", "templates/accounts/two_factor_setup.html",
    "companion/careteam/*", "companion/clinic/*", "companion/audit/*", "companion/pump/views/staff.py",
    "templates/_macros/language.html",
    # After the merge (issues 13, 14, 16, 19): the queue row and its parts, the staff case's contact log, the
    # acknowledge/resolve forms, the dose double check, clinic pump settings, refills waiting in the queue, the
    # values summary in the consent session and the staff idle-timeout warning (base.html shows it to staff only).
    "companion/escalation/forms.py", "templates/escalation/_case_row.html", "templates/escalation/_contact.html",
    "templates/escalation/_paged.html", "templates/escalation/_ack_buttons.html",
    "templates/escalation/_overdue_badge.html", "templates/pump/_confirm_card.html", "templates/pump/_settings.html",
    "templates/pump/settings.html", "templates/pump/_waiting_refills.html",
    "templates/consent/decision_aid/_staff_values.html", "templates/accounts/_idle_warning.html",
)
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sdif]")


def patient_facing(locations) -> bool:
    """True when any place the string is used is outside the staff-only files."""
    return any(not any(fnmatch(path, pattern) for pattern in STAFF_ONLY) for path, _line in locations)


def catalogue(code: str):
    with (TRANSLATIONS / code / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=code)


def problems(code: str) -> list[str]:
    """Each patient-facing entry that is missing, fuzzy, empty or has other placeholders, with where it is used."""
    found = []
    template = catalogue(code)
    for message in template:
        if not message.id or not patient_facing(message.locations):
            continue
        where = ", ".join(f"{p}:{n}" for p, n in message.locations[:3])
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            found.append(f"fuzzy   {ids[0]!r} ({where})")
        elif not all(s.strip() for s in strings):
            found.append(f"missing {ids[0]!r} ({where})")
        elif any(sorted(PLACEHOLDER.findall(s)) != sorted(PLACEHOLDER.findall(ids[-1])) for s in strings):
            found.append(f"placeholders differ {ids[0]!r} -> {strings[0]!r} ({where})")
    return found


OTHER = [code for code in LANGUAGES if code != "en"]


@pytest.mark.parametrize("code", OTHER)
def test_every_patient_facing_string_is_translated(code):
    found = problems(code)
    assert not found, f"{len(found)} patient-facing entries to fix in {code}/messages.po:\n" + "\n".join(found)


@pytest.mark.parametrize("code", OTHER)
def test_the_catalogue_knows_every_string_in_the_code(code, tmp_path):
    """The committed .po was updated after the last string was added (else `make translations` was forgotten)."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None, "N_": None}
    in_code = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=keywords):
        in_code.add(message[0] if isinstance(message, tuple) else message)
    known = {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalogue(code) if m.id}
    new = sorted(in_code - known)
    assert not new, f"{len(new)} strings not in {code}/messages.po: run `make translations`. First: {new[:10]}"


def test_the_check_can_fail(tmp_path, monkeypatch):
    """A missing, a fuzzy and a broken-placeholder entry are each reported; a staff-only one is not."""
    folder = tmp_path / "xx" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text(
        'msgid ""\nmsgstr ""\n\n'
        '#: templates/home/index.html:1\nmsgid "Hello"\nmsgstr ""\n\n'
        '#: templates/home/index.html:2\n#, fuzzy\nmsgid "Good day"\nmsgstr "Buen día"\n\n'
        '#: templates/home/index.html:3\nmsgid "Call %(number)s"\nmsgstr "Llame al %(numero)s"\n\n'
        '#: templates/careteam/queue.html:3\nmsgid "Queue"\nmsgstr ""\n\n'
        '#: templates/home/index.html:4\nmsgid "Yes"\nmsgstr "Sí"\n', encoding="utf-8")
    monkeypatch.setattr("tests.i18n.test_catalogue.TRANSLATIONS", tmp_path)
    found = problems("xx")
    assert [line.split()[0] for line in found] == ["missing", "fuzzy", "placeholders"], found


def untranslated(code: str, texts) -> list[str]:
    """The texts that have no finished translation (absent, fuzzy or empty) in the `code` catalogue."""
    done = {m.id for m in catalogue(code) if m.id and not m.fuzzy and isinstance(m.id, str) and m.string.strip()}
    return [text for text in texts if text not in done]


@pytest.mark.parametrize("code", OTHER)
def test_every_warning_sign_and_red_flag_text_is_translated(code):
    """The one warning-sign table (card, help, offline and 503 pages) and every piece of the rules' patient texts:
    a sign added without _() or without its Spanish fails here (issue 17), not only on the screen."""
    from companion.escalation.warning_signs import SIGNS
    from companion.i18n import RULES, rule_sentences

    assert untranslated(code, [sign.card for sign in SIGNS]) == []
    pieces = sorted({text for path in RULES.glob("*.py") for _line, text in rule_sentences(path)})
    assert len(pieces) > 20 and untranslated(code, pieces) == []


def test_the_warning_sign_check_can_fail():
    """A sign whose wording has no Spanish is reported."""
    from companion.escalation.warning_signs import SIGNS

    assert untranslated("es", [SIGNS[0].card, "A new sign nobody has translated"]) == [
        "A new sign nobody has translated"]


def test_every_babel_section_reads_a_file():
    """A section of babel.cfg whose path matches no file (a module that became a package) extracts nothing."""
    from babel.messages.frontend import parse_mapping_cfg
    from babel.util import pathmatch

    with (ROOT / "babel.cfg").open() as handle:
        method_map, _options = parse_mapping_cfg(handle)
    files = [p.relative_to(ROOT).as_posix() for p in ROOT.glob("companion/**/*") if p.is_file()]
    files += [p.relative_to(ROOT).as_posix() for p in ROOT.glob("templates/**/*") if p.is_file()]
    empty = [pattern for pattern, _method in method_map if not any(pathmatch(pattern, f) for f in files)]
    assert empty == [], f"babel.cfg sections that match no file: {empty}"


def unknown_pieces(text: str) -> str:
    """What is left of a red-flag patient text after the known pieces (what the screen would show in English)."""
    from companion.i18n import _rule_pieces

    rest = text.strip()
    while rest:
        piece = next((p for p in _rule_pieces() if rest.startswith(p)), None)
        if piece is None:
            return rest
        rest = rest[len(piece):].strip()
    return ""


def test_every_vignettes_patient_text_is_made_of_translated_pieces():
    """Each patient text the rules give on every vignette splits into extracted pieces, each translated: wording
    kept in a table or a variable must be marked patient(...) or the Spanish screen shows it in English."""
    from companion.escalation import vignettes
    from companion.escalation.rules import evaluate
    from companion.i18n import _rule_pieces

    folder = ROOT / "tests" / "clinical"
    cases = vignettes.load(folder / "vignettes.yaml") + vignettes.load(folder / "vignettes-2.yaml")
    texts = {t for v in cases for t in evaluate(v.observations, v.context).patient_texts}
    assert len(texts) > 30
    assert {t: unknown_pieces(t) for t in texts if unknown_pieces(t)} == {}
    for code in OTHER:
        assert untranslated(code, _rule_pieces()) == []


def test_an_unmarked_patient_sentence_is_found():
    assert unknown_pieces("Call your clinic now.") == ""
    assert unknown_pieces("A sentence kept in a table. Call your clinic now.") == (
        "A sentence kept in a table. Call your clinic now.")
