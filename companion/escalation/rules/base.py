"""Shared pieces of the red-flag rules: vocabulary, Reason, Result and typed reads of the input."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..vocabulary import SEDATIVES, WITHDRAWAL_SIGNS

TIERS = ("emergency", "urgent", "routine", "none")  # most severe first
RANK = {tier: len(TIERS) - i for i, tier in enumerate(TIERS)}
CASE_TIERS = ("emergency", "urgent")  # these open a case for the care team; routine is a review item
# The action ends every patient text; phone numbers are clinic settings, so none appear here.
ACTION = {
    "emergency": "Call emergency services now.",
    "urgent": "Call your clinic now.",
    "routine": "Your care team will look at this. No need to call.",
}
SLEEPY = ("slightly_drowsy", "drifts_off", "hard_to_wake")
VERY_SLEEPY = ("drifts_off", "hard_to_wake")  # POSS 3-4: unacceptable sedation [S70]
NO_WITHDRAWAL_DRUGS = ("ziconotide", "bupivacaine")  # no withdrawal syndrome on stopping [S76][T36]
# Events after which risk is higher, each with the threshold that sets its window [S14][S31][S22].
WINDOWS = {"refill": "refill_window_days", "dose_increase": "dose_increase_window_days",
           "implant": "implant_window_days", "mri": "mri_window_days"}
# "Sleepier", not "very sleepy": it must also make sense to someone who has just reported sleepiness.
SAFETY_NET = "If you get sleepier or breathe slowly, have someone call emergency services."
# The management steps of an opioid overdose, for the staff rationale [T18].
NALOXONE_STEPS = ("Manage: airway and breathing; naloxone 0.4-2 mg IV, repeat every 2-3 min (reconsider if no "
                  "response by 10 mg); drain 30-40 mL CSF if safe (IT); empty the reservoir; watch for recurrence, "
                  "naloxone wears off before IT morphine.")


@dataclass(frozen=True)
class Reason:
    """One finding: a stable code, its tier, what the patient should do, and why (for staff)."""

    code: str
    tier: str
    patient_text: str
    staff_text: str
    source: str  # one or more source keys of the clinical reference, e.g. "S31, S67"


@dataclass(frozen=True)
class Result:
    """The overall tier (that of the most severe reason) and the reasons, most severe first."""

    tier: str
    reasons: tuple[Reason, ...]

    @property
    def is_case(self) -> bool:
        """Whether this opens a case for the care team (urgent or emergency)."""
        return self.tier in CASE_TIERS

    @property
    def patient_texts(self) -> tuple[str, ...]:
        """The distinct patient texts of the most severe tier only, so actions never conflict."""
        return tuple(dict.fromkeys(r.patient_text for r in self.reasons if r.tier == self.tier))

    @property
    def codes(self) -> tuple[str, ...]:
        """The reason codes, most severe first."""
        return tuple(r.code for r in self.reasons)


def patient(text: str) -> str:
    """Mark patient wording written outside a reason() call (a table, a shared variable) for the extractor."""
    return text


def reason(code: str, tier: str, what: str, staff: str, source: str, after: str = "") -> Reason:
    """Make a Reason whose patient text states the finding, the tier's action, then any safety net."""
    return Reason(code, tier, " ".join(filter(None, (what, ACTION[tier], after))), staff, source)


class Facts:
    """Forgiving typed reads of observations and context: a wrong type counts as not asked."""

    def __init__(self, obs: Mapping, ctx: Mapping, limits: Mapping[str, float]) -> None:
        """Keep the raw mappings and the resolved threshold numbers."""
        self.o, self.c, self.t = obs, ctx, limits

    def yes(self, key: str) -> bool:
        """True only for a real boolean True (1 or "yes" are not valid answers)."""
        return self.o.get(key) is True

    def num(self, key: str, where: str = "o") -> float | None:
        """A number from observations ("o") or context ("c"), else None; bools are not numbers."""
        v = (self.o if where == "o" else self.c).get(key)
        return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) and v == v else None

    def items(self, key: str, allowed: tuple[str, ...]) -> set[str]:
        """The known values of a list observation (unknown values are ignored)."""
        v = self.o.get(key)
        return {x for x in v if x in allowed} if isinstance(v, (list, tuple)) else set()

    def within(self, event: str) -> bool:
        """Whether the event was 0..window days ago; the last day counts (3 days = 72 h)."""
        days = self.num(f"days_since_{event}", "c")
        return days is not None and 0 <= days <= self.t[WINDOWS[event]]

    def recent(self) -> list[str]:
        """The risk-raising events that are inside their windows."""
        return [event for event in WINDOWS if self.within(event)]

    def fever(self) -> bool:
        """Temperature at or above the fever threshold."""
        temp = self.num("temperature_c")
        return temp is not None and temp >= self.t["fever_c"]

    def pain_rise(self) -> bool:
        """Pain now at least the threshold above the 7-day mean (rounded against float noise)."""
        now, base = self.num("pain_now"), self.num("pain_baseline", "c")
        return now is not None and base is not None and round(now - base, 6) >= self.t["pain_rise_points"]

    def feverish(self) -> bool:
        """A measured fever, or feeling hot and shivery with no thermometer [T60][T61]."""
        return self.fever() or self.yes("feels_feverish")

    def sleepy(self) -> bool:
        """Any sedation at all, slightly drowsy included."""
        return self.o.get("sleepiness") in SLEEPY

    def rate_at_or_below_limit(self) -> bool:
        """A counted rate at or below the threshold: the top of the 8-10/min danger band [S14]."""
        bpm = self.num("breaths_per_min")
        return bpm is not None and bpm <= self.t["breaths_per_min_min"]

    def pump_may_be_empty(self) -> bool:
        """At or after the projected low-reservoir date, or the refill overdue [S12][T6]."""
        left = self.num("days_until_low_reservoir", "c")
        return (left is not None and left <= 0) or self.c.get("refill_overdue") is True

    @property
    def drug(self) -> object:
        """The first pump drug from context, if known (older callers send only this)."""
        return self.c.get("drug")

    @property
    def drugs(self) -> set[str]:
        """Every drug of the current regimen: `drugs` plus `drug`, so a mixture in any order counts."""
        listed = self.c.get("drugs")
        found = {d for d in listed if isinstance(d, str)} if isinstance(listed, (list, tuple)) else set()
        return found | ({self.drug} if isinstance(self.drug, str) else set())

    @property
    def previous_drugs(self) -> set[str]:
        """The regimen before the last switch, when known."""
        listed = self.c.get("previous_drugs")
        return {d for d in listed if isinstance(d, str)} if isinstance(listed, (list, tuple)) else set()
