"""Refill arithmetic, mixtures, residual gaps, battery windows and pump models."""
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
import textstat
from hypothesis import assume, given
from hypothesis import strategies as st

from companion.pump.schedule import (
    PUMP_MODELS,
    Projection,
    ScheduleError,
    battery_window,
    days_until,
    mixture_daily_volumes,
    project,
    residual_gap_flag,
)

JAN1 = date(2026, 1, 1)
BASE = dict(filled_on=JAN1, fill_volume_ml=20, alarm_volume_ml=2, concentration=10, daily_dose=2)


def test_worked_example_from_the_brief():
    """§4 worked example: 0.2 mL/day, alarm day 90, empty day 100, stability caps at 60."""
    result = project(**BASE, stability_days=60)
    assert result == Projection(
        daily_volume_ml=Decimal("0.2"),
        alarm_on=date(2026, 4, 1),
        empty_on=date(2026, 4, 11),
        due_on=date(2026, 3, 2),
        limited_by="drug_stability",
        days_to_alarm=90,
        days_to_empty=100,
    )
    assert isinstance(result.daily_volume_ml, Decimal)


def test_without_stability_the_alarm_sets_the_due_date():
    """No stability limit: due on the alarm date."""
    result = project(**BASE)
    assert (result.due_on, result.limited_by) == (date(2026, 4, 1), "low_reservoir_alarm")


@pytest.mark.parametrize(
    "stability, due, limited_by",
    [
        (89, date(2026, 3, 31), "drug_stability"),
        (90, date(2026, 4, 1), "low_reservoir_alarm"),  # tie goes to the alarm
        (91, date(2026, 4, 1), "low_reservoir_alarm"),
    ],
)
def test_stability_against_alarm_boundary(stability, due, limited_by):
    """Stability wins only when strictly earlier than the alarm."""
    result = project(**BASE, stability_days=stability)
    assert (result.due_on, result.limited_by) == (due, limited_by)


def test_boluses_count_as_if_all_are_used():
    """2 mg/day + 4 x 0.5 mg boluses = 4 mg/day = 0.4 mL/day at 10 mg/mL."""
    result = project(**BASE, bolus_dose="0.5", boluses_per_day=4)
    assert result.daily_volume_ml == Decimal("0.4")
    assert (result.days_to_alarm, result.days_to_empty) == (45, 50)
    assert result.alarm_on == date(2026, 2, 15)


def test_bolus_dose_without_boluses_adds_nothing():
    """A bolus size with zero boluses per day leaves the basal volume."""
    assert project(**BASE, bolus_dose=1, boluses_per_day=0).days_to_alarm == 90


def test_microgram_units_ziconotide():
    """Ziconotide 25 mcg/mL at 2.4 mcg/day = 0.096 mL/day; stability 40 days caps it."""
    result = project(filled_on=JAN1, fill_volume_ml=20, alarm_volume_ml=2, concentration=25,
                     daily_dose="2.4", stability_days=40)
    assert result.daily_volume_ml == Decimal("0.096")
    assert (result.days_to_alarm, result.days_to_empty) == (187, 208)  # 187.5 and 208.3 floored
    assert (result.due_on, result.limited_by) == (JAN1 + timedelta(days=40), "drug_stability")


def test_eighteen_over_point_two_is_exactly_ninety():
    """Float inputs whose float difference is 17.999... must still give 90 days."""
    result = project(filled_on=JAN1, fill_volume_ml=38.3, alarm_volume_ml=20.3,
                     concentration=10, daily_dose=2)
    assert result.days_to_alarm == 90


def test_floor_is_exact_where_floats_round_down():
    """18 mL at 0.1/0.3 mL/day is exactly 54 days; float arithmetic gives 53."""
    result = project(filled_on=JAN1, fill_volume_ml=20, alarm_volume_ml=2,
                     concentration=0.3, daily_dose=0.1)
    assert result.days_to_alarm == 54


def test_floor_is_exact_where_decimal_division_rounds_up():
    """0.15/7 mL/day does not terminate; 18 mL lasts exactly 840 days, not 839."""
    result = project(filled_on=JAN1, fill_volume_ml=20, alarm_volume_ml=2,
                     concentration=7, daily_dose="0.15")
    assert result.days_to_alarm == 840


def test_part_days_are_floored():
    """17.9 mL at 0.3 mL/day is 59.67 days: the alarm comes on day 59."""
    result = project(filled_on=JAN1, fill_volume_ml="19.9", alarm_volume_ml=2,
                     concentration=10, daily_dose=3)
    assert result.days_to_alarm == 59
    assert result.alarm_on == JAN1 + timedelta(days=59)
    assert result.days_to_empty == 66  # 19.9 / 0.3 = 66.33


