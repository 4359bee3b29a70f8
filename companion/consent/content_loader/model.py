"""The content model: versions, modules and teach-back questions, immutable once loaded."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


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
