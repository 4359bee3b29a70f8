"""A Babel extractor for the questionnaires: their wording is data (Question/Choice), not _() calls."""
import importlib
from dataclasses import fields, is_dataclass
from pathlib import Path

TEXT_FIELDS = ("text", "help", "label", "title")


def _strings(value, seen: set[int]):
    """Every user-facing string inside a questionnaire object (questions, choices, group headings)."""
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, (tuple, list)):
        for item in value:
            yield from _strings(item, seen)
    elif is_dataclass(value) and not isinstance(value, type):
        for f in fields(value):
            attr = getattr(value, f.name)
            if f.name in TEXT_FIELDS and isinstance(attr, str) and attr.strip() and not attr.strip().isdigit():
                yield attr
            elif isinstance(attr, (tuple, list)) or is_dataclass(attr):
                yield from _strings(attr, seen)


PUMP_FIELDS = ("mri_patient_note", "before_mri", "after_mri")  # what the patient's card and MRI page show


def pump_models(fileobj, keywords, comment_tags, options):
    """Babel extraction method for companion/pump/schedule.py (pure, so no _()): each model's patient wording."""
    from companion.pump.schedule import PUMP_MODELS

    source = Path(fileobj.name).read_text(encoding="utf-8").splitlines()
    found: dict[str, int] = {}
    for model in PUMP_MODELS.values():
        for name in PUMP_FIELDS:
            value = getattr(model, name)
            for text in (value,) if isinstance(value, str) else value:
                first = text.split(". ")[0][:40]
                found.setdefault(text, next((n for n, row in enumerate(source, 1) if first in row), 1))
    for text, line in found.items():
        yield line, "gettext", text, []


def dict_values(fileobj, keywords, comment_tags, options):
    """Babel extraction method for pure modules: the values of the dicts named in the `names` option (labels)."""
    path = Path(fileobj.name).resolve()
    root = Path(__file__).resolve().parents[2]
    parts = path.relative_to(root).with_suffix("").parts
    module = importlib.import_module(".".join(parts[:-1] if parts[-1] == "__init__" else parts))  # a package too
    source = path.read_text(encoding="utf-8").splitlines()
    for name in options.get("names", "").split():
        for text in getattr(module, name).values():
            yield next((n for n, row in enumerate(source, 1) if f'"{text}"' in row), 1), "gettext", text, []


def red_flags(fileobj, keywords, comment_tags, options):
    """Babel extraction method for the pure red-flag rules: the pieces patient texts are joined from."""
    from companion.i18n import rule_sentences

    for line, text in rule_sentences(Path(fileobj.name)):
        yield line, "gettext", text, []


def questionnaires(fileobj, keywords, comment_tags, options):
    """Babel extraction method: import the questionnaire module and yield each wording once, at its line."""
    path = Path(fileobj.name).resolve()
    root = Path(__file__).resolve().parents[2]
    module = importlib.import_module(".".join(path.relative_to(root).with_suffix("").parts))
    source = path.read_text(encoding="utf-8").splitlines()
    found: dict[str, int] = {}
    seen: set[int] = set()
    for name, value in vars(module).items():
        if name.startswith("_"):
            continue
        for text in _strings(value, seen):
            # Only wording written in this file (a scale end "0 (no pain)" is written as "(no pain)");
            # an item imported from common.py is extracted there, once.
            needle = text.split(" ", 1)[1] if text.split(" ", 1)[0].isdigit() and " " in text else text
            line = next((n for n, row in enumerate(source, 1) if needle in row), 0)
            if line:
                found.setdefault(text, line)
    for text, line in found.items():
        yield line, "gettext", text, []
