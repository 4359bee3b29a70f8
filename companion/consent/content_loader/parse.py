"""Parse and validate one version folder: version.yaml, NN-slug.md modules with YAML front matter."""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path
from typing import Any, Iterator

import yaml

from companion.consent.content_loader.markup import _markdown, html_to_text
from companion.consent.content_loader.model import (
    Choice, ContentError, ContentVersion, Module, Question, Source,
)

_MODULE_RE = re.compile(r"^(\d{2})-([a-z0-9-]+)\.md$")
_FRONT_MATTER_RE = re.compile(r"\A---\r?\n(.*?)\r?\n---\r?\n(.*)\Z", re.DOTALL)


def _require(data: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    """Return data[key] if present and of the given type, else raise ContentError."""
    if key not in data:
        raise ContentError(f"{where}: missing '{key}'")
    value = data[key]
    if not isinstance(value, kind):
        raise ContentError(f"{where}: '{key}' has the wrong type")
    return value


def _str_tuple(data: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    """Return an optional list of strings as a tuple."""
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ContentError(f"{where}: '{key}' must be a list of strings")
    return tuple(value)


def _parse_question(raw: Any, where: str) -> Question:
    """Validate and build one teach-back question."""
    if not isinstance(raw, dict):
        raise ContentError(f"{where}: question must be a mapping")
    qid = _require(raw, "id", str, where)
    where = f"{where} question {qid}"
    choices = []
    for c in _require(raw, "choices", list, where):
        if not isinstance(c, dict):
            raise ContentError(f"{where}: choice must be a mapping")
        choices.append(Choice(
            id=str(_require(c, "id", (str, int), where)),
            text=_require(c, "text", str, where).strip(),
            correct=_require(c, "correct", bool, where),
            explanation=_require(c, "explanation", str, where).strip(),
        ))
    if len(choices) < 2 or sum(c.correct for c in choices) != 1:
        raise ContentError(f"{where}: needs two or more choices and exactly one correct")
    if any(not c.explanation for c in choices):
        raise ContentError(f"{where}: every choice needs an explanation")
    if len({c.id for c in choices}) != len(choices):
        raise ContentError(f"{where}: duplicate choice ids")
    return Question(id=qid, text=_require(raw, "text", str, where).strip(), choices=tuple(choices))


def _parse_module(path: Path) -> Module:
    """Parse one NN-slug.md file into a Module."""
    where = path.name
    match = _FRONT_MATTER_RE.match(path.read_text(encoding="utf-8"))
    if not match:
        raise ContentError(f"{where}: no YAML front matter")
    meta = yaml.safe_load(match.group(1))
    if not isinstance(meta, dict):
        raise ContentError(f"{where}: front matter must be a mapping")
    body_html = _markdown().convert(match.group(2))
    diagram = meta.get("diagram")
    if diagram is not None and (not isinstance(diagram, str) or "/" in diagram or "\\" in diagram):
        raise ContentError(f"{where}: 'diagram' must be a bare file name")
    questions = tuple(_parse_question(q, where) for q in _require(meta, "questions", list, where))
    if len({q.id for q in questions}) != len(questions):
        raise ContentError(f"{where}: duplicate question ids")
    module = Module(
        id=_require(meta, "id", str, where),
        title=_require(meta, "title", str, where),
        order=_require(meta, "order", int, where),
        reading_minutes=_require(meta, "reading_minutes", int, where),
        topics=_str_tuple(meta, "topics", where),
        risk_topics=_str_tuple(meta, "risk_topics", where),
        sources=_str_tuple(meta, "sources", where),
        diagram=diagram,
        body_html=body_html,
        plain_text=html_to_text(body_html),
        questions=questions,
    )
    file_match = _MODULE_RE.match(path.name)
    if not file_match or int(file_match.group(1)) != module.order or file_match.group(2) != module.id:
        raise ContentError(f"{where}: file name must be NN-<id>.md with NN equal to 'order'")
    return module


def _content_files(folder: Path) -> Iterator[Path]:
    """Yield every non-hidden file of the folder itself in sorted order (translations sit in sub-folders)."""
    files = (p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    yield from sorted(files, key=lambda p: p.name)


def content_hash(folder: Path) -> str:
    """Return SHA-256 over each English file's relative path, length and raw bytes, in sorted order."""
    digest = hashlib.sha256()
    for path in _content_files(folder):
        data = path.read_bytes()
        digest.update(path.relative_to(folder).as_posix().encode("utf-8") + b"\0")
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def _parse_source(raw: Any) -> Source:
    """Validate and build one {key, citation} entry of version.yaml."""
    if not isinstance(raw, dict):
        raise ContentError("version.yaml: each source must be a mapping")
    return Source(
        key=_require(raw, "key", str, "version.yaml"),
        citation=_require(raw, "citation", str, "version.yaml"),
    )


def _load_folder(folder: Path) -> ContentVersion:
    """Parse a version folder into a ContentVersion."""
    meta_path = folder / "version.yaml"
    if not meta_path.is_file():
        raise ContentError(f"{folder}: no version.yaml")
    meta = yaml.safe_load(meta_path.read_text(encoding="utf-8"))
    if not isinstance(meta, dict):
        raise ContentError("version.yaml must be a mapping")
    version = str(_require(meta, "version", str, "version.yaml"))
    if version.replace(".", "-") != folder.name:
        raise ContentError(f"version.yaml: version {version} does not match folder {folder.name}")
    sources = tuple(_parse_source(s) for s in _require(meta, "sources", list, "version.yaml"))
    if len({s.key for s in sources}) != len(sources):
        raise ContentError("version.yaml: duplicate source keys")
    paths = folder.glob("[0-9][0-9]-*.md")
    modules = tuple(sorted((_parse_module(p) for p in paths), key=lambda m: m.order))
    if not modules:
        raise ContentError(f"{folder}: no modules")
    if len({m.id for m in modules}) != len(modules) or len({m.order for m in modules}) != len(modules):
        raise ContentError(f"{folder}: duplicate module id or order")
    return ContentVersion(
        version=version,
        major=_require(meta, "major", int, "version.yaml"),
        date=_require(meta, "date", dt.date, "version.yaml"),
        change_note=str(_require(meta, "change_note", str, "version.yaml")).strip(),
        sources=sources,
        modules=modules,
        content_hash=content_hash(folder),
    )
