"""Refill dose checks: change limits, concentration, ceilings, approval, double check, resolve."""
from decimal import Decimal

import pytest

from companion.pump.dose_checks import (
    SEDATING_CLASSES,
    SEDATING_SOURCES,
    DoseSettings,
    DrugDose,
    Finding,
    RegimenSnapshot,
    check_refill,
    confirm_double_check,
    drug_key,
    flag_sedating,
    resolve,
)

SETTINGS = DoseSettings(change_percent_limit=20, ceilings={"morphine": (10, 25, "mg")})


def morphine(dose="2", conc="10", unit="mg", pump="synchromed_ii_20", **extra):
    """A one-drug morphine regimen."""
    return RegimenSnapshot((DrugDose("morphine", conc, dose, unit, **extra),), pump)


def codes(findings):
    """(code, severity) pairs, order-free."""
    return sorted((f.code, f.severity) for f in findings)


def test_first_fill_within_ceiling_has_no_findings():
    """No previous regimen, opioid-tolerant: within the 1-10 mg/day start [T21], ceiling respected, approved."""
    assert check_refill(None, morphine(), SETTINGS, opioid_tolerant=True) == []


def test_unchanged_refill_has_no_findings():
    """Same drug, dose and concentration as before."""
    assert check_refill(morphine(), morphine(), SETTINGS) == []


@pytest.mark.parametrize(
    "new_dose, flagged",
    [("2.4", False), ("2.41", True), ("1.6", False), ("1.59", True), ("2", False)],
)
def test_dose_change_limit_both_directions(new_dose, flagged):
    """Exactly 20 % is allowed; more down needs a written reason, more up an override (a physician confirms)."""
    findings = check_refill(morphine("2"), morphine(new_dose), SETTINGS)
    severity = "needs_override" if Decimal(new_dose) > 2 else "needs_reason"
    assert codes(findings) == ([("dose_change_over_limit", severity)] if flagged else [])


def test_dose_change_message_gives_the_numbers():
    """The clinician sees the percentage, both doses and the limit."""
    [finding] = check_refill(morphine("2"), morphine("3"), SETTINGS)
    assert "50.0%" in finding.message and "2 mg to 3 mg" in finding.message
    assert "20%" in finding.message


def test_zero_limit_flags_any_change():
    """A clinic may require a reason for every change."""
    strict = DoseSettings(change_percent_limit=0, ceilings={"morphine": (10, 25, "mg")})
    assert codes(check_refill(morphine("2"), morphine("2.01"), strict)) == [
        ("dose_change_over_limit", "needs_override")]
    assert codes(check_refill(morphine("2"), morphine("1.99"), strict)) == [
        ("dose_change_over_limit", "needs_reason")]
    assert check_refill(morphine("2"), morphine("2"), strict) == []


def test_units_are_compared_in_micrograms():
    """2 mg/day at 10 mg/mL equals 2000 mcg/day at 10000 mcg/mL."""
    assert check_refill(morphine("2"), morphine("2000", "10000", "mcg"), SETTINGS) == []
    assert check_refill(morphine("2"), morphine("2000", "10000", "ug"), SETTINGS) == []


@pytest.mark.parametrize("new_conc, flagged", [("10", False), ("10.0", False), ("25", True),
                                               ("9.99", True)])
def test_concentration_change_needs_reprogramming_confirmation(new_conc, flagged):
    """Any concentration change, however small, needs the reprogramming confirmation."""
    findings = check_refill(morphine(conc="10"), morphine(conc=new_conc), SETTINGS)
    expected = [("concentration_changed", "needs_confirmation")] if flagged else []
    assert codes(findings) == expected
    if flagged:
        assert "reprogrammed for the new concentration" in findings[0].message


def test_drug_switch_needs_reason_confirmation_and_is_noted():
    """Morphine 2 to hydromorphone 0.3 mg/day (1.8 mg morphine-equivalent at 6:1): new drug, old drug gone,
    reprogram, unapproved, and the equivalent shown."""
    new = RegimenSnapshot((DrugDose("Hydromorphone", "5", "0.3"),), "synchromed_ii_20")
    assert codes(check_refill(morphine(), new, SETTINGS)) == sorted([
        ("drug_added", "needs_reason"), ("drug_removed", "needs_reason"),
        ("concentration_changed", "needs_confirmation"), ("switch_equivalent", "info"),
        ("drug_not_approved", "info")])