def test_fill_equal_to_reservoir_is_allowed():
    """A full 20 mL reservoir is not an overfill."""
    assert project(**BASE, reservoir_ml=20).days_to_empty == 100


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"concentration": 0}, "concentration"),
        ({"concentration": -10}, "concentration"),
        ({"daily_dose": 0}, "daily_dose"),
        ({"daily_dose": "-1"}, "daily_dose"),
        ({"bolus_dose": -1}, "bolus_dose"),
        ({"boluses_per_day": -1}, "boluses_per_day"),
        ({"boluses_per_day": "1.5"}, "boluses_per_day"),
        ({"fill_volume_ml": 0}, "fill_volume_ml"),
        ({"alarm_volume_ml": -1}, "alarm_volume_ml"),
        ({"alarm_volume_ml": 20}, "alarm_volume_ml"),
        ({"alarm_volume_ml": 21}, "alarm_volume_ml"),
        ({"reservoir_ml": "19.9"}, "reservoir_ml"),
        ({"reservoir_ml": 0}, "reservoir_ml"),
        ({"stability_days": -1}, "stability_days"),
        ({"stability_days": 0}, "stability_days"),
        ({"stability_days": 1.5}, "stability_days"),
        ({"concentration": "ten"}, "concentration"),
        ({"concentration": float("nan")}, "concentration"),
        ({"daily_dose": True}, "daily_dose"),
        ({"daily_dose": None}, "daily_dose"),
        ({"filled_on": "2026-01-01"}, "filled_on"),
        ({"daily_dose": "1e-12"}, "beyond the calendar"),
    ],
)
def test_impossible_input_names_the_field(changes, field):
    """Every impossible input raises ScheduleError (a ValueError) naming what is wrong."""
    with pytest.raises(ScheduleError, match=field):
        project(**{**BASE, **changes})
    assert issubclass(ScheduleError, ValueError)


volumes = st.decimals(min_value="0.1", max_value=40, places=1)
amounts = st.decimals(min_value="0.01", max_value=50, places=2)


@given(fill=volumes, alarm=st.decimals(min_value=0, max_value=10, places=1),
       concentration=amounts, dose=amounts, bolus=st.decimals(min_value=0, max_value=5, places=2),
       boluses=st.integers(0, 10), stability=st.none() | st.integers(1, 400))
def test_dates_are_ordered(fill, alarm, concentration, dose, bolus, boluses, stability):
    """For any valid fill: filled <= due <= alarm <= empty, and days match dates."""
    assume(alarm < fill)
    r = project(filled_on=JAN1, fill_volume_ml=fill, alarm_volume_ml=alarm,
                concentration=concentration, daily_dose=dose, bolus_dose=bolus,
                boluses_per_day=boluses, stability_days=stability)
    assert JAN1 <= r.due_on <= r.alarm_on <= r.empty_on
    assert r.alarm_on == JAN1 + timedelta(days=r.days_to_alarm)
    assert r.empty_on == JAN1 + timedelta(days=r.days_to_empty)
    # The floor is exact: day n has not used up the volume above the alarm, day n + 1 has.
    exact = Fraction(fill - alarm) * Fraction(concentration) / Fraction(dose + bolus * boluses)
    assert r.days_to_alarm <= exact < r.days_to_alarm + 1


def test_days_until_counts_both_ways():
    """Future dates are positive, past ones negative, today zero."""
    assert days_until(date(2026, 3, 2), JAN1) == 60
    assert days_until(JAN1, JAN1) == 0
    assert days_until(date(2025, 12, 30), JAN1) == -2


def test_mixture_with_matching_volumes_returns_the_volume():
    """Morphine 10 mg/mL at 2 mg and clonidine 50 mcg/mL at 10 mcg both give 0.2 mL/day."""
    assert mixture_daily_volumes([("morphine", 10, 2), ("clonidine", 50, 10)]) == Decimal("0.2")
    assert mixture_daily_volumes([("morphine", 10, 2)]) == Decimal("0.2")


def test_mixture_with_different_volumes_raises():
    """A mistyped dose in a mixture gives a second flow rate: a programming error."""
    with pytest.raises(ScheduleError, match="bupivacaine"):
        mixture_daily_volumes([("morphine", 10, 2), ("bupivacaine", 10, 3)])


def test_mixture_exactness_with_repeating_decimals():
    """1/3 and 2/6 mL/day are the same volume even though neither terminates."""
    assert mixture_daily_volumes([("a", 3, 1), ("b", 6, 2)]) == Decimal(1) / Decimal(3)


@pytest.mark.parametrize("drugs, field", [([], "at least one"),
                                          ([("morphine", 0, 2)], "concentration of morphine"),
                                          ([("morphine", 10, -2)], "daily_dose of morphine")])
def test_mixture_invalid_input(drugs, field):
    """Empty lists and non-positive numbers are rejected by name."""
    with pytest.raises(ScheduleError, match=field):
        mixture_daily_volumes(drugs)


