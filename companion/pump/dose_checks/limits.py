"""Default dose limits per intrathecal drug, each with its source (pure table, no I/O).

Amounts are in micrograms (mcg/day, mcg/mL) so mg and mcg entries compare exactly.
Sources: T… keys of clinical-reference-2.md, S… keys of clinical-reference.md. A value from
general knowledge that no source confirmed is kept apart (`suggested_*`, marked unverified):
exceeding it needs an override that only a physician can confirm, so a physician always
decides; it is never a silent hard limit.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

MG = Decimal(1000)  # mcg per mg
UNVERIFIED = "unverified suggestion (PACC 2012/2017 as commonly quoted) for a physician to confirm"


@dataclass(frozen=True)
class Sourced:
    """An amount in mcg with the sources that give it."""

    mcg: Decimal
    sources: tuple[str, ...]


@dataclass(frozen=True)
class DrugLimits:
    """What the references say about one drug; None where they say nothing."""

    key: str
    group: str  # opioid | ziconotide | baclofen | other
    unit: str  # the unit clinicians usually write, used in messages
    # mcg/day, from the textbook ranges [T29] widened down to the [GK] starting doses: only used to spot a
    # value 1000 times off (a unit slip), never as a limit.
    plausible_daily: tuple[Decimal, Decimal]
    plausible_sources: tuple[str, ...]
    start_naive: Sourced | None = None  # highest first-fill dose, opioid-naive
    start_tolerant: Sourced | None = None  # highest first-fill dose, opioid-tolerant
    caution_daily: Sourced | None = None  # label: use caution above
    max_daily: Sourced | None = None  # label maximum
    suggested_max_daily: Decimal | None = None  # [GK, unverified]
    suggested_max_conc: Decimal | None = None  # [GK, unverified] mcg/mL
    suggested_start_naive: Decimal | None = None  # [GK, unverified] highest PACC 2017 starting dose
    max_step: Sourced | None = None  # largest single increase, mcg/day
    min_step_days: int | None = None  # fewest days between increases
    morphine_ratio: tuple[Decimal, str] | None = None  # mg morphine per mg of this drug, with its source
    stability_days: tuple[int, tuple[str, ...]] | None = None


def _mg(value: str) -> Decimal:
    return Decimal(value) * MG


def _mcg(value: str) -> Decimal:
    return Decimal(value)


LIMITS: dict[str, DrugLimits] = {
    "morphine": DrugLimits(
        "morphine", "opioid", "mg", (_mg("0.1"), _mg("20")), ("T21", "T29", "GK"),
        start_naive=Sourced(_mg("1"), ("T21",)),  # Infumorph label: naive 0.2-1 mg/day
        start_tolerant=Sourced(_mg("10"), ("T21",)),  # tolerant 1-10 mg/day
        caution_daily=Sourced(_mg("20"), ("T21",)),  # caution above 20 mg/day
        suggested_max_daily=_mg("15"), suggested_max_conc=_mg("20"), suggested_start_naive=_mg("0.5"),
        morphine_ratio=(Decimal(1), "S34"), stability_days=(90, ("S34",))),
    "hydromorphone": DrugLimits(
        "hydromorphone", "opioid", "mg", (_mg("0.01"), _mg("25")), ("T29", "GK"),
        suggested_max_daily=_mg("10"), suggested_max_conc=_mg("15"), suggested_start_naive=_mg("0.15"),
        morphine_ratio=(Decimal(6), "T29")),  # textbook 6:1; no consensus (§5)
    "fentanyl": DrugLimits(
        "fentanyl", "opioid", "mcg", (_mcg("25"), _mcg("1000")), ("T41",),
        suggested_max_conc=_mg("10"), suggested_start_naive=_mcg("75"),
        morphine_ratio=(Decimal(22), "T41")),  # ≈22:1 derived from one series
    "sufentanil": DrugLimits(
        "sufentanil", "opioid", "mcg", (_mcg("10"), _mcg("100")), ("T29",),
        suggested_max_conc=_mg("5"), suggested_start_naive=_mcg("20")),  # morphine ratio NOT FOUND
    "bupivacaine": DrugLimits(
        "bupivacaine", "other", "mg", (_mg("0.01"), _mg("20")), ("T29", "GK"),
        suggested_max_daily=_mg("20"), suggested_max_conc=_mg("30"), suggested_start_naive=_mg("4")),
    "clonidine": DrugLimits(
        "clonidine", "other", "mcg", (_mcg("20"), _mcg("2000")), ("T29", "GK"),
        suggested_max_daily=_mcg("600"), suggested_max_conc=_mcg("1000"), suggested_start_naive=_mcg("100")),
    "ziconotide": DrugLimits(
        "ziconotide", "ziconotide", "mcg", (_mcg("0.5"), _mcg("21.6")), ("T27", "T33"),
        start_naive=Sourced(_mcg("2.4"), ("T27", "T31", "T33")),  # start at most 2.4 mcg/day
        start_tolerant=Sourced(_mcg("2.4"), ("T27", "T31", "T33")),
        max_daily=Sourced(_mcg("19.2"), ("T27", "T31", "T32")),  # US; EU label 21.6 [T33]
        suggested_max_conc=_mcg("100"),
        max_step=Sourced(_mcg("2.4"), ("T27", "T31", "T33")),
        min_step_days=2),  # US at most 2-3 times a week; EU >= 24 h, ideally >= 48 h [T27][T33]
    "baclofen": DrugLimits(
        "baclofen", "baclofen", "mcg", (_mcg("24"), _mcg("1199")), ("T10",)),
}

ZICONOTIDE_EU_MAX = Sourced(_mcg("21.6"), ("T33",))
# Adult titration per 24 h by origin of spasticity [T11]; a missing origin takes the smaller step.
BACLOFEN_STEP_PERCENT = {"spinal": (Decimal(30), ("T11",)), "cerebral": (Decimal(15), ("T11",))}
SPASTICITY_ORIGINS = tuple(BACLOFEN_STEP_PERCENT)
# [GK, unverified] IT opioid steps of roughly 10-20 %: used only when the clinic set no limit.
SUGGESTED_STEP_PERCENT = Decimal(20)
# Ziconotide refill intervals (SynchroMed II, manufacturer citing the label) [T28][S32].
ZICONOTIDE_FIRST_REFILL_DAYS = 14
ZICONOTIDE_DILUTED_DAYS, ZICONOTIDE_UNDILUTED_DAYS = 40, 84
ZICONOTIDE_VIAL_MCG_PER_ML = frozenset({Decimal(25), Decimal(100)})  # [T28] 25 mcg/mL; 100 mcg/mL [GK]


def limits_for(key: str) -> DrugLimits | None:
    """The default limits of a canonical drug key, or None for a drug the references do not cover."""
    return LIMITS.get(key)


def default_stability(key: str, concentration_mcg: Decimal, first_fill: bool) -> tuple[int, str] | None:
    """The default number of days the drug stays usable in the pump, with why; None when unknown."""
    if key == "ziconotide":
        if first_fill:
            return ZICONOTIDE_FIRST_REFILL_DAYS, "ziconotide first refill within 14 days [T28][S32]"
        if concentration_mcg in ZICONOTIDE_VIAL_MCG_PER_ML:
            return ZICONOTIDE_UNDILUTED_DAYS, "ziconotide undiluted: refill at least every 84 days [T28][S32]"
        return ZICONOTIDE_DILUTED_DAYS, "ziconotide diluted: refill at least every 40 days [T28][S32]"
    found = LIMITS.get(key)
    if found is not None and found.stability_days is not None:
        days, sources = found.stability_days
        return days, f"{key} stable up to {days} days in the pump [{']['.join(sources)}]"
    return None


def default_ceiling(key: str) -> tuple[Decimal | None, Decimal | None]:
    """The default (max daily dose, max concentration) in mcg that a clinic ceiling replaces; None where none."""
    found = LIMITS.get(key)
    if found is None:
        return None, None
    dose = next((s.mcg for s in (found.max_daily, found.caution_daily) if s is not None), found.suggested_max_daily)
    return dose, found.suggested_max_conc