@pytest.mark.parametrize(
    "drug, pump, flagged",
    [
        ("ziconotide", "synchromed_ii_20", False),
        ("ziconotide", "prometra_ii_20", True),  # Prialt is not labelled for every pump [S8][S29]
        ("baclofen", "prometra_ii_40", False),
        ("baclofen", "synchromed_ii_40", False),
        ("hydromorphone", "synchromed_ii_40", True),
        ("fentanyl", "prometra_ii_20", True),
        ("morphine", None, False),
        ("bupivacaine", None, True),
        ("Infumorph", "prometra_ii_20", False),
        ("Prialt", "synchromed_ii_20", False),
    ],
)
def test_approval_by_pump(drug, pump, flagged):
    """Unapproved drugs are an info finding, never a block."""
    settings = DoseSettings(change_percent_limit=20, ceilings={drug: (100, 100, "mg")})
    unit = "mcg" if drug_key(drug) == "ziconotide" else "mg"
    regimen = RegimenSnapshot((DrugDose(drug, "1", "1", unit),), pump)
    findings = check_refill(regimen, regimen, settings)
    assert codes(findings) == ([("drug_not_approved", "info")] if flagged else [])


def test_brand_names_fold_to_generic():
    """Infumorph refill after morphine is the same drug, compared as such."""
    assert drug_key("  INFUMORPH ") == "morphine" and drug_key("Prialt") == "ziconotide"
    new = RegimenSnapshot((DrugDose("Infumorph", "10", "2"),), "synchromed_ii_20")
    assert check_refill(morphine(), new, SETTINGS) == []


def test_compounded_drug_is_noted():
    """A compounded morphine is outside pump labeling [S8]."""
    assert codes(check_refill(None, morphine(compounded=True), SETTINGS, opioid_tolerant=True)) == [
        ("compounded_not_approved", "info")]


def mixture(clonidine_dose="10"):
    """Morphine 10 mg/mL at 2 mg/day with clonidine 50 mcg/mL."""
    return RegimenSnapshot((DrugDose("morphine", "10", "2"),
                            DrugDose("clonidine", "50", clonidine_dose, "mcg")), "synchromed_ii_20")


def test_matching_mixture_is_noted_not_blocked():
    """Same 0.2 mL/day for both drugs: no block, but mixtures are unapproved."""
    settings = DoseSettings(20, {"morphine": (10, 25, "mg"), "clonidine": (None, None, "mcg")})
    assert codes(check_refill(None, mixture(), settings, opioid_tolerant=True)) == sorted([
        ("mixture_not_approved", "info"), ("drug_not_approved", "info")])


def test_mixture_volume_mismatch_blocks():
    """Clonidine dose implying 0.3 mL/day against morphine's 0.2 mL/day."""
    findings = check_refill(None, mixture("15"), SETTINGS)
    assert ("mixture_volume_mismatch", "block") in codes(findings)


@pytest.mark.parametrize(
    "dose, conc, expected",
    [
        ("10", "25", []),
        ("10.01", "25", [("daily_dose_above_ceiling", "needs_override")]),
        ("10", "25.01", [("concentration_above_ceiling", "needs_override")]),
        ("11", "30", [("concentration_above_ceiling", "needs_override"),
                      ("daily_dose_above_ceiling", "needs_override")]),
    ],
)
def test_ceilings_need_override_only_above(dose, conc, expected):
    """Equal to the ceiling is allowed; above it needs a documented override."""
    assert codes(check_refill(morphine(dose, conc), morphine(dose, conc), SETTINGS)) == sorted(expected)


def test_ceiling_units_convert_and_none_means_unset():
    """A mcg ceiling applies to a mg entry; a None limit is not checked."""
    settings = DoseSettings(20, {"Infumorph": (None, 25000, "mcg")})
    assert check_refill(None, morphine("5", "25"), settings, opioid_tolerant=True) == []
    assert codes(check_refill(None, morphine("5", "25.001"), settings, opioid_tolerant=True)) == [
        ("concentration_above_ceiling", "needs_override")]


def test_missing_ceiling_is_noted():
    """A drug neither the clinic nor the references give a limit for: nothing to enforce, and we say so."""
    regimen = RegimenSnapshot((DrugDose("Meperidine", "10", "50"),), "synchromed_ii_20")
    findings = check_refill(regimen, regimen, DoseSettings(20))
    assert codes(findings) == [("drug_not_approved", "info"), ("no_ceiling_set", "info")]


@pytest.mark.parametrize("limit, ceilings", [(-1, {}), ("x", {}), (20, {"morphine": (0, 25, "mg")}),
                                             (20, {"morphine": (10, 25, "grams")})])
def test_bad_settings_are_rejected(limit, ceilings):
    """Settings that can never be compared against raise at construction."""
    with pytest.raises(ValueError):
        DoseSettings(limit, ceilings)


