"""Pure MRI decisions: what the clinic must do before a scan for each pump model, and the field-strength check."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

FIELD_STRENGTHS = ("1.5", "3")  # the scanner strengths a patient or clerk can pick; "" = not known


@dataclass(frozen=True)
class MriConditions:
    """One model family's MRI terms: the clinic's action, the highest field strength, the staff checklist."""

    action: str  # "empty": the reservoir must be emptied first; "check": interrogate/check around the scan
    max_tesla: Decimal | None  # None: no cited limit (unknown model)
    checklist: tuple[str, ...]
    source: str


# Prometra II: empty first (valves may open: overdose, death), 1.5 T only, gradient <= 20 T/m,
# healed site, valve reset after [S26][S27]. SynchroMed II: MR Conditional incl. 3 T [S20]; motor
# stops, 2-24 h to recover [S21]; telemetry mode needs interrogation [S22]; check after [S9].
CONDITIONS: dict[str, MriConditions] = {
    "prometra": MriConditions("empty", Decimal("1.5"), (
        "Empty the whole reservoir before the scan and record the volume removed.",
        "Confirm the scanner is 1.5 T with a spatial gradient of 20 T/m or less.",
        "Confirm the surgical site has fully healed.",
        "Plan pain and withdrawal cover while the pump is empty.",
        "Book the refill and the valve reset after the scan (the valve stays closed until reset).",
    ), "S26, S27"),
    "synchromed": MriConditions("check", Decimal("3"), (
        "Confirm the scan meets the model's MR Conditional terms (1.5 or 3 T).",
        "Tell the patient the motor stops in the scanner; infusion may take 2 to 24 h to return.",
        "Book a pump check (interrogation) the same day after the scan.",
        "If the pump was alarming, it stays in telemetry mode until interrogated.",
    ), "S9, S20, S21, S22"),
}
UNKNOWN = MriConditions("check", None, (
    "Identify the pump model and its MRI conditions before the scan.",
    "Ask the pump maker or the MRI safety officer whether the pump must be emptied first.",
    "Book a pump check after the scan.",
), "S9")


@dataclass(frozen=True)
class MriReview:
    """A planned MRI held against the pump's terms: the action, the checklist and the field-strength verdict."""

    action: str
    checklist: tuple[str, ...]
    max_tesla: Decimal | None
    field_tesla: Decimal | None
    source: str

    @property
    def field_ok(self) -> bool | None:
        """True within the model's limit, False above it, None when either number is unknown."""
        if self.max_tesla is None or self.field_tesla is None:
            return None
        return self.field_tesla <= self.max_tesla


def parse_tesla(value: str | None) -> Decimal | None:
    """A field strength as a positive number, or None when not given or not a number."""
    try:
        tesla = Decimal((value or "").strip().removesuffix("T").strip())
    except InvalidOperation:
        return None
    return tesla if tesla.is_finite() and tesla > 0 else None


def conditions_for(model: str | None) -> MriConditions:
    """The MRI terms of a pump model code (e.g. "prometra_ii_20"); unknown or "other" gets the cautious set."""
    family = (model or "").split("_")[0]
    return CONDITIONS.get(family, UNKNOWN)


def review_mri(model: str | None, field_tesla: str | None) -> MriReview:
    """What the clinic must do before this patient's MRI, and whether the scanner is within the model's limit."""
    terms = conditions_for(model)
    return MriReview(terms.action, terms.checklist, terms.max_tesla, parse_tesla(field_tesla), terms.source)
