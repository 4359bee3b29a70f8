"""Questionnaires as data (like a FHIR Questionnaire): items with stable link ids, no behaviour."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

KINDS = frozenset({"choice", "multi", "integer", "decimal", "text", "boolean"})
FREQUENCIES = frozenset({"daily", "weekly"})
REPORTERS = ("patient", "caregiver")
# Boolean items are posted as these codes so enable_when can compare plain strings.
YES, NO = "yes", "no"


@dataclass(frozen=True)
class Choice:
    """One answer option: a stable code stored in the diary and a plain-words label."""

    code: str
    label: str


@dataclass(frozen=True)
class Question:
    """One item; `integer` with choices renders as a row of large radio buttons (a 0-10 scale).

    `enable_when` is ANY-of: the item is shown when any (link_id, value) pair matches an
    earlier, itself enabled, answer. For `text`, `max` is the maximum length. `unit_choices`
    are posted as `<link_id>.unit`. `observation` names the vocabulary key the answer feeds
    (empty: kept as an answer only). `audience` says who is shown the item; `required` only
    applies to them.
    """

    link_id: str
    text: str
    kind: str
    choices: tuple[Choice, ...] = ()
    required: bool = False
    enable_when: tuple[tuple[str, str], ...] = ()
    help: str = ""
    min: float | None = None
    max: float | None = None
    unit_choices: tuple[Choice, ...] = ()
    group: str = ""
    frequency: str = "daily"
    observation: str = ""
    audience: tuple[str, ...] = REPORTERS

    def __post_init__(self) -> None:
        """Fail at import time on a malformed item rather than on a patient's phone."""
        if self.kind not in KINDS:
            raise ValueError(f"{self.link_id}: unknown kind {self.kind!r}")
        if self.frequency not in FREQUENCIES:
            raise ValueError(f"{self.link_id}: unknown frequency {self.frequency!r}")
        if self.kind in {"choice", "multi"} and not self.choices:
            raise ValueError(f"{self.link_id}: a {self.kind} item needs choices")
        if self.kind == "boolean" and {c.code for c in self.choices} - {YES, NO}:
            raise ValueError(f"{self.link_id}: boolean choices must be {YES!r}/{NO!r}")
        if self.kind in {"integer", "decimal"} and (self.min is None or self.max is None):
            raise ValueError(f"{self.link_id}: a number item needs min and max")
        codes = [c.code for c in self.choices]
        if len(codes) != len(set(codes)):
            raise ValueError(f"{self.link_id}: duplicate choice codes")
        if not set(self.audience) <= set(REPORTERS) or not self.audience:
            raise ValueError(f"{self.link_id}: bad audience {self.audience!r}")

    @property
    def codes(self) -> tuple[str, ...]:
        """The choice codes, in display order."""
        return tuple(c.code for c in self.choices)

    def label_for(self, code: str) -> str:
        """The label shown for a code (the code itself when unknown)."""
        return next((c.label for c in self.choices if c.code == code), code)


@dataclass(frozen=True)
class Questionnaire:
    """A versioned list of items; `groups` gives each item group its heading."""

    id: str
    version: str
    title: str
    items: tuple[Question, ...]
    groups: tuple[Choice, ...] = ()
    _index: dict[str, Question] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Check link ids are unique and enable_when only points back at earlier items."""
        seen: dict[str, Question] = {}
        for item in self.items:
            if item.link_id in seen:
                raise ValueError(f"{self.id}: duplicate link id {item.link_id!r}")
            for ref, _value in item.enable_when:
                if ref not in seen:
                    raise ValueError(f"{self.id}: {item.link_id} depends on unknown or later {ref!r}")
            seen[item.link_id] = item
        self._index.update(seen)

    def __getitem__(self, link_id: str) -> Question:
        """The item with this link id (KeyError if none)."""
        return self._index[link_id]

    def __contains__(self, link_id: object) -> bool:
        """Whether the questionnaire has an item with this link id."""
        return link_id in self._index

    @property
    def link_ids(self) -> tuple[str, ...]:
        """All link ids, in display order."""
        return tuple(item.link_id for item in self.items)

    def for_reporter(self, reporter: str) -> tuple[Question, ...]:
        """The items shown to a patient or a caregiver."""
        return tuple(item for item in self.items if reporter in item.audience)


def __getattr__(name: str) -> Any:
    """Lazily re-export the definitions, which import this module (avoids an import cycle)."""
    if name in {"CHECKIN", "WOUND", "POST_REFILL", "ALL"}:
        from companion.diary import questionnaires

        return getattr(questionnaires, name)
    raise AttributeError(name)
