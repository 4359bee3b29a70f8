"""Checks on a refill before it is saved: dose change, ceilings, approval, double check."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Literal, Union

from companion.pump.schedule import ScheduleError, mixture_daily_volumes

Number = Union[int, float, str, Decimal]
Severity = Literal["block", "needs_reason", "needs_confirmation", "needs_override", "info"]
# (max_daily_dose, max_concentration, unit): either limit may be None when the clinic sets one only.
Ceiling = tuple[Union[Number, None], Union[Number, None], str]

_MCG_PER_UNIT = {"mg": Decimal(1000), "mcg": Decimal(1), "ug": Decimal(1), "µg": Decimal(1)}
_ALIASES = {
    "infumorph": "morphine", "duramorph": "morphine", "morphine sulfate": "morphine",
    "prialt": "ziconotide", "lioresal": "baclofen", "gablofen": "baclofen",
}
# FDA: only Infumorph (morphine) and Prialt (ziconotide) are labelled for IT pain, and
# not every pump for Prialt; other drugs, any mixture and compounded drugs are not [S8].
# SynchroMed II: Infumorph, Prialt [S83], plus baclofen for spasticity [S19][S20].
# Prometra II: Infumorph and baclofen (saline too, a diluent, not a drug line) [S29].
_APPROVED_BY_FAMILY = {
    "synchromed_ii": frozenset({"morphine", "ziconotide", "baclofen"}),
    "prometra_ii": frozenset({"morphine", "baclofen"}),
}
_APPROVED_ANY_PUMP = frozenset({"morphine", "ziconotide", "baclofen"})


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


@dataclass(frozen=True)
class DoseSettings:
    """Clinic-set limits; no built-in ceilings because no cited source gives them (§0)."""

    change_percent_limit: Number
    ceilings: Mapping[str, Ceiling] = field(default_factory=dict)

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
                           drug.unit, drug.compounded)
    if problems:
        return {}, [Finding(f"invalid_{which}", "block", f"{which.capitalize()} regimen: {p}.")
                    for p in problems]
    return lines, []


def check_refill(previous: RegimenSnapshot | None, new: RegimenSnapshot,
                 settings: DoseSettings) -> list[Finding]:
    """Every finding for a new regimen against the previous one and the clinic's settings."""
    new_lines, invalid = _lines(new, "new")
    old_lines: dict[str, _Line] = {}
    if previous is not None:
        old_lines, old_invalid = _lines(previous, "previous")
        invalid += old_invalid
    if invalid:
        return invalid
    findings = _mixture(new, new_lines)
    if previous is not None:
        findings += _changes(old_lines, new_lines, _number(settings.change_percent_limit))
    findings += _ceilings(new_lines, settings.ceilings)
    findings += _approval(new, new_lines)
    return findings


def _mixture(new: RegimenSnapshot, lines: dict[str, _Line]) -> list[Finding]:
    """Block a mixture whose drugs imply different daily volumes (one reservoir, one flow)."""
    if len(lines) < 2:
        return []
    try:
        mixture_daily_volumes([(line.name, line.conc, line.dose) for line in lines.values()])
    except ScheduleError as error:
        return [Finding("mixture_volume_mismatch", "block", f"{error}.")]
    return []


def _changes(old: dict[str, _Line], new: dict[str, _Line], limit: Decimal | None) -> list[Finding]:
    """Dose changes over the clinic limit need a reason; concentration changes a confirmation."""
    assert limit is not None  # DoseSettings validated it
    findings: list[Finding] = []
    for key, line in new.items():
        before = old.get(key)
        if before is None:
            findings.append(Finding("drug_added", "needs_reason",
                                    f"{line.name} is new in the pump."))
            findings.append(Finding("concentration_changed", "needs_confirmation",
                                    f"{line.name} is new at {line.conc} {line.unit}/mL: confirm the "
                                    "pump was reprogrammed for the new concentration."))
            continue
        # Both directions count: a big cut risks withdrawal as a big rise risks overdose [S31][S76].
        # Cross-multiplied so the comparison stays exact: |new - old| / old * 100 > limit.
        change = abs(line.dose_mcg - before.dose_mcg)
        if change * 100 > limit * before.dose_mcg:
            percent = (change * 100 / before.dose_mcg).quantize(Decimal("0.1"))
            findings.append(Finding(
                "dose_change_over_limit", "needs_reason",
                f"{line.name} daily dose changes by {percent}% ({before.dose} {before.unit} to "
                f"{line.dose} {line.unit}); the clinic limit is {limit}%: write a reason."))
        # Concentration and programming errors are a named dosing-error cause [S1][S78].
        if line.conc_mcg != before.conc_mcg:
            findings.append(Finding(
                "concentration_changed", "needs_confirmation",
                f"{line.name} concentration changes from {before.conc} to {line.conc} "
                f"{line.unit}/mL: confirm the pump was reprogrammed for the new concentration."))
    for key, line in old.items():
        if key not in new:
            findings.append(Finding("drug_removed", "needs_reason",
                                    f"{line.name} is no longer in the pump."))
    return findings


