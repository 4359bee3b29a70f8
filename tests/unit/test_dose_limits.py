"""Sourced default limits: the five reviewed cases, starting doses, titration, cumulative rises, switches,
unit slips, boluses and stability defaults, each computed by hand."""
from datetime import date
from decimal import Decimal

import pytest

from companion.pump.dose_checks import (DoseSettings, DrugDose, HistoryPoint, RegimenSnapshot, check_refill,
                                        needs_physician, resolve)
from companion.pump.dose_checks.limits import LIMITS, default_stability

NO_LIMITS = DoseSettings(0, {}, change_limit_set=False)  # a clinic that filled in nothing
CLINIC_10 = DoseSettings(10, {})
D0 = date(2026, 11, 1)


def one(name, conc, dose, unit="mg", bolus="0", count=0):
    """A one-drug regimen on a SynchroMed II."""
    return RegimenSnapshot((DrugDose(name, conc, dose, unit),), "synchromed_ii_20", bolus, count)


def codes(findings):
    """(code, severity) pairs, order-free."""
    return sorted((f.code, f.severity) for f in findings)


def blocked_or_physician(findings):
    """True when the refill cannot pass with notes alone: a block, or an override a physician confirms."""
    return any(f.severity == "block" for f in findings) or needs_physician(findings)


# --- The five cases under "What was seen" -------------------------------------------------------------

def test_case_1_morphine_50_mg_ml_at_30_mg_first_fill_without_clinic_ceiling():
    """30 > 1 mg/day opioid-naive start [T21]; 30 > 20 mg/day label caution [T21]; 50 > 20 mg/mL suggestion."""
    findings = check_refill(None, one("Morphine", "50", "30"), NO_LIMITS)
    assert codes(findings) == [("above_label_caution", "needs_override"),
                               ("concentration_above_suggested_maximum", "needs_override"),
                               ("first_fill_above_start", "needs_override")]
    assert blocked_or_physician(findings)
    assert "unverified" in next(f.message for f in findings if f.code.startswith("concentration"))
    assert "opioid-naive range is used" in next(f.message for f in findings if f.code == "first_fill_above_start")


def test_case_2_morphine_10_to_hydromorphone_10_is_six_times_the_equivalent():
    """10 mg hydromorphone x 6 (textbook 6:1 [T29]) = 60 mg morphine-equivalent: +500 %."""
    findings = check_refill(one("Morphine", "10", "10"), one("Hydromorphone", "10", "10"), CLINIC_10)
    switch = next(f for f in findings if f.code == "switch_raises_equivalent")
    assert switch.severity == "needs_override"
    assert "10 mg/day before, 60 mg/day after" in switch.message and "6:1 [T29]" in switch.message
    assert "500.0%" in switch.message
    assert blocked_or_physician(findings)


def test_case_3_clonidine_in_mg_instead_of_mcg_is_blocked_naming_the_unit():
    """150 mg = 150,000 mcg/day, over 10 x 2,000; 150 mcg fits the usual range: the mcg was meant."""
    findings = check_refill(one("Clonidine", "1000", "150", "mcg"), one("Clonidine", "1000", "150", "mg"), CLINIC_10)
    assert codes(findings) == [("unit_slip", "block")]
    assert "150 mcg" in findings[0].message
    assert resolve(findings, "reason", True, "A long override note here.", "other") == findings


def test_case_4_ziconotide_2_4_to_12_in_one_step_even_with_a_loose_clinic_limit():
    """12 - 2.4 = 9.6 mcg/day > the 2.4 mcg/day step [T27][T33], whatever the clinic's 500 % allows."""
    loose = DoseSettings(500, {})
    findings = check_refill(one("Prialt", "100", "2.4", "mcg"), one("ziconotide", "100", "12", "mcg"), loose)
    assert codes(findings) == [("step_above_maximum", "needs_override")]
    assert "9.6 mcg/day" in findings[0].message


def test_case_5_repeated_small_increases_add_up_over_30_days():
    """2 -> 2.2 -> 2.4 -> 2.6 mg/day: steps of 10, 9.1 and 8.3 % pass a 10 % limit; 2 -> 2.6 is 30 %."""
    history = [HistoryPoint(D0, one("Morphine", "10", "2")), HistoryPoint(date(2026, 11, 11), one("Morphine", "10", "2.2")),
               HistoryPoint(date(2026, 11, 21), one("Morphine", "10", "2.4"))]
    findings = check_refill(history[-1].snapshot, one("Morphine", "10", "2.6"), CLINIC_10,
                            history=history, on=date(2026, 11, 29))
    assert codes(findings) == [("cumulative_rise_30_days", "needs_override"),
                               ("cumulative_rise_3_refills", "needs_override")]
    assert all("30.0%" in f.message for f in findings)
    # Without the history the same single step passes: the history is what catches it.
    assert check_refill(history[-1].snapshot, one("Morphine", "10", "2.6"), CLINIC_10) == []


