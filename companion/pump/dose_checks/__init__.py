"""Checks on a refill before it is saved: dose change, ceilings, approval, double check."""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal

from companion.pump.dose_checks.core import (_MCG_PER_UNIT, Ceiling, DoseSettings, DrugDose, Finding, Number,
                                             RegimenSnapshot, Severity, _Line, _lines, _number, drug_key)
from companion.pump.dose_checks import safety
from companion.pump.dose_checks.limits import limits_for
from companion.pump.dose_checks.safety import HistoryPoint
from companion.pump.schedule import ScheduleError, mixture_daily_volumes

__all__ = ["Ceiling", "DoseSettings", "DrugDose", "Finding", "Number", "RegimenSnapshot", "Severity", "HistoryPoint",
           "check_refill", "confirm_blind_check", "confirm_double_check", "needs_physician", "override_note_ok", "OVERRIDE_REASONS",
           "FINDING_TITLES", "finding_title", "drug_key", "flag_sedating", "resolve",
           "SEDATING_CLASSES", "SEDATING_SOURCES"]

# FDA: only Infumorph (morphine) and Prialt (ziconotide) are labelled for IT pain, and
# not every pump for Prialt; other drugs, any mixture and compounded drugs are not [S8].
# SynchroMed II: Infumorph, Prialt [S83], plus baclofen for spasticity [S19][S20].
# Prometra II: Infumorph and baclofen (saline too, a diluent, not a drug line) [S29].
_APPROVED_BY_FAMILY = {
    "synchromed_ii": frozenset({"morphine", "ziconotide", "baclofen"}),
    "prometra_ii": frozenset({"morphine", "baclofen"}),
}
_APPROVED_ANY_PUMP = frozenset({"morphine", "ziconotide", "baclofen"})


def check_refill(previous: RegimenSnapshot | None, new: RegimenSnapshot, settings: DoseSettings, *,
                 opioid_tolerant: bool | None = None, spasticity_origin: str | None = None,
                 history: Sequence[HistoryPoint] = (), on: date | None = None) -> list[Finding]:
    """Every finding for a new regimen against the previous one, the clinic's settings and the sourced defaults.

    Unknown opioid tolerance counts as opioid-naive and an unknown origin of spasticity as cerebral (the
    stricter ranges, and the finding says so); `history` (confirmed regimens, oldest first) and `on` (the
    refill date) feed the interval and cumulative checks, which are skipped without them.
    """
    new_lines, invalid = _lines(new, "new")
    old_lines: dict[str, _Line] = {}
    if previous is not None:
        old_lines, old_invalid = _lines(previous, "previous")
        invalid += old_invalid
    if invalid:
        return invalid
    slips = safety.unit_slips(new_lines)
    if slips:
        return slips  # every other check would compare a number 1000 times off
    findings = _mixture(new, new_lines)
    if previous is None:
        findings += safety.starting_doses(new_lines, opioid_tolerant)
    else:
        findings += _changes(old_lines, new_lines, settings)
        findings += safety.titration(old_lines, new_lines, settings, spasticity_origin, on, history)
        findings += safety.switches(old_lines, new_lines, settings)
    findings += safety.cumulative(new_lines, settings, spasticity_origin, on, history)
    findings += _ceilings(new_lines, settings.ceilings)
    findings += safety.default_ceilings(new_lines, settings)
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


def _changes(old: dict[str, _Line], new: dict[str, _Line], settings: DoseSettings) -> list[Finding]:
    """Changes over the clinic limit need a reason (an increase: an override); concentration, a confirmation."""
    limit = _number(settings.change_percent_limit)
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
        # Boluses count: the peak (daily dose + every allowed bolus) is what is compared.
        change = abs(line.peak_mcg - before.peak_mcg)
        if change * 100 > limit * before.peak_mcg:
            percent = (change * 100 / before.peak_mcg).quantize(Decimal("0.1"))
            rise = line.peak_mcg > before.peak_mcg and settings.change_limit_set
            findings.append(Finding(
                "dose_change_over_limit", "needs_override" if rise else "needs_reason",
                f"{line.name} daily dose changes by {percent}% ({_amount(before)} {before.unit} to "
                f"{_amount(line)} {line.unit}); the clinic limit is {limit}%: "
                + ("document an override." if rise else "write a reason.")))
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


def _amount(line: _Line) -> str:
    """The daily dose as entered, with the boluses' share when there is one."""
    if line.peak_mcg == line.dose_mcg:
        return f"{line.dose}"
    return f"{line.dose} + boluses = {line.peak.normalize():f}"


