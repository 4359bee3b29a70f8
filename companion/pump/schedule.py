"""Refill arithmetic, pump models and battery windows (pure: dates are passed in, never read)."""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Literal, Union

# Anything Decimal(str(x)) reads exactly: int, str, Decimal, and floats via their shortest repr.
Number = Union[int, float, str, Decimal]
LimitedBy = Literal["low_reservoir_alarm", "drug_stability"]


class ScheduleError(ValueError):
    """Impossible refill input; the message names the offending field."""


@dataclass(frozen=True)
class Projection:
    """When a filled pump reaches its low-reservoir alarm, runs empty, and is due for refill."""

    daily_volume_ml: Decimal
    alarm_on: date
    empty_on: date
    due_on: date
    limited_by: LimitedBy
    days_to_alarm: int
    days_to_empty: int


def _decimal(value: object, field: str) -> Decimal:
    """Read a number exactly (via str, so 0.2 stays 0.2) or raise naming the field."""
    try:  # str(True) is "True", which Decimal rejects, so a bool never passes as 1
        result = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise ScheduleError(f"{field} must be a number, got {value!r}") from None
    if not result.is_finite():
        raise ScheduleError(f"{field} must be a finite number, got {value!r}")
    return result


def _positive(value: object, field: str) -> Decimal:
    """A number above zero, or ScheduleError naming the field."""
    result = _decimal(value, field)
    if result <= 0:
        raise ScheduleError(f"{field} must be above zero, got {result}")
    return result


def _non_negative(value: object, field: str) -> Decimal:
    """A number of zero or more, or ScheduleError naming the field."""
    result = _decimal(value, field)
    if result < 0:
        raise ScheduleError(f"{field} must not be negative, got {result}")
    return result


def _floor_days(volume_ml: Decimal, concentration: Decimal, mass_per_day: Decimal) -> int:
    """Whole days the volume lasts, floored exactly (Fraction: no rounding of 1/3 mL/day)."""
    return math.floor(Fraction(volume_ml) * Fraction(concentration) / Fraction(mass_per_day))


def _after(start: date, days: int, field: str) -> date:
    """start + days, or ScheduleError when the result falls off the calendar."""
    try:
        return start + timedelta(days=days)
    except OverflowError:
        raise ScheduleError(
            f"{field} falls beyond the calendar; check the dose and concentration") from None


def project(
    *,
    filled_on: date,
    fill_volume_ml: Number,
    alarm_volume_ml: Number,
    concentration: Number,
    daily_dose: Number,
    bolus_dose: Number = 0,
    boluses_per_day: Number = 0,
    stability_days: int | None = None,
    reservoir_ml: Number | None = None,
) -> Projection:
    """Project alarm, empty and due dates for one fill (dose and concentration in one mass unit)."""
    if isinstance(filled_on, datetime) or not isinstance(filled_on, date):
        raise ScheduleError(f"filled_on must be a date, got {filled_on!r}")
    fill = _positive(fill_volume_ml, "fill_volume_ml")
    alarm = _non_negative(alarm_volume_ml, "alarm_volume_ml")
    conc = _positive(concentration, "concentration")
    dose = _positive(daily_dose, "daily_dose")
    bolus = _non_negative(bolus_dose, "bolus_dose")
    boluses = _non_negative(boluses_per_day, "boluses_per_day")
    if boluses != boluses.to_integral_value():
        raise ScheduleError(f"boluses_per_day must be a whole number, got {boluses}")
    if alarm >= fill:
        raise ScheduleError(
            f"alarm_volume_ml ({alarm} mL) must be below fill_volume_ml ({fill} mL)")
    if reservoir_ml is not None:
        reservoir = _positive(reservoir_ml, "reservoir_ml")
        # Overfilling is an overinfusion risk factor [S23][S99].
        if fill > reservoir:
            raise ScheduleError(
                f"fill_volume_ml ({fill} mL) is more than the reservoir_ml ({reservoir} mL)")
    if stability_days is not None:
        if isinstance(stability_days, bool) or not isinstance(stability_days, int):
            raise ScheduleError(f"stability_days must be whole days, got {stability_days!r}")
        # A drug that is stable for no days cannot be put in a pump at all.
        if stability_days < 1:
            raise ScheduleError(f"stability_days must be at least 1, got {stability_days}")

    # §4 formula [S38]; boluses count as if every allowed one is used, as Prometra's PTC does [S30].
    mass_per_day = dose + bolus * boluses
    days_to_alarm = _floor_days(fill - alarm, conc, mass_per_day)
    days_to_empty = _floor_days(fill, conc, mass_per_day)
    alarm_on = _after(filled_on, days_to_alarm, "alarm_on")
    empty_on = _after(filled_on, days_to_empty, "empty_on")
    due_on, limited_by = alarm_on, "low_reservoir_alarm"
    if stability_days is not None:
        stable_until = _after(filled_on, stability_days, "drug stability date")
        if stable_until < alarm_on:  # a tie stays with the alarm, the event the patient hears
            due_on, limited_by = stable_until, "drug_stability"
    return Projection(
        daily_volume_ml=mass_per_day / conc,
        alarm_on=alarm_on,
        empty_on=empty_on,
        due_on=due_on,
        limited_by=limited_by,
        days_to_alarm=days_to_alarm,
        days_to_empty=days_to_empty,
    )


