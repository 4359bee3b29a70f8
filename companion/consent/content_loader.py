"""Load versioned patient-education content (Markdown modules with YAML front matter)."""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Iterator
from xml.etree.ElementTree import Element

import markdown
import yaml
from markdown.treeprocessors import Treeprocessor

CONTENT_DIR = Path(__file__).resolve().parent / "content"
STATIC_IMG_DIR = Path(__file__).resolve().parents[2] / "static" / "img"

# Drug, device and therapy names a patient has to learn. Before readability scoring each is
# replaced by the one-syllable word "drug" so a long proper name does not raise the grade.
ALLOW_LIST: tuple[str, ...] = (
    "intrathecal", "catheter", "SynchroMed", "Prometra", "Infumorph", "Prialt",
    "opioid", "morphine", "hydromorphone", "fentanyl", "bupivacaine", "clonidine", "ziconotide",
    "baclofen", "benzodiazepine", "diazepam", "lorazepam", "gabapentin", "pregabalin", "naloxone",
    # The same names as the Spanish course spells them (issue 17), scored the same way.
    "intratecal", "catéter", "opioide", "morfina", "hidromorfona", "fentanilo", "bupivacaína", "clonidina",
    "ziconotida", "baclofeno", "benzodiazepina", "gabapentina", "pregabalina", "naloxona",
)

_FOLDER_RE = re.compile(r"^\d{4}-\d{2}$")
_MODULE_RE = re.compile(r"^(\d{2})-([a-z0-9-]+)\.md$")
_FRONT_MATTER_RE = re.compile(r"\A---\r?\n(.*?)\r?\n---\r?\n(.*)\Z", re.DOTALL)
_ALLOW_RE = re.compile(
    r"\b(?:" + "|".join(re.escape(w) for w in ALLOW_LIST) + r")(?:e?s)?\b", re.IGNORECASE
)
_SAFE_URL_RE = re.compile(r"^(?:https?:|mailto:|tel:|#|/|[\w.-]+(?:[/#?]|$))", re.I)
_BLOCK_TAGS = frozenset({"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr"})
_TERMINAL = (".", "!", "?")


class ContentError(ValueError):
    """Raised when a content folder is missing or malformed."""


@dataclass(frozen=True)
class Choice:
    """One answer to a teach-back question."""

    id: str
    text: str
    correct: bool
    explanation: str


@dataclass(frozen=True)
class Question:
    """A multiple-choice teach-back question with exactly one correct choice."""

    id: str
    text: str
    choices: tuple[Choice, ...]

    @property
    def correct_choice(self) -> Choice:
        """Return the single correct choice."""
        return next(c for c in self.choices if c.correct)


@dataclass(frozen=True)
class Source:
    """A cited source: key as in the clinical reference, and its citation."""

    key: str
    citation: str


@dataclass(frozen=True)
class Module:
    """One education module: metadata, rendered HTML, plain text and teach-back questions."""

    id: str
    title: str
    order: int
    reading_minutes: int
    topics: tuple[str, ...]
    risk_topics: tuple[str, ...]
    sources: tuple[str, ...]
    diagram: str | None
    body_html: str
    plain_text: str
    questions: tuple[Question, ...]
    language: str = "en"  # the language of the text above
    fallback: str = ""  # why English is shown to a reader of another language (missing / out_of_date / differs)

    @property
    def word_count(self) -> int:
        """Return the number of words in the module body."""
        return len(self.plain_text.split())


@dataclass(frozen=True)
class ContentVersion:
    """A complete, immutable version of the education content."""

    version: str
    major: int
    date: dt.date
    change_note: str
    sources: tuple[Source, ...]
    modules: tuple[Module, ...]
    content_hash: str  # of the files this language's reader is shown
    language: str = "en"

    def module(self, module_id: str) -> Module:
        """Return the module with this id or raise KeyError."""
        for mod in self.modules:
            if mod.id == module_id:
                return mod
        raise KeyError(module_id)

    @property
    def source_keys(self) -> frozenset[str]:
        """Return the set of source keys declared in version.yaml."""
        return frozenset(s.key for s in self.sources)

    @property
    def risk_topics(self) -> tuple[str, ...]:
        """Return every risk-topic id covered, in module order, without duplicates."""
        return tuple(dict.fromkeys(t for m in self.modules for t in m.risk_topics))


