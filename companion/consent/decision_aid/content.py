"""Loads the decision aid's content: one YAML file per language with the same keys, plus the shared sources."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml

CONTENT_DIR = Path(__file__).parent / "content"
LANGUAGES = ("en", "es")
FIGURES = ("count", "range", "text", "none")  # icon array, icon array with a range, number in words, none


@dataclass(frozen=True)
class Outcome:
    """A benefit or harm of one option, with its chance out of 100 when a source gives one."""

    key: str
    kind: str
    figure: str
    sentence: str
    sources: tuple[str, ...]
    count: int | None = None
    high: int | None = None
    period: str | None = None


@dataclass(frozen=True)
class Option:
    """One choice the patient can make, staying with the current treatment included."""

    key: str
    name: str
    involves: str
    living_with: str
    certainty: str
    outcomes: tuple[Outcome, ...]
    sources: tuple[str, ...]
    glance: tuple[str, ...] = ()

    @property
    def benefits(self) -> list[Outcome]:
        """The good outcomes."""
        return [o for o in self.outcomes if o.kind == "benefit"]

    @property
    def harms(self) -> list[Outcome]:
        """The bad outcomes."""
        return [o for o in self.outcomes if o.kind == "harm"]


@dataclass(frozen=True)
class Value:
    """One thing the patient may care about, rated in the values exercise."""

    key: str
    text: str


@dataclass(frozen=True)
class DecisionAid:
    """The whole decision aid in one language."""

    language: str
    content_date: date
    evidence_date: date
    next_review: date
    title: str
    intro: str
    people_like_you: str
    glance_title: str
    glance_columns: tuple[str, ...]
    options: tuple[Option, ...]
    values: tuple[Value, ...]
    about: dict
    measured_grade: float
    sources: tuple[dict, ...]

    @property
    def version(self) -> str:
        """The content's date, kept with the patient's answers."""
        return self.content_date.isoformat()

    def option(self, key: str) -> Option | None:
        """The option with this key, or None."""
        return next((o for o in self.options if o.key == key), None)

    def cited(self) -> list[dict]:
        """The sources any option cites, in the order of the source list."""
        used = {k for o in self.options for k in o.sources + tuple(s for x in o.outcomes for s in x.sources)}
        return [s for s in self.sources if s["key"] in used]


def read_raw(language: str) -> dict:
    """The language file as plain data (for the key-parity test)."""
    return yaml.safe_load((CONTENT_DIR / f"{language}.yaml").read_text(encoding="utf-8"))


def _outcome(raw: dict) -> Outcome:
    """An outcome from its YAML mapping."""
    return Outcome(key=raw["key"], kind=raw["kind"], figure=raw["figure"], sentence=" ".join(raw["sentence"].split()),
                   sources=tuple(raw.get("sources") or ()), count=raw.get("count"), high=raw.get("high"),
                   period=raw.get("period"))


@lru_cache(maxsize=4)
def load(language: str = "en") -> DecisionAid:
    """The decision aid in a language (English when that language has no file)."""
    language = language if language in LANGUAGES and (CONTENT_DIR / f"{language}.yaml").is_file() else "en"
    raw = read_raw(language)
    options = tuple(Option(key=o["key"], name=o["name"], involves=" ".join(o["involves"].split()),
                           living_with=" ".join(o["living_with"].split()), certainty=" ".join(o["certainty"].split()),
                           outcomes=tuple(_outcome(x) for x in o["outcomes"]), sources=tuple(o.get("sources") or ()),
                           glance=tuple(o["glance"]))
                    for o in raw["options"])
    sources = tuple(yaml.safe_load((CONTENT_DIR / "sources.yaml").read_text(encoding="utf-8")))
    return DecisionAid(language=raw["language"], content_date=raw["content_date"], evidence_date=raw["evidence_date"],
                       next_review=raw["next_review"], title=raw["title"], intro=" ".join(raw["intro"].split()),
                       people_like_you=" ".join(raw["people_like_you"].split()), options=options,
                       glance_title=raw["glance_title"], glance_columns=tuple(raw["glance_columns"]),
                       values=tuple(Value(v["key"], v["text"]) for v in raw["values"]),
                       about={k: " ".join(v.split()) for k, v in raw["about"].items()},
                       measured_grade=float(raw["measured_grade"]), sources=sources)


def _sentence(text: str) -> str:
    """Text ending like a sentence, so a reading score counts list items as sentences."""
    return text if text.rstrip().endswith((".", "?", "!", ":")) else text + "."


def option_text(option: Option) -> str:
    """All the words a patient reads about one option (for the reading-level tests)."""
    parts = [_sentence(option.name), option.involves, option.living_with, option.certainty]
    return " ".join(parts + [o.sentence for o in option.outcomes])


def patient_text(aid: DecisionAid) -> str:
    """All the words a patient reads in the decision aid, from its content file (for the reading score)."""
    parts = [_sentence(aid.title), aid.intro, aid.people_like_you] + [option_text(o) for o in aid.options]
    parts += [_sentence(v.text) for v in aid.values]
    parts += [aid.about[k] for k in ("authors", "conflicts", "funding", "update_policy")]
    return " ".join(parts)
