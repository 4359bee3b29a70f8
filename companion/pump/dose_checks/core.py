"""Shared types of the dose checks: findings, regimens, clinic settings, validated drug lines."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Literal, Union

Number = Union[int, float, str, Decimal]
Severity = Literal["block", "needs_reason", "needs_confirmation", "needs_override", "info"]
# (max_daily_dose, max_concentration, unit): either limit may be None when the clinic sets one only.
Ceiling = tuple[Union[Number, None], Union[Number, None], str]

_MCG_PER_UNIT = {"mg": Decimal(1000), "mcg": Decimal(1), "ug": Decimal(1), "µg": Decimal(1)}
_ALIASES = {
    "infumorph": "morphine", "duramorph": "morphine", "morphine sulfate": "morphine",
    "prialt": "ziconotide", "lioresal": "baclofen", "gablofen": "baclofen",
}


@dataclass(frozen=True)
class Finding:
    """One problem with a refill and what it takes to clear it (severity)."""

    code: str
    severity: Severity
    message: str


@dataclass(frozen=True)
class DrugDose:
    """One drug in the reservoir: concentration in unit/mL, daily dose in unit/day."""

    name: str
    concentration: Number
    daily_dose: Number
    unit: str = "mg"
    compounded: bool = False


@dataclass(frozen=True)
class RegimenSnapshot:
    """What is in the pump after a refill: one drug, or several for a mixture."""

    drugs: tuple[DrugDose, ...]
    pump_model: str | None = None  # a key of schedule.PUMP_MODELS
    # Patient boluses, in the first drug's unit: they count towards ceilings and changes (§4 [S30]).
    bolus_dose: Number = 0
    boluses_per_day: int = 0


@dataclass(frozen=True)
class DoseSettings:
    """Clinic-set limits; they replace the sourced defaults (limits.py) for the drugs they name."""

    change_percent_limit: Number
    ceilings: Mapping[str, Ceiling] = field(default_factory=dict)
    # False when the clinic never set a change limit (then 0 %: every change needs a reason).
    change_limit_set: bool = True

    def __post_init__(self) -> None:
        """Reject settings that could never be compared against."""
        limit = _number(self.change_percent_limit)
        if limit is None or limit < 0:
            raise ValueError(
                f"change_percent_limit must be 0 or more, got {self.change_percent_limit!r}")
        for drug, (max_dose, max_conc, unit) in self.ceilings.items():
            if unit not in _MCG_PER_UNIT:
                raise ValueError(f"ceiling unit for {drug} must be one of {sorted(_MCG_PER_UNIT)}")
            for value in (max_dose, max_conc):
                if value is not None and (_number(value) or 0) <= 0:
                    raise ValueError(f"ceiling for {drug} must be above zero, got {value!r}")


def drug_key(name: str) -> str:
    """Canonical lower-case drug name, brand names folded to the generic."""
    plain = " ".join(name.lower().split())
    return _ALIASES.get(plain, plain)


def _number(value: object) -> Decimal | None:
    """Exact Decimal of value, or None when it is not a finite number."""
    try:  # via str, so a bool ("True") is rejected and 0.2 stays 0.2
        result = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return result if result.is_finite() else None


@dataclass(frozen=True)
class _Line:
    """A validated drug line in micrograms, so mg and mcg entries compare."""

    key: str
    name: str
    conc_mcg: Decimal
    dose_mcg: Decimal
    conc: Decimal
    dose: Decimal
    unit: str
    compounded: bool
    peak_mcg: Decimal  # daily dose plus every allowed bolus: what the patient can get in a day

    @property
    def peak(self) -> Decimal:
        """The peak daily amount in the line's own unit."""
        return self.peak_mcg / _MCG_PER_UNIT[self.unit]


def _lines(snapshot: RegimenSnapshot, which: str) -> tuple[dict[str, _Line], list[Finding]]:
    """Validated lines by drug key, or block findings for what cannot be read."""
    lines: dict[str, _Line] = {}
    problems: list[str] = []
    if not snapshot.drugs:
        problems.append("no drug is listed")
    for drug in snapshot.drugs:
        conc, dose = _number(drug.concentration), _number(drug.daily_dose)
        key = drug_key(drug.name)
        if conc is None or conc <= 0:
            problems.append(f"{drug.name} concentration must be a number above zero")
        if dose is None or dose <= 0:
            problems.append(f"{drug.name} daily dose must be a number above zero")
        if drug.unit not in _MCG_PER_UNIT:
            problems.append(f"{drug.name} unit must be one of {', '.join(sorted(_MCG_PER_UNIT))}")
        if key in lines:
            problems.append(f"{drug.name} is listed twice")
        if problems:
            continue
        assert conc is not None and dose is not None  # narrowed by the checks above
        factor = _MCG_PER_UNIT[drug.unit]
        lines[key] = _Line(key, drug.name, conc * factor, dose * factor, conc, dose,
                           drug.unit, drug.compounded, dose * factor)
    bolus, count = _number(snapshot.bolus_dose) or Decimal(0), _number(snapshot.boluses_per_day) or Decimal(0)
    if bolus < 0 or count < 0:
        problems.append("bolus dose and boluses a day cannot be negative")
    if problems:
        return {}, [Finding(f"invalid_{which}", "block", f"{which.capitalize()} regimen: {p}.")
                    for p in problems]
    return _with_boluses(lines, bolus * count), []


def _with_boluses(lines: dict[str, _Line], bolus_per_day: Decimal) -> dict[str, _Line]:
    """Add the daily bolus volume's drug to each line (the bolus is in the first drug's unit)."""
    if not lines or bolus_per_day == 0:
        return lines
    main = next(iter(lines.values()))
    volume_ml = bolus_per_day * _MCG_PER_UNIT[main.unit] / main.conc_mcg  # one reservoir: same mL for all drugs
    return {key: replace(line, peak_mcg=line.dose_mcg + volume_ml * line.conc_mcg) for key, line in lines.items()}