# --- Starting doses ------------------------------------------------------------------------------------

@pytest.mark.parametrize("tolerant, dose, flagged", [
    (False, "1", False), (False, "1.01", True),  # opioid-naive 0.2-1 mg/day [T21]
    (True, "10", False), (True, "10.5", True),  # opioid-tolerant 1-10 mg/day [T21]
    (None, "1.5", True),  # unknown counts as naive
])
def test_morphine_first_fill_against_the_label_start(tolerant, dose, flagged):
    """Above the label's starting range needs an override."""
    findings = check_refill(None, one("Morphine", "10", dose), NO_LIMITS, opioid_tolerant=tolerant)
    assert (("first_fill_above_start", "needs_override") in codes(findings)) is flagged


def test_ziconotide_first_fill_above_2_4():
    """Start at most 2.4 mcg/day [T27][T33]: 2.4 passes, 3.6 needs an override."""
    assert check_refill(None, one("Prialt", "25", "2.4", "mcg"), NO_LIMITS) == []
    assert codes(check_refill(None, one("Prialt", "25", "3.6", "mcg"), NO_LIMITS)) == [
        ("first_fill_above_start", "needs_override")]


def test_hydromorphone_first_fill_uses_the_unverified_suggestion():
    """0.2 mg/day > 0.15 mg/day (PACC 2017 as quoted, unverified): an override, labelled as a suggestion."""
    [finding, *rest] = [f for f in check_refill(None, one("Hydromorphone", "2", "0.2"), NO_LIMITS)
                        if f.code.startswith("first_fill")]
    assert finding.code == "first_fill_above_suggested_start" and "unverified" in finding.message and not rest


# --- Titration -----------------------------------------------------------------------------------------

def test_ziconotide_step_sooner_than_two_days():
    """1.2 -> 2.4 mcg/day is a 1.2 step (fine) but only 1 day after the last increase."""
    history = [HistoryPoint(D0, one("Prialt", "25", "1.2", "mcg"))]
    findings = check_refill(history[-1].snapshot, one("Prialt", "25", "2.4", "mcg"), DoseSettings(100, {}),
                            history=history, on=date(2026, 11, 2))
    assert codes(findings) == [("step_too_soon", "needs_override")]
    later = check_refill(history[-1].snapshot, one("Prialt", "25", "2.4", "mcg"), DoseSettings(100, {}),
                         history=history, on=date(2026, 11, 3))
    assert later == []


def test_ziconotide_interval_counts_from_the_last_change_not_the_last_refill():
    """Dose 2.4 since 1 Nov, refilled unchanged on 5 Nov: an increase on 6 Nov is 5 days after the change."""
    history = [HistoryPoint(D0, one("Prialt", "25", "2.4", "mcg")),
               HistoryPoint(date(2026, 11, 5), one("Prialt", "25", "2.4", "mcg"))]
    assert check_refill(history[-1].snapshot, one("Prialt", "25", "4.8", "mcg"), DoseSettings(100, {}),
                        history=history, on=date(2026, 11, 6)) == []


def test_ziconotide_above_the_us_maximum_mentions_the_eu_label():
    """19.2 mcg/day US maximum [T27]; 21.6 EU [T33]."""
    same = one("Prialt", "100", "20", "mcg")
    [finding] = check_refill(same, same, NO_LIMITS)
    assert finding.code == "above_label_maximum" and "19.2 mcg/day" in finding.message and "21.6" in finding.message


@pytest.mark.parametrize("origin, new_dose, flagged", [
    ("spinal", "520", False), ("spinal", "521", True),  # 400 + 30 % = 520 [T11]
    ("cerebral", "460", False), ("cerebral", "461", True),  # 400 + 15 % = 460 [T11]
    (None, "461", True),  # unknown origin: the cerebral range
])
def test_baclofen_step_by_origin(origin, new_dose, flagged):
    """Baclofen increases above the range for the origin of spasticity need an override."""
    findings = check_refill(one("Gablofen", "500", "400", "mcg"), one("baclofen", "500", new_dose, "mcg"),
                            NO_LIMITS, spasticity_origin=origin)
    assert (("baclofen_step_above_range", "needs_override") in codes(findings)) is flagged


