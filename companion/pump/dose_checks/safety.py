"""Checks against the sourced default limits: unit slips, label and suggested maxima, starting doses,
titration steps, cumulative rises and drug switches (pure; dates are passed in)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from companion.pump.dose_checks.core import (_MCG_PER_UNIT, Ceiling, DoseSettings, Finding, RegimenSnapshot, _Line,
                                             _lines, _number, drug_key)
from companion.pump.dose_checks.limits import (BACLOFEN_STEP_PERCENT, MG, SUGGESTED_STEP_PERCENT, UNVERIFIED,
                                               ZICONOTIDE_EU_MAX, DrugLimits, Sourced, limits_for)

CUMULATIVE_DAYS = 30
CUMULATIVE_RECORDS = 3


@dataclass(frozen=True)
class HistoryPoint:
    """A confirmed regimen and the date it started (history is passed oldest first)."""

    on: date
    snapshot: RegimenSnapshot


def _cite(sources: Sequence[str]) -> str:
    return "".join(f"[{s}]" for s in sources)


def _fmt(mcg: Decimal, unit: str) -> str:
    """An amount in mcg written in the drug's usual unit, without trailing zeros."""
    value = mcg / _MCG_PER_UNIT[unit]
    return f"{value.normalize():f} {unit}"


def unit_slips(lines: Mapping[str, _Line]) -> list[Finding]:
    """Block a daily dose about 1000 times off the drug's plausible range (mg typed for mcg or back)."""
    findings = []
    for line in lines.values():
        known = limits_for(line.key)
        if known is None:
            continue
        low, high = known.plausible_daily
        usual = f"{_fmt(low, known.unit)}–{_fmt(high, known.unit)}/day {_cite(known.plausible_sources)}"
        if line.dose_mcg > high * 10 and low / 10 <= line.dose_mcg / 1000 <= high * 10:
            likely = "mcg" if line.unit == "mg" else "a thousandth of this"
            findings.append(Finding("unit_slip", "block", (
                f"{line.name} {line.dose} {line.unit}/day is about 1000 times the usual range ({usual}): "
                f"check the unit — was it {line.dose} {likely}?")))
        elif line.dose_mcg < low / 10 and low / 10 <= line.dose_mcg * 1000 <= high * 10:
            likely = "mg" if line.unit in ("mcg", "ug", "µg") else "1000 times this"
            findings.append(Finding("unit_slip", "block", (
                f"{line.name} {line.dose} {line.unit}/day is about 1000 times below the usual range ({usual}): "
                f"check the unit — was it {line.dose} {likely}?")))
    return findings


def _clinic(ceilings: Mapping[str, Ceiling], key: str) -> tuple[Decimal | None, Decimal | None]:
    """The clinic's (max dose, max concentration) in mcg for a drug, None where unset."""
    for name, (max_dose, max_conc, unit) in ceilings.items():
        if drug_key(name) == key:
            factor = _MCG_PER_UNIT[unit]
            dose, conc = _number(max_dose), _number(max_conc)
            return (dose * factor if dose is not None else None, conc * factor if conc is not None else None)
    return None, None


def default_ceilings(lines: Mapping[str, _Line], settings: DoseSettings) -> list[Finding]:
    """Peak daily dose and concentration above the default limits, where the clinic set no ceiling of its own."""
    findings = []
    for line in lines.values():
        known = limits_for(line.key)
        if known is None:
            continue
        clinic_dose, clinic_conc = _clinic(settings.ceilings, line.key)
        if clinic_dose is None:
            findings += _dose_defaults(line, known)
        if clinic_conc is None and known.suggested_max_conc is not None and line.conc_mcg > known.suggested_max_conc:
            findings.append(Finding("concentration_above_suggested_maximum", "needs_override", (
                f"{line.name} concentration {line.conc} {line.unit}/mL is above "
                f"{_fmt(known.suggested_max_conc, known.unit)}/mL, an {UNVERIFIED}.")))
    return findings


def _dose_defaults(line: _Line, known: DrugLimits) -> list[Finding]:
    """The label maximum or caution level, else the unverified suggested maximum."""
    peak = f"{line.name} peak daily dose {_fmt(line.peak_mcg, known.unit)}/day (boluses included)"
    if known.max_daily is not None and line.peak_mcg > known.max_daily.mcg:
        eu = (f"; EU label {_fmt(ZICONOTIDE_EU_MAX.mcg, 'mcg')}/day {_cite(ZICONOTIDE_EU_MAX.sources)}"
              if line.key == "ziconotide" else "")
        return [Finding("above_label_maximum", "needs_override", (
            f"{peak} is above the label maximum of {_fmt(known.max_daily.mcg, known.unit)}/day "
            f"{_cite(known.max_daily.sources)}{eu}."))]
    if known.caution_daily is not None and line.peak_mcg > known.caution_daily.mcg:
        return [Finding("above_label_caution", "needs_override", (
            f"{peak} is above {_fmt(known.caution_daily.mcg, known.unit)}/day, where the label asks for "
            f"caution {_cite(known.caution_daily.sources)}."))]
    if known.suggested_max_daily is not None and line.peak_mcg > known.suggested_max_daily:
        return [Finding("above_suggested_maximum", "needs_override", (
            f"{peak} is above {_fmt(known.suggested_max_daily, known.unit)}/day, an {UNVERIFIED}."))]
    return []