@pytest.mark.parametrize(
    "new, text",
    [
        (morphine("0"), "daily dose"),
        (morphine(conc="-10"), "concentration"),
        (morphine(conc="ten"), "concentration"),
        (morphine(unit="ml"), "unit"),
        (RegimenSnapshot(()), "no drug"),
        (RegimenSnapshot((DrugDose("morphine", 10, 2), DrugDose("Infumorph", 10, 2))), "twice"),
    ],
)
def test_unreadable_new_regimen_blocks(new, text):
    """Values that cannot be checked block the save, naming the problem."""
    findings = check_refill(morphine(), new, SETTINGS)
    assert findings and all(f.severity == "block" and f.code == "invalid_new" for f in findings)
    assert any(text in f.message for f in findings)


def test_unreadable_previous_regimen_blocks():
    """A comparison against nonsense would hide a dose change."""
    findings = check_refill(morphine("0"), morphine(), SETTINGS)
    assert codes(findings) == [("invalid_previous", "block")]


@pytest.mark.parametrize("second", [("10", "2"), ("10.0", "2.00"), (Decimal("10"), 2)])
def test_double_check_match(second):
    """Numerically equal re-entries match."""
    assert confirm_double_check(("10", "2"), second) is True


@pytest.mark.parametrize(
    "second, fields",
    [(("1", "2"), "concentration"), (("10", "0.2"), "daily dose"),
     (("10", "2.0000001"), "daily dose"), (("25", "20"), "concentration and daily dose")],
)
def test_double_check_mismatch_blocks_without_revealing(second, fields):
    """Any mismatch blocks; the message names fields but not the first clinician's values."""
    result = confirm_double_check(("10", "2"), second)
    assert isinstance(result, Finding)
    assert (result.code, result.severity) == ("double_check_mismatch", "block")
    assert f"on {fields}." in result.message and "10" not in result.message


def test_double_check_unreadable_blocks():
    """A blank or non-number entry cannot confirm anything."""
    result = confirm_double_check(("10", "2"), ("", "2"))
    assert isinstance(result, Finding) and result.code == "double_check_invalid"


NOTE = "Pain 8/10 for weeks; agreed with Dr B."
ALL = [Finding("a", "needs_reason", ""), Finding("b", "needs_confirmation", ""),
       Finding("c", "needs_override", ""), Finding("d", "block", ""), Finding("e", "info", "")]


def test_resolve_with_nothing_leaves_all_but_info():
    """Info never blocks; everything else stays until answered."""
    assert [f.code for f in resolve(ALL, None, False, None)] == ["a", "b", "c", "d"]


def test_resolve_with_everything_leaves_only_blocks():
    """Reason, confirmation and override clear their findings; a block never clears."""
    assert [f.code for f in resolve(ALL, "pain rising", True, "Discussed with Dr B at the visit.",
                                    "tolerance")] == ["d"]


@pytest.mark.parametrize(
    "reason, confirmed, override, left",
    [
        ("  ", True, NOTE, ["a", "d"]),
        ("why", False, NOTE, ["b", "d"]),
        ("why", "yes", NOTE, ["b", "d"]),  # only a real True confirms
        ("why", True, "\n", ["c", "d"]),
        ("why", True, "x", ["c", "d"]),  # one letter is not a note
        ("why", True, "agreed with Dr B", ["c", "d"]),  # 16 characters: not yet a sentence
    ],
)
def test_resolve_each_answer_on_its_own(reason, confirmed, override, left):
    """Blank text, a one-letter note or a non-True confirmation clears nothing."""
    assert [f.code for f in resolve(ALL, reason, confirmed, override, "tolerance")] == left


@pytest.mark.parametrize("code, left", [(None, ["c", "d"]), ("made_up", ["c", "d"]), ("other", ["d"])])
def test_override_needs_a_reason_from_the_list(code, left):
    """A full sentence without a listed reason code does not clear an override."""
    assert [f.code for f in resolve(ALL, "why", True, NOTE, code)] == left


def test_sedating_vocabulary_matches_the_diary():
    """The six classes of vignettes.yaml, each with a label and a source."""
    expected = {"benzodiazepine", "sleep_medicine", "gabapentinoid", "opioid_pill_or_patch",
                "alcohol", "muscle_relaxant"}
    assert set(SEDATING_CLASSES) == expected == set(SEDATING_SOURCES)
    assert all(SEDATING_CLASSES.values()) and all(SEDATING_SOURCES.values())


def test_flag_sedating_orders_and_dedupes():
    """Returned in vocabulary order, once each; nothing taken flags nothing."""
    assert flag_sedating(["alcohol", "benzodiazepine", "alcohol"]) == ["benzodiazepine", "alcohol"]
    assert flag_sedating([]) == []


def test_flag_sedating_rejects_unknown_classes():
    """An unknown code could hide a sedative, so it is an error."""
    with pytest.raises(ValueError, match="antihistamine"):
        flag_sedating(["antihistamine"])