@pytest.mark.parametrize("new_dose, expected", [
    ("2.4", []),  # +20 %: at the suggested step
    ("2.41", [("increase_above_suggested_step", "needs_override")]),
])
def test_opioid_increase_without_a_clinic_limit_uses_the_labelled_suggestion(new_dose, expected):
    """No clinic limit: every change needs a reason, and a rise above 20 % (unverified) an override."""
    findings = check_refill(one("Morphine", "10", "2"), one("Morphine", "10", new_dose), NO_LIMITS)
    assert codes(findings) == sorted([("dose_change_over_limit", "needs_reason"), *expected])


# --- Boluses -------------------------------------------------------------------------------------------

def test_boluses_count_towards_the_clinic_ceiling():
    """9 mg/day + 4 x 0.5 mg boluses = 11 mg > a 10 mg ceiling; 9 + 2 x 0.5 = 10 is at it (and +10 %)."""
    ceiling = DoseSettings(20, {"morphine": (10, None, "mg")})
    before = one("Morphine", "10", "9", "mg", "0.5", 2)
    assert check_refill(before, before, ceiling) == []
    [finding] = check_refill(before, one("Morphine", "10", "9", "mg", "0.5", 4), ceiling)
    assert finding.code == "daily_dose_above_ceiling" and "9 + boluses = 11" in finding.message


def test_boluses_count_towards_the_change_limit():
    """5 mg/day -> 5 + 4 x 0.25 = 6 mg/day peak: +20 %, over a 10 % clinic limit."""
    [finding] = check_refill(one("Morphine", "10", "5"), one("Morphine", "10", "5", "mg", "0.25", 4), CLINIC_10)
    assert (finding.code, finding.severity) == ("dose_change_over_limit", "needs_override")
    assert "20.0%" in finding.message


def test_bolus_share_of_a_mixture():
    """Bolus 0.2 mg morphine at 10 mg/mL = 0.02 mL; x5 = 0.1 mL/day, carrying 0.1 x 100 = 10 mcg clonidine."""
    before = RegimenSnapshot((DrugDose("Morphine", "10", "2"), DrugDose("Clonidine", "100", "20", "mcg")), None)
    after = RegimenSnapshot((DrugDose("Morphine", "10", "2"), DrugDose("Clonidine", "100", "20", "mcg")), None,
                            "0.2", 5)
    changes = [f for f in check_refill(before, after, DoseSettings(40, {})) if f.code == "dose_change_over_limit"]
    # Morphine 2 -> 3 (+50 %) and clonidine 20 -> 30 (+50 %): both over 40 %.
    assert len(changes) == 2 and all("50.0%" in f.message for f in changes)


# --- Clinic ceilings replace the defaults --------------------------------------------------------------

def test_a_clinic_ceiling_tightens_the_default():
    """A 5 mg clinic ceiling bites at 6 mg, far below the label's 20 mg caution."""
    same = one("Morphine", "10", "6")
    assert codes(check_refill(same, same, DoseSettings(20, {"morphine": (5, None, "mg")}))) == [
        ("daily_dose_above_ceiling", "needs_override")]
    assert check_refill(same, same, NO_LIMITS) == []


def test_unit_slip_too_small():
    """Morphine 2 mcg/day: below a tenth of the 0.1 mg lowest start; x1000 = 2 mg fits: mg was meant."""
    [finding] = check_refill(None, one("Morphine", "10000", "2", "mcg"), NO_LIMITS)
    assert finding.code == "unit_slip" and "2 mg" in finding.message


def test_every_default_cites_a_source():
    """Sourced limits carry T/S keys; nothing sourced is left without one."""
    for limits in LIMITS.values():
        for sourced in (limits.start_naive, limits.start_tolerant, limits.caution_daily, limits.max_daily,
                        limits.max_step):
            assert sourced is None or sourced.sources
        assert limits.plausible_sources


# --- Stability defaults --------------------------------------------------------------------------------

@pytest.mark.parametrize("key, conc, first, days", [
    ("ziconotide", "25", True, 14), ("ziconotide", "100", False, 84), ("ziconotide", "50", False, 40),
    ("morphine", "10000", False, 90), ("clonidine", "100", False, None),
])
def test_stability_defaults(key, conc, first, days):
    """Ziconotide 14 days after a first fill, then 84 undiluted / 40 diluted [T28]; morphine 90 [S34]."""
    found = default_stability(key, Decimal(conc), first)
    assert (found[0] if found else None) == days