def starting_doses(lines: Mapping[str, _Line], opioid_tolerant: bool | None) -> list[Finding]:
    """A first fill above the starting dose (opioid-naive unless the profile says tolerant)."""
    findings = []
    assumed = "" if opioid_tolerant is not None else (
        " Opioid tolerance is not recorded on the pump profile, so the opioid-naive range is used.")
    who = "opioid-tolerant" if opioid_tolerant else "opioid-naive"
    for line in lines.values():
        known = limits_for(line.key)
        if known is None:
            continue
        start: Sourced | None = known.start_tolerant if opioid_tolerant else known.start_naive
        if start is not None and line.peak_mcg > start.mcg:
            findings.append(Finding("first_fill_above_start", "needs_override", (
                f"{line.name} first fill at {_fmt(line.peak_mcg, known.unit)}/day is above the {who} starting "
                f"dose of at most {_fmt(start.mcg, known.unit)}/day {_cite(start.sources)}.{assumed}")))
        elif start is None and not opioid_tolerant and known.suggested_start_naive is not None \
                and line.peak_mcg > known.suggested_start_naive:
            findings.append(Finding("first_fill_above_suggested_start", "needs_override", (
                f"{line.name} first fill at {_fmt(line.peak_mcg, known.unit)}/day is above a starting dose of "
                f"{_fmt(known.suggested_start_naive, known.unit)}/day, an {UNVERIFIED}.{assumed}")))
    return findings


def step_percent(key: str, settings: DoseSettings, origin: str | None) -> tuple[Decimal, str] | None:
    """The increase (per cent) above which an override is needed, with where it comes from."""
    if settings.change_limit_set:
        return _number(settings.change_percent_limit) or Decimal(0), "the clinic limit"
    known = limits_for(key)
    if known is None or known.group in ("opioid", "other"):
        return SUGGESTED_STEP_PERCENT, f"a step of {SUGGESTED_STEP_PERCENT}%, an {UNVERIFIED}"
    return None  # baclofen and ziconotide have their own sourced steps


def _rise(before: Decimal, after: Decimal) -> Decimal:
    return ((after - before) * 100 / before).quantize(Decimal("0.1"))


def titration(old: Mapping[str, _Line], new: Mapping[str, _Line], settings: DoseSettings,
              origin: str | None, on: date | None, history: Sequence[HistoryPoint]) -> list[Finding]:
    """Increases beyond the drug's step: ziconotide 2.4 mcg/day and its interval, baclofen by origin."""
    findings = []
    for key, line in new.items():
        before = old.get(key)
        if before is None or line.peak_mcg <= before.peak_mcg:
            continue
        known = limits_for(key)
        if known is not None and known.max_step is not None and line.peak_mcg - before.peak_mcg > known.max_step.mcg:
            findings.append(Finding("step_above_maximum", "needs_override", (
                f"{line.name} rises by {_fmt(line.peak_mcg - before.peak_mcg, known.unit)}/day in one step; "
                f"steps should be at most {_fmt(known.max_step.mcg, known.unit)}/day {_cite(known.max_step.sources)}.")))
        if known is not None and known.min_step_days and on is not None:
            since = _dose_started(history, key)
            if since is not None and (on - since).days < known.min_step_days:
                findings.append(Finding("step_too_soon", "needs_override", (
                    f"{line.name} was last changed {(on - since).days} day(s) ago; increases should be at least "
                    f"{known.min_step_days} days apart (US at most 2–3 a week, EU at least 24 h, ideally 48 h) "
                    "[T27][T33].")))
        if key == "baclofen":
            limit, sources = BACLOFEN_STEP_PERCENT.get(origin or "", BACLOFEN_STEP_PERCENT["cerebral"])
            assumed = "" if origin in BACLOFEN_STEP_PERCENT else (
                " The origin of spasticity is not recorded, so the cerebral range is used.")
            if _rise(before.peak_mcg, line.peak_mcg) > limit:
                findings.append(Finding("baclofen_step_above_range", "needs_override", (
                    f"{line.name} rises by {_rise(before.peak_mcg, line.peak_mcg)}%; for "
                    f"{origin if origin in BACLOFEN_STEP_PERCENT else 'cerebral'}-origin spasticity steps are "
                    f"at most {limit}% a day {_cite(sources)}.{assumed}")))
        elif not settings.change_limit_set and (step := step_percent(key, settings, origin)) is not None:
            limit, label = step
            if _rise(before.peak_mcg, line.peak_mcg) > limit:
                findings.append(Finding("increase_above_suggested_step", "needs_override", (
                    f"{line.name} rises by {_rise(before.peak_mcg, line.peak_mcg)}%; the clinic set no change "
                    f"limit, so {label} applies.")))
    return findings