def days_until(on: date, today: date) -> int:
    """Days from today to on; negative once the date has passed."""
    return (on - today).days


def mixture_daily_volumes(drugs: Sequence[tuple[str, Number, Number]]) -> Decimal:
    """Daily volume (mL) of a mixture; every drug in it must imply the same volume."""
    if not drugs:
        raise ScheduleError("drugs must list at least one (name, concentration, daily_dose)")
    volumes: list[tuple[str, Fraction, Decimal]] = []
    for name, concentration, daily_dose in drugs:
        conc = _positive(concentration, f"concentration of {name}")
        dose = _positive(daily_dose, f"daily_dose of {name}")
        volumes.append((name, Fraction(dose) / Fraction(conc), dose / conc))
    first_name, first_exact, first_ml = volumes[0]
    for name, exact, ml in volumes[1:]:
        # One syringe, one flow: differing volumes mean a dose or concentration was mistyped.
        if exact != first_exact:
            raise ScheduleError(
                f"mixture daily volumes differ: {first_name} gives {first_ml} mL/day, "
                f"{name} gives {ml} mL/day")
    return first_ml


# Maino 2017: after a refill an expected-vs-withdrawn gap over 1 mL (20 mL pump) or
# 2 mL (40 mL pump) may mean a pocket fill [S36]; a gap over 2 mL merits review [S37].
_CITED_GAP_ML = {Decimal(20): Decimal(1), Decimal(40): Decimal(2)}
_GAP_FRACTION = Decimal("0.05")  # both cited sizes are 5 % of the reservoir


def residual_gap_flag(expected_ml: Number, withdrawn_ml: Number, reservoir_ml: Number) -> bool:
    """True when the withdrawn residual differs from the expected one by more than [S36] allows."""
    expected = _non_negative(expected_ml, "expected_ml")
    withdrawn = _non_negative(withdrawn_ml, "withdrawn_ml")
    reservoir = _positive(reservoir_ml, "reservoir_ml")
    limit = _CITED_GAP_ML.get(reservoir, reservoir * _GAP_FRACTION)
    # Either direction matters: less back than expected (over-delivery, pocket) or more (stall).
    return abs(expected - withdrawn) > limit


@dataclass(frozen=True)
class PumpModel:
    """One pump model and size: reservoir, battery facts, MRI notes and checklists."""

    name: str
    reservoir_ml: int
    battery_years: tuple[int, int] | None  # None: no cited figure (clinic setting)
    hard_max_years: int | None
    eri_to_stop_days: int | None
    mri_patient_note: str
    mri_clinician_note: str
    before_mri: tuple[str, ...]
    after_mri: tuple[str, ...]
    sources: tuple[str, ...]