@pytest.mark.parametrize(
    "expected, withdrawn, reservoir, flagged",
    [
        (3, 2, 20, False), ("3.01", 2, 20, True), (2, 3, 20, False), (2, "3.01", 20, True),
        (4, 2, 40, False), ("4.01", 2, 40, True), (2, "4.01", 40, True),
        ("1.5", 0, 30, False), ("1.51", 0, 30, True),  # other sizes: 5 %
    ],
)
def test_residual_gap_thresholds(expected, withdrawn, reservoir, flagged):
    """[S36]: over 1 mL for 20 mL, over 2 mL for 40 mL, in either direction."""
    assert residual_gap_flag(expected, withdrawn, reservoir) is flagged


def test_residual_gap_rejects_negative_volume():
    """A negative measured volume is an entry error."""
    with pytest.raises(ScheduleError, match="withdrawn_ml"):
        residual_gap_flag(2, -1, 20)


def test_synchromed_battery_window_is_five_to_seven_years():
    """[S10]: typical 5-7 years."""
    assert battery_window("synchromed_ii_20", date(2020, 6, 15)) == (date(2025, 6, 15),
                                                                     date(2027, 6, 15))


def test_battery_window_from_29_february():
    """Anniversaries of 29 February fall on 28 February."""
    assert battery_window("synchromed_ii_40", date(2024, 2, 29)) == (date(2029, 2, 28),
                                                                     date(2031, 2, 28))


def test_replacement_indicator_gives_stop_ninety_days_later():
    """[S10]: after ERI the pump stops 90 days later."""
    stop = date(2026, 3, 2) + timedelta(days=90)
    assert battery_window("synchromed_ii_20", date(2020, 6, 15), date(2026, 3, 2)) == (stop, stop)


def test_replacement_indicator_never_beyond_seven_years():
    """[S10]: the hard 7-year shut-off comes first if earlier."""
    hard = date(2027, 6, 15)
    assert battery_window("synchromed_ii_20", date(2020, 6, 15), date(2027, 5, 1)) == (hard, hard)


def test_replacement_indicator_before_implant_is_rejected():
    """An ERI date before implant is an entry error."""
    with pytest.raises(ScheduleError, match="replacement_indicator_on"):
        battery_window("synchromed_ii_20", date(2020, 6, 15), date(2020, 6, 14))


def test_prometra_and_unknown_models_have_no_window():
    """Prometra battery life is NOT FOUND in the reference; unknown models have nothing."""
    assert battery_window("prometra_ii_20", date(2020, 1, 1)) is None
    assert battery_window("prometra_ii_40", date(2020, 1, 1), date(2026, 1, 1)) is None
    assert battery_window("codman_3000", date(2020, 1, 1)) is None


def test_clinic_years_fill_the_gap_but_never_pass_the_hard_maximum():
    """A clinic setting gives Prometra a window; SynchroMed II stays capped at 7 years."""
    assert battery_window("prometra_ii_20", date(2020, 1, 1), clinic_years=(7, 10)) == (
        date(2027, 1, 1), date(2030, 1, 1))
    assert battery_window("synchromed_ii_20", date(2020, 1, 1), clinic_years=(8, 10)) == (
        date(2027, 1, 1), date(2027, 1, 1))
    with pytest.raises(ScheduleError, match="clinic_years"):
        battery_window("prometra_ii_20", date(2020, 1, 1), clinic_years=(10, 7))


def test_pump_models_reservoirs():
    """SynchroMed II and Prometra II, each in 20 and 40 mL [S17][S27]."""
    assert {key: model.reservoir_ml for key, model in PUMP_MODELS.items()} == {
        "synchromed_ii_20": 20, "synchromed_ii_40": 40, "prometra_ii_20": 20, "prometra_ii_40": 40}


@pytest.mark.parametrize("key", sorted(PUMP_MODELS))
def test_patient_mri_text_is_plain(key):
    """Patient MRI note and checklists read at grade 8 or below."""
    model = PUMP_MODELS[key]
    for text in (model.mri_patient_note, *model.before_mri, *model.after_mri):
        assert textstat.flesch_kincaid_grade(text) <= 8, text
    assert model.before_mri and model.after_mri


def test_mri_rules_differ_by_model():
    """Prometra is emptied before MRI; SynchroMed II is checked after [S27][S22]."""
    prometra, synchromed = PUMP_MODELS["prometra_ii_40"], PUMP_MODELS["synchromed_ii_20"]
    assert any("empty" in item for item in prometra.before_mri)
    assert "emptied before" in prometra.mri_patient_note
    assert "1.5 T" in prometra.mri_clinician_note and "40 mL" in prometra.mri_clinician_note
    assert any("check" in item for item in synchromed.after_mri)
    assert "interrogated" in synchromed.mri_clinician_note
    assert not any("empty" in item for item in synchromed.before_mri)