def _ceilings(lines: dict[str, _Line], ceilings: Mapping[str, Ceiling]) -> list[Finding]:
    """Exceeding a clinic ceiling needs a documented override; a missing ceiling is noted."""
    by_key = {drug_key(name): value for name, value in ceilings.items()}
    findings: list[Finding] = []
    for key, line in lines.items():
        if key not in by_key:
            findings.append(Finding("no_ceiling_set", "info",
                                    f"The clinic has set no dose ceiling for {line.name}."))
            continue
        max_dose, max_conc, unit = by_key[key]
        factor = _MCG_PER_UNIT[unit]
        if max_dose is not None and line.dose_mcg > Decimal(str(max_dose)) * factor:
            findings.append(Finding(
                "daily_dose_above_ceiling", "needs_override",
                f"{line.name} daily dose {line.dose} {line.unit} is above the clinic ceiling of "
                f"{max_dose} {unit}: document an override."))
        if max_conc is not None and line.conc_mcg > Decimal(str(max_conc)) * factor:
            findings.append(Finding(
                "concentration_above_ceiling", "needs_override",
                f"{line.name} concentration {line.conc} {line.unit}/mL is above the clinic ceiling "
                f"of {max_conc} {unit}/mL: document an override."))
    return findings


def _approval(new: RegimenSnapshot, lines: dict[str, _Line]) -> list[Finding]:
    """Note drugs, mixtures and compounded drugs outside FDA pump labeling [S8] (info only)."""
    family = next((f for f in _APPROVED_BY_FAMILY if (new.pump_model or "").startswith(f)), None)
    approved = _APPROVED_BY_FAMILY[family] if family else _APPROVED_ANY_PUMP
    pump = f"this pump ({new.pump_model})" if family else "intrathecal pumps"
    findings = [Finding("drug_not_approved", "info",
                        f"{line.name} is not FDA-approved for {pump}; unapproved drugs are linked "
                        "to more pump failures [S8][S25].")
                for key, line in lines.items() if key not in approved]
    if len(lines) > 1:
        findings.append(Finding("mixture_not_approved", "info",
                                "No mixture of two or more drugs is FDA-approved for pumps [S8]."))
    findings += [Finding("compounded_not_approved", "info",
                         f"Compounded {line.name} is not FDA-approved for pumps [S8].")
                 for line in lines.values() if line.compounded]
    return findings


def confirm_double_check(first: tuple[Number, Number],
                         second: tuple[Number, Number]) -> bool | Finding:
    """True when a blind re-entry of (concentration, daily dose) matches exactly; else a block."""
    parsed = [_number(value) for value in (*first, *second)]
    if any(value is None for value in parsed):
        return Finding("double_check_invalid", "block",
                       "Both checks need a concentration and a daily dose as numbers.")
    # Numeric equality, so "10" matches "10.0" but 0.2 never matches 0.20001.
    differs = [label for label, a, b in (("concentration", parsed[0], parsed[2]),
                                         ("daily dose", parsed[1], parsed[3])) if a != b]
    if differs:
        # Values are not echoed so the retry stays blind: read the label and programmer again.
        return Finding("double_check_mismatch", "block",
                       f"The second check does not match on {' and '.join(differs)}. "
                       "Both clinicians should check the drug label and pump again.")
    return True


def resolve(findings: Iterable[Finding], reason: str | None, confirmed_reprogrammed: bool,
            override_note: str | None) -> list[Finding]:
    """Findings still unresolved; blocks always remain and info never blocks."""
    has_reason = bool(reason and reason.strip())
    has_override = bool(override_note and override_note.strip())
    cleared = {
        "info": True,
        "needs_reason": has_reason,
        "needs_confirmation": confirmed_reprogrammed is True,  # a truthy string is not a yes
        "needs_override": has_override,
        "block": False,
    }
    return [finding for finding in findings if not cleared[finding.severity]]


# §6: benzodiazepines, other CNS depressants and alcohol with opioids [S31][S4]; anxiolytics,
# sleep medicines and extra opioid pills or patches [S14][S68][S69]; gabapentinoids [S67].
# Muscle relaxants are not named there; they are flagged as "other CNS depressants" [S31].
SEDATING_CLASSES: dict[str, str] = {
    "benzodiazepine": "Calming or anxiety medicine, such as diazepam or lorazepam",
    "sleep_medicine": "Sleeping pill",
    "gabapentinoid": "Gabapentin or pregabalin",
    "opioid_pill_or_patch": "Extra opioid pain pill or patch",
    "alcohol": "Alcohol",
    "muscle_relaxant": "Muscle relaxant",
}
SEDATING_SOURCES: dict[str, tuple[str, ...]] = {
    "benzodiazepine": ("S31", "S4", "S14"),
    "sleep_medicine": ("S14", "S31"),
    "gabapentinoid": ("S67",),
    "opioid_pill_or_patch": ("S14", "S68", "S69"),
    "alcohol": ("S31",),
    "muscle_relaxant": ("S31",),
}


def flag_sedating(medicine_classes: Iterable[str]) -> list[str]:
    """Sedating classes taken, in SEDATING_CLASSES order: each adds breathing risk (§6)."""
    taken = set(medicine_classes)
    unknown = taken - SEDATING_CLASSES.keys()
    if unknown:
        # The vocabulary is closed (vignettes.yaml); an unknown code would hide a sedative.
        raise ValueError(f"unknown medicine class: {', '.join(sorted(unknown))}")
    return [code for code in SEDATING_CLASSES if code in taken]
