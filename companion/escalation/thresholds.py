"""Default red-flag thresholds, each with its source, and the tighten-only override rule."""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Literal

Direction = Literal["higher", "lower"]


@dataclass(frozen=True)
class Threshold:
    """One number a rule compares against; `direction` is the way that makes it stricter."""

    value: float
    unit: str
    source: str  # one or more keys from the clinical reference's source key, e.g. "S14" or "S14, S31"
    tier: str  # the tier of the rule the number drives
    description: str
    direction: Direction  # "higher": a larger value alerts more often; "lower": a smaller one does


def _t(value: float, unit: str, source: str, tier: str, direction: Direction, description: str) -> Threshold:
    """Build a Threshold with the arguments in the order that reads best in the table below."""
    return Threshold(value, unit, source, tier, description, direction)


# Comparison conventions are fixed in rules.py and stated in each description, so a clinic
# knows whether the boundary itself counts: "below" is strict, "at or above" / "up to" are not.
DEFAULTS: Mapping[str, Threshold] = MappingProxyType({
    "breaths_per_min_min": _t(
        10, "breaths/min", "S14", "emergency", "higher",
        "Breathing below this rate is an emergency (10 itself is not below); source gives <8-10/min."),
    "fever_c": _t(
        38.0, "°C", "S62", "urgent", "lower",
        "A temperature at or above this is a fever (37.9 is not); source gives >38 °C, lay-level."),
    "infection_window_days": _t(
        90, "days", "S57", "urgent", "higher",
        "A fever up to and including this many days after implant is urgent (NHSN deep SSI window; "
        "day 90 counts, day 91 does not; CDC 1999 allows 1 year with an implant)."),
    "refill_window_days": _t(
        3, "days", "S14, S24, S76", "urgent", "higher",
        "Up to and including this many days after a refill, overdose, pocket-fill and mixing-error "
        "signs weigh more (no source duration found; 72 h borrowed from the dose-increase label)."),
    "dose_increase_window_days": _t(
        3, "days", "S31", "urgent", "higher",
        "Up to and including this many days after a dose increase (label: monitor 24-72 h)."),
    "implant_window_days": _t(
        3, "days", "S14, S31", "urgent", "higher",
        "Up to and including this many days after implant or catheter surgery (monitor 24-72 h)."),
    "mri_window_days": _t(
        3, "days", "S21, S22, S26", "urgent", "higher",
        "Up to and including this many days after an MRI (pump may not restart; Prometra dump)."),
    "constipation_days": _t(
        3, "days", "S4", "routine", "lower",
        "This many days or more without a bowel movement is a review item."),
    "pain_rise_points": _t(
        2, "points (0-10)", "S72", "routine", "lower",
        "Pain this much or more above the 7-day mean is a review item (clinically important change)."),
    "withdrawal_signs_min": _t(
        2, "signs", "S75", "urgent", "lower",
        "This many or more different withdrawal signs suggest therapy has stopped (inference)."),
    "dose_increases_for_mass": _t(
        2, "increases in 90 days", "S26, S43", "urgent", "lower",
        "Rising pain despite this many dose increases in 90 days suggests an inflammatory mass."),
})


def _check_number(name: str, value: object) -> float:
    """Return value as a float, refusing bools, non-numbers, NaN and infinities."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"threshold {name!r}: {value!r} is not a number")
    if not math.isfinite(value):
        raise ValueError(f"threshold {name!r}: {value!r} is not a finite number")
    return float(value)


def tighten(defaults: Mapping[str, Threshold], overrides: Mapping[str, float]) -> dict[str, Threshold]:
    """Return defaults merged with overrides; raise ValueError if an override is unknown or looser."""
    merged = dict(defaults)
    for name, raw in overrides.items():
        if name not in defaults:
            raise ValueError(f"unknown threshold {name!r}; known: {', '.join(sorted(defaults))}")
        base = defaults[name]
        value = _check_number(name, raw)
        looser = value < base.value if base.direction == "higher" else value > base.value
        if looser:
            way = "below" if base.direction == "higher" else "above"
            raise ValueError(
                f"threshold {name!r}: {value:g} {base.unit} would loosen the default "
                f"{base.value:g} {base.unit} (a clinic may only tighten; it must not go {way} it)")
        merged[name] = replace(base, value=value)
    return merged


def values(thresholds: Mapping[str, Threshold | float] | None = None) -> dict[str, float]:
    """Return name -> number for the rules, re-checking that nothing is looser than DEFAULTS."""
    given = thresholds or {}
    raw = {n: (t.value if isinstance(t, Threshold) else t) for n, t in given.items()}
    return {n: float(t.value) for n, t in tighten(DEFAULTS, raw).items()}


def as_table(thresholds: Mapping[str, Threshold] | None = None) -> list[dict[str, object]]:
    """Return one display row per threshold, marking those that differ from the default."""
    current = thresholds if thresholds is not None else DEFAULTS
    rows = []
    for name, t in current.items():
        default = DEFAULTS[name].value if name in DEFAULTS else None
        rows.append({
            "name": name, "value": t.value, "unit": t.unit, "tier": t.tier,
            "stricter": t.direction, "source": t.source, "description": t.description,
            "default": default, "changed": default is not None and t.value != default,
        })
    return rows
