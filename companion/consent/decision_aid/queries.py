"""Read-only look-ups: the decision aid in the reader's language, and a patient's newest values answers."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import get_locale
from sqlalchemy import select

from companion.consent.decision_aid import rules
from companion.consent.decision_aid.content import DecisionAid, load
from companion.consent.decision_aid.models import DecisionAidAnswer
from companion.extensions import db


def current_aid() -> DecisionAid:
    """The decision aid in the language of this request (English when there is no file for it)."""
    locale = get_locale()
    return load(locale.language if locale else "en")


def latest_answer(patient_id: int) -> DecisionAidAnswer | None:
    """The patient's newest save of the values exercise, or None."""
    return db.session.scalars(select(DecisionAidAnswer).where(DecisionAidAnswer.patient_id == patient_id)
                              .order_by(DecisionAidAnswer.saved_at.desc(), DecisionAidAnswer.id.desc())
                              .limit(1)).first()


@dataclass(frozen=True)
class Summary:
    """What the patient brings to the visit: values most important first, leaning and questions."""

    aid: DecisionAid
    answer: DecisionAidAnswer | None

    @property
    def values(self) -> list[tuple[str, int | None]]:
        """(value text, rating or None) for every value, most important first."""
        texts = {v.key: v.text for v in self.aid.values}
        ratings = dict(self.answer.ratings) if self.answer else {}
        return [(texts[k], r) for k, r in rules.ranked(ratings, list(texts))]

    @property
    def leaning(self) -> str:
        """The name of the option the patient leans toward, or empty (unsure or not said)."""
        option = self.aid.option(self.answer.leaning) if self.answer else None
        return option.name if option else ""

    @property
    def unsure(self) -> bool:
        """The patient said they are not sure yet."""
        return bool(self.answer) and self.answer.leaning == rules.UNSURE


def summary(patient_id: int, aid: DecisionAid | None = None) -> Summary:
    """The visit summary for one patient."""
    return Summary(aid or current_aid(), latest_answer(patient_id))