def _peak(snapshot: RegimenSnapshot, key: str) -> Decimal | None:
    lines, invalid = _lines(snapshot, "history")
    line = lines.get(key)
    return None if invalid or line is None else line.peak_mcg


def _dose_started(history: Sequence[HistoryPoint], key: str) -> date | None:
    """The date the drug's current peak dose began (history oldest first)."""
    if not history:
        return None
    current = _peak(history[-1].snapshot, key)
    started = history[-1].on
    for point in reversed(history[:-1]):
        if _peak(point.snapshot, key) != current:
            break
        started = point.on
    return started


def cumulative(new: Mapping[str, _Line], settings: DoseSettings, origin: str | None, on: date | None,
               history: Sequence[HistoryPoint]) -> list[Finding]:
    """Small increases added up: over the last 30 days and over the last three records."""
    findings = []
    baselines: list[tuple[str, str, HistoryPoint]] = []
    if on is not None and history:
        cutoff = on - timedelta(days=CUMULATIVE_DAYS)
        at_cutoff = [p for p in history if p.on <= cutoff]
        baselines.append(("cumulative_rise_30_days", f"over the last {CUMULATIVE_DAYS} days",
                          at_cutoff[-1] if at_cutoff else history[0]))
    if len(history) >= CUMULATIVE_RECORDS:
        baselines.append(("cumulative_rise_3_refills", f"over the last {CUMULATIVE_RECORDS} records",
                          history[-CUMULATIVE_RECORDS]))
    for key, line in new.items():
        step = step_percent(key, settings, origin)
        if step is None:
            continue
        limit, label = step
        for code, span, point in baselines:
            if point is history[-1]:
                continue  # the same comparison as the single step
            before = _peak(point.snapshot, key)
            if before is not None and _rise(before, line.peak_mcg) > limit:
                findings.append(Finding(code, "needs_override", (
                    f"{line.name} has risen by {_rise(before, line.peak_mcg)}% {span} (from "
                    f"{_fmt(before, line.unit)}/day on {point.on.isoformat()}); above {label} ({limit}%).")))
    return findings


def morphine_equivalent(lines: Mapping[str, _Line]) -> tuple[Decimal | None, list[str]]:
    """IT morphine-equivalent peak daily dose in mg and the ratios used; None if an opioid has no ratio."""
    total, used = Decimal(0), []
    for line in lines.values():
        known = limits_for(line.key)
        if known is None or known.group != "opioid":
            continue
        if known.morphine_ratio is None:
            return None, [f"{line.name}: no sourced ratio to morphine"]
        ratio, source = known.morphine_ratio
        total += line.peak_mcg / MG * ratio
        if line.key != "morphine":
            used.append(f"{line.name} {ratio}:1 [{source}]")
    return total, used


def switches(old: Mapping[str, _Line], new: Mapping[str, _Line], settings: DoseSettings) -> list[Finding]:
    """A change of opioid: morphine equivalents before and after; a rise beyond the limit needs an override."""
    def opioids(lines):
        return {k for k in lines if (limits_for(k) or DrugLimits(k, "", "", (0, 0), ())).group == "opioid"}

    if not opioids(old) or not opioids(new) or opioids(old) == opioids(new):
        return []
    (before, used_before), (after, used_after) = morphine_equivalent(old), morphine_equivalent(new)
    if before is None or after is None:
        return [Finding("switch_no_ratio", "needs_override", (
            "Opioid switch: " + "; ".join(used_before + used_after) + " (IT conversions have no consensus "
            "[T29][T40]); a physician sets the new dose."))]
    ratios = "; ".join(used_before + used_after) or "morphine only"
    text = (f"Opioid switch: morphine-equivalent {before.normalize():f} mg/day before, {after.normalize():f} mg/day "
            f"after (ratio {ratios}; IT conversions have no consensus, titrate conservatively [T42][T43])")
    step = step_percent("morphine", settings, None)
    assert step is not None  # opioids always have a step
    limit, label = step
    if after > before and _rise(before, after) > limit:
        return [Finding("switch_raises_equivalent", "needs_override",
                        f"{text}: a rise of {_rise(before, after)}%, above {label} ({limit}%).")]
    return [Finding("switch_equivalent", "info", f"{text}.")]