def _ceilings(lines: dict[str, _Line], ceilings: Mapping[str, Ceiling]) -> list[Finding]:
    """Exceeding a clinic ceiling needs a documented override; a drug with no ceiling at all is noted."""
    by_key = {drug_key(name): value for name, value in ceilings.items()}
    findings: list[Finding] = []
    for key, line in lines.items():
        if key not in by_key and limits_for(key) is None:
            findings.append(Finding("no_ceiling_set", "info",
                                    f"The clinic has set no dose ceiling for {line.name}."))
            continue
        if key not in by_key:
            continue  # the sourced defaults apply (safety.default_ceilings)
        max_dose, max_conc, unit = by_key[key]
        factor = _MCG_PER_UNIT[unit]
        # As people write them: a stored 4.0000 reads 4.
        shown_dose, shown_conc = (f"{_number(v).normalize():f}" if _number(v) is not None else v
                                  for v in (max_dose, max_conc))
        if max_dose is not None and line.peak_mcg > Decimal(str(max_dose)) * factor:
            findings.append(Finding(
                "daily_dose_above_ceiling", "needs_override",
                f"{line.name} daily dose {_amount(line)} {line.unit} is above the clinic ceiling of "
                f"{shown_dose} {unit}: document an override."))
        if max_conc is not None and line.conc_mcg > Decimal(str(max_conc)) * factor:
            findings.append(Finding(
                "concentration_above_ceiling", "needs_override",
                f"{line.name} concentration {line.conc} {line.unit}/mL is above the clinic ceiling "
                f"of {shown_conc} {unit}/mL: document an override."))
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


def confirm_blind_check(first: Mapping[str, Number], second: Mapping[str, Number | None],
                        labels: Mapping[str, str]) -> bool | Finding:
    """True when every re-entered value equals the first (numerically); else a block naming the fields."""
    missing = [labels[k] for k in labels if _number(second.get(k)) is None]
    if missing:
        return Finding("double_check_invalid", "block", f"Enter {', '.join(missing)} as numbers.")
    differs = [labels[k] for k in labels if _number(first.get(k)) != _number(second.get(k))]
    if differs:
        # Values are not echoed so the retry stays blind: read the label and programmer again.
        return Finding("double_check_mismatch", "block",
                       f"The second check does not match on {', '.join(differs)}. "
                       "Both clinicians should check the drug label and pump again.")
    return True


# An override names why from a short list and explains it in at least a sentence (one letter is not a note).
OVERRIDE_REASONS = {
    "tolerance": "Tolerance or pain not controlled at the current dose",
    "previous_response": "Dose already reached safely before (trial or earlier pump)",
    "palliative": "End-of-life or palliative care",
    "specialist_plan": "Written plan from the treating specialist",
    "other": "Other reason (explained below)",
}
# Short titles shown to the second clinician before the blind re-entry (the messages carry the values).
FINDING_TITLES = {
    "first_fill_above_start": "First fill above the starting dose",
    "first_fill_above_suggested_start": "First fill above a suggested starting dose (unverified)",
    "above_label_maximum": "Above the label maximum",
    "above_label_caution": "Above the label's caution level",
    "above_suggested_maximum": "Above a suggested maximum (unverified)",
    "concentration_above_suggested_maximum": "Concentration above a suggested maximum (unverified)",
    "daily_dose_above_ceiling": "Daily dose above the clinic ceiling",
    "concentration_above_ceiling": "Concentration above the clinic ceiling",
    "dose_change_over_limit": "Dose change above the clinic limit",
    "increase_above_suggested_step": "Increase above a suggested step (unverified)",
    "step_above_maximum": "Step larger than allowed",
    "step_too_soon": "Step sooner than the minimum interval",
    "baclofen_step_above_range": "Baclofen step above the range for the origin",
    "cumulative_rise_30_days": "Rise over the last 30 days above the limit",
    "cumulative_rise_3_refills": "Rise over the last three records above the limit",
    "switch_raises_equivalent": "Opioid switch raises the morphine-equivalent dose",
    "switch_equivalent": "Opioid switch: morphine-equivalent dose",
    "switch_no_ratio": "Opioid switch without a sourced ratio",
    "drug_added": "Drug added", "drug_removed": "Drug removed",
    "concentration_changed": "Concentration changed (pump reprogrammed)",
    "stability_default": "Stability: the drug's default used", "stability_unknown": "Stability unknown",
    "stability_above_default": "Stability longer than the drug's default",
    "drug_not_approved": "Drug not FDA-approved for this pump", "mixture_not_approved": "Mixture not FDA-approved",
    "compounded_not_approved": "Compounded drug not FDA-approved", "no_ceiling_set": "No dose ceiling set",
}


def finding_title(code: str) -> str:
    """The short title of a finding code (the code itself when it has none)."""
    return FINDING_TITLES.get(code, code.replace("_", " ").capitalize())


OVERRIDE_NOTE_MIN_WORDS, OVERRIDE_NOTE_MIN_CHARS = 4, 20


def override_note_ok(note: str | None) -> bool:
    """True for a note of at least a short sentence (4 words, 20 characters)."""
    text = " ".join((note or "").split())
    return len(text) >= OVERRIDE_NOTE_MIN_CHARS and len(text.split(" ")) >= OVERRIDE_NOTE_MIN_WORDS


def needs_physician(findings: Iterable[Finding | Mapping]) -> bool:
    """True when an override was needed: only a physician may then confirm the refill."""
    return any((f.severity if isinstance(f, Finding) else f.get("severity")) == "needs_override" for f in findings)


def resolve(findings: Iterable[Finding], reason: str | None, confirmed_reprogrammed: bool,
            override_note: str | None, override_reason: str | None = None) -> list[Finding]:
    """Findings still unresolved; blocks always remain and info never blocks.

    An override needs a reason code from OVERRIDE_REASONS and a note of at least a sentence.
    """
    has_reason = bool(reason and reason.strip())
    has_override = override_reason in OVERRIDE_REASONS and override_note_ok(override_note)
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
