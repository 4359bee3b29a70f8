"""The course in another language: es/NN-id.md beside each English module, checked, English when not ready."""
from __future__ import annotations

import dataclasses
import hashlib
import re
from pathlib import Path
from typing import Any

import yaml

from companion.consent import content_loader as cl

# The English course is the source; a translation sits in a sub-folder named by its language code.
TRANSLATED = ("es",)
# Why a module is shown in English to someone who asked for another language.
MISSING, OUT_OF_DATE, DIFFERS = "missing", "out_of_date", "differs"
# Written here, not in the catalogue: the note must be in the reader's language even while the catalogue lags.
FALLBACK_NOTES = {
    "es": {
        MISSING: "Esta parte todavía no está en español. Se la mostramos en inglés. "
                 "Pida ayuda a su equipo de la clínica si la necesita.",
        OUT_OF_DATE: "Esta parte cambió en inglés y la versión en español todavía no está al día. "
                     "Se la mostramos en inglés. Pida ayuda a su equipo de la clínica si la necesita.",
        DIFFERS: "La versión en español de esta parte tiene un error y la estamos revisando. "
                 "Se la mostramos en inglés. Pida ayuda a su equipo de la clínica si la necesita.",
    },
}
# Numbers a patient relies on ("about 2 in 100", "2.3 %", "1 in 10,000"): thousands grouped with a comma, a point
# or a no-break space ("10,000", "10.000", "10 000") read as 10000; a decimal comma counts as a point ("2,3" = 2.3).
_NUMBER_RE = re.compile(r"(?<![\w.,])(?:\d{1,3}(?:[,.\u00a0\u202f]\d{3})+|\d+(?:[.,]\d+)?)(?![\w]|[.,]\d)")
_GROUPED_RE = re.compile(r"^\d{1,3}(?:[,.\u00a0\u202f]\d{3})+$")
# Front-matter keys whose text is translated; every other key must equal the English value.
_TEXT_KEYS = {"title"}
_CHOICE_TEXT_KEYS = {"text", "explanation"}


def sha256_of(path: Path) -> str:
    """The SHA-256 (hex) of a file's bytes: what `translated_from` must hold for the English module file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _front_matter(path: Path) -> tuple[dict[str, Any], str]:
    """A module file's front matter (mapping) and Markdown body; ContentError when malformed."""
    match = cl._FRONT_MATTER_RE.match(path.read_text(encoding="utf-8"))
    meta = yaml.safe_load(match.group(1)) if match else None
    if not isinstance(meta, dict):
        raise cl.ContentError(f"{path.name}: no YAML front matter mapping")
    return meta, match.group(2)


def _skeleton(meta: dict[str, Any]) -> dict[str, Any]:
    """Everything of the front matter that is not translated: keys, ids, order, sources, correct flags."""
    plain = {k: v for k, v in meta.items() if k not in _TEXT_KEYS | {"questions", "translated_from"}}
    plain["questions"] = [
        {**{k: v for k, v in q.items() if k not in {"text", "choices"}},
         "choices": [{k: v for k, v in c.items() if k not in _CHOICE_TEXT_KEYS} for c in q.get("choices") or []],
         "keys": sorted(q), "choice_keys": [sorted(c) for c in q.get("choices") or []]}
        for q in meta.get("questions") or [] if isinstance(q, dict)
    ]
    plain["keys"] = sorted(k for k in meta if k != "translated_from")
    return plain


def numbers(module: cl.Module) -> list[str]:
    """The numerals of a module (text, questions, answers), sorted, decimal commas read as points."""
    parts = [module.plain_text] + [q.text for q in module.questions] + \
        [t for q in module.questions for c in q.choices for t in (c.text, c.explanation)]
    found = _NUMBER_RE.findall("\n".join(parts))
    return sorted({re.sub(r"\D", "", n) if _GROUPED_RE.match(n) else n.replace(",", ".") for n in found})


def translation_problems(english: Path, translated: Path) -> tuple[bool, list[str]]:
    """(out of date?, differences) between an English module file and its translation; both empty when fine."""
    meta, _body = _front_matter(translated)
    stale = meta.get("translated_from") != sha256_of(english)
    problems = []
    if not isinstance(meta.get("translated_from"), str):
        problems.append("'translated_from' must be the SHA-256 of the English file")
    en_meta, _ = _front_matter(english)
    if _skeleton(meta) != _skeleton(en_meta):
        problems.append("front matter differs from the English (keys, ids, order, sources, diagram or correct answers)")
    try:
        en_mod, tr_mod = cl._parse_module(english), cl._parse_module(translated)
    except cl.ContentError as error:
        return stale, problems + [str(error)]
    if numbers(en_mod) != numbers(tr_mod):
        problems.append(f"numbers differ: English {numbers(en_mod)}, translation {numbers(tr_mod)}")
    return stale, problems


def _hash_files(folder: Path, files: list[Path]) -> str:
    """SHA-256 over each file's path (relative to the version folder), length and bytes, in the order given."""
    digest = hashlib.sha256()
    for path in files:
        data = path.read_bytes()
        digest.update(path.relative_to(folder).as_posix().encode("utf-8") + b"\0")
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def translate(english: cl.ContentVersion, folder: Path, language: str) -> cl.ContentVersion:
    """The version as read in `language`: each ready translated module, else the English one marked why."""
    if language not in TRANSLATED:
        raise cl.ContentError(f"no course language {language!r}")
    modules, served = [], [folder / "version.yaml"]
    for module in english.modules:
        en_path = folder / f"{module.order:02d}-{module.id}.md"
        tr_path = folder / language / en_path.name
        reason = MISSING
        if tr_path.is_file():
            try:
                stale, problems = translation_problems(en_path, tr_path)
            except cl.ContentError:
                stale, problems = False, ["malformed"]
            reason = OUT_OF_DATE if stale else DIFFERS if problems else ""
        if reason:
            modules.append(dataclasses.replace(module, fallback=reason))
            served.append(en_path)
        else:
            modules.append(dataclasses.replace(cl._parse_module(tr_path), language=language))
            served.append(tr_path)
    return dataclasses.replace(english, modules=tuple(modules), language=language,
                               content_hash=_hash_files(folder, served))


def fallback_note(module: cl.Module, language: str) -> str:
    """The plain note, in the reader's language, on why this module is shown in English ('' when it is not)."""
    return FALLBACK_NOTES.get(language, {}).get(module.fallback, "") if module.fallback else ""