class _DropUnsafeUrls(Treeprocessor):
    """Remove href/src values that are not plain web, mail, phone or relative links."""

    def run(self, root: Element) -> None:
        """Strip unsafe URL attributes in place."""
        for el in root.iter():
            for attr in ("href", "src"):
                value = el.get(attr)
                if value is not None and not _SAFE_URL_RE.match(value.strip()):
                    del el.attrib[attr]


def _markdown() -> markdown.Markdown:
    """Return a Markdown converter that escapes raw HTML instead of passing it through."""
    md = markdown.Markdown(extensions=["sane_lists"], output_format="html")
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    md.treeprocessors.register(_DropUnsafeUrls(md), "drop_unsafe_urls", 0)
    return md


class _TextExtractor(HTMLParser):
    """Collect the text of rendered HTML, one line per block element."""

    def __init__(self) -> None:
        """Start with no text."""
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._buf: list[str] = []

    def _flush(self) -> None:
        """Close the current line."""
        text = " ".join("".join(self._buf).split())
        if text:
            self.lines.append(text)
        self._buf = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Start a new line at a block element."""
        if tag in _BLOCK_TAGS or tag in {"ul", "ol", "br"}:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        """End the line at the close of a block element."""
        if tag in _BLOCK_TAGS or tag in {"ul", "ol"}:
            self._flush()

    def handle_data(self, data: str) -> None:
        """Collect text."""
        self._buf.append(data)


def html_to_text(html: str) -> str:
    """Return the plain text of rendered HTML with one line per block."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    parser._flush()
    return "\n".join(parser.lines)


def readability_text(module: Module) -> str:
    """Return the text to score: each block ends a sentence and allow-listed names become 'drug'."""
    lines = []
    for line in module.plain_text.splitlines():
        line = line.strip()
        if line and not line.endswith(_TERMINAL):
            line = line.rstrip(":;,") + "."
        lines.append(line)
    return _ALLOW_RE.sub("drug", "\n".join(lines))


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


def _load_language(folder: Path, language: str) -> ContentVersion:
    """A version folder as read in one language (English, or a translation with English where it is not ready)."""
    english = _load_folder(folder)
    if language == "en":
        return english
    from companion.consent.content_languages import translate

    return translate(english, folder, language)


@functools.lru_cache(maxsize=16)
def _load_cached(folder: str, language: str) -> ContentVersion:
    """Load a packaged version folder in one language once per process."""
    return _load_language(Path(folder), language)


def available_versions(base_dir: Path | str | None = None) -> list[str]:
    """Return the version strings present (e.g. '2026.11'), oldest first."""
    base = Path(base_dir) if base_dir is not None else CONTENT_DIR
    if not base.is_dir():
        return []
    names = sorted(p.name for p in base.iterdir() if p.is_dir() and _FOLDER_RE.match(p.name))
    return [n.replace("-", ".") for n in names]


def load_version(version: str | None = None, language: str = "en",
                 base_dir: Path | str | None = None) -> ContentVersion:
    """Load a version ('2026.11' or '2026-11'; the newest when None) in a language; packaged versions are cached."""
    base = Path(base_dir) if base_dir is not None else CONTENT_DIR
    if version is None:
        versions = available_versions(base)
        if not versions:
            raise ContentError(f"{base}: no content versions")
        version = versions[-1]
    folder_name = version.replace(".", "-")
    if not _FOLDER_RE.match(folder_name):
        raise ContentError(f"invalid version {version!r}")
    folder = base / folder_name
    if not folder.is_dir():
        raise ContentError(f"unknown content version {version!r}")
    if base_dir is None:
        return _load_cached(str(folder), language)
    return _load_language(folder, language)


def clear_cache() -> None:
    """Forget cached versions (for tests and after deploying new content)."""
    _load_cached.cache_clear()