def _synchromed_ii(reservoir_ml: int) -> PumpModel:
    """SynchroMed II facts (§1.7, §1.8, §8): [S10][S17][S20][S21][S22]."""
    return PumpModel(
        name=f"SynchroMed II {reservoir_ml} mL",
        reservoir_ml=reservoir_ml,
        battery_years=(5, 7),
        hard_max_years=7,
        eri_to_stop_days=90,
        mri_patient_note=(
            "You can have an MRI scan, but only under set rules. "
            "The pump stops during the scan. It should start again after. "
            "Your care team needs to check the pump after the scan."),
        mri_clinician_note=(
            "MR Conditional, including 3 T, under model-specific conditions [S20]. The motor stops "
            "in the field and should restart; return of proper infusion may take 2-24 h [S21]. If "
            "the pump entered telemetry mode while alarming, infusion does not resume until it is "
            "interrogated with myPTM or a clinician programmer [S22]. Interrogate after MRI [S9]."),
        before_mri=(
            "Tell the MRI team you have a SynchroMed II pump.",
            "Show your pump card.",
            "Tell your pump clinic the date of the scan."),
        after_mri=(
            "Have your care team check your pump the same day.",
            "If your pump beeps, call your care team the same day.",
            "For the next day, call your care team if pain comes back or you feel withdrawal."),
        sources=("S9", "S10", "S17", "S20", "S21", "S22"),
    )


def _prometra_ii(reservoir_ml: int) -> PumpModel:
    """Prometra II facts (§1.7, §1.8, §8): [S26][S27]; battery life NOT FOUND."""
    return PumpModel(
        name=f"Prometra II {reservoir_ml} mL",
        reservoir_ml=reservoir_ml,
        # Battery life NOT FOUND; [S82]'s 7-10 years is generic, so leave it to the clinic.
        battery_years=None,
        hard_max_years=None,
        eri_to_stop_days=None,
        mri_patient_note=(
            "Your pump must be emptied before any MRI scan. If it is not, all the medicine in "
            "it could flow out at once. That could kill you. Only some scanners are safe. "
            "Do not have an MRI until your wound has fully healed."),
        mri_clinician_note=(
            f"Empty all drug from the reservoir before MRI (up to {reservoir_ml} mL), otherwise "
            "the valves may open and deliver reservoir and catheter contents: overdose, death "
            "[S26][S27]. 1.5 T only, spatial gradient <= 20 T/m; no MRI until the surgical site "
            "has healed [S27]. The flow-activated valve closes in strong fields and stays closed "
            "until manually reset: refill and reset after MRI [S26]."),
        before_mri=(
            "Call your pump clinic as soon as an MRI is planned.",
            "Your care team must empty your pump before the scan.",
            "Ask the MRI team to check the scanner is safe for a Prometra II pump.",
            "Ask your care team what to do for pain while your pump is empty."),
        after_mri=(
            "Go back to your pump clinic to have your pump refilled and reset.",
            "Your pump gives no medicine until it is reset.",
            "Call your care team if pain comes back or you feel withdrawal."),
        sources=("S26", "S27"),
    )


# Reservoir sizes: SynchroMed II 20/40 mL [S17]; Prometra II 20/40 mL [S27].
PUMP_MODELS: dict[str, PumpModel] = {
    "synchromed_ii_20": _synchromed_ii(20),
    "synchromed_ii_40": _synchromed_ii(40),
    "prometra_ii_20": _prometra_ii(20),
    "prometra_ii_40": _prometra_ii(40),
}


def _add_years(start: date, years: int) -> date:
    """Same month and day years later; 29 February falls back to the 28th."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def battery_window(
    model: str,
    implanted_on: date,
    replacement_indicator_on: date | None = None,
    *,
    clinic_years: tuple[int, int] | None = None,
) -> tuple[date, date] | None:
    """Earliest and latest date the pump battery may stop; None when no figure is known."""
    spec = PUMP_MODELS.get(model)
    if spec is None:
        return None
    if replacement_indicator_on is not None:
        if replacement_indicator_on < implanted_on:
            raise ScheduleError("replacement_indicator_on is before implanted_on")
        if spec.eri_to_stop_days is None:
            return None  # no cited ERI countdown for this model
        # After ERI the pump stops 90 days later, and never after the hard maximum [S10].
        stop = replacement_indicator_on + timedelta(days=spec.eri_to_stop_days)
        if spec.hard_max_years is not None:
            stop = min(stop, _add_years(implanted_on, spec.hard_max_years))
        return stop, stop
    years = clinic_years or spec.battery_years
    if years is None:
        return None
    low, high = years
    if not 0 < low <= high:
        raise ScheduleError(f"clinic_years must be (low, high) with 0 < low <= high, got {years}")
    start, end = _add_years(implanted_on, low), _add_years(implanted_on, high)
    if spec.hard_max_years is not None:  # SynchroMed II shuts itself off at 7 years [S10]
        end = min(end, _add_years(implanted_on, spec.hard_max_years))
        start = min(start, end)
    return start, end
