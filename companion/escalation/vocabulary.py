"""The closed observation and context vocabulary of the red-flag rules, and a checker for it."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

DRUGS = ("morphine", "hydromorphone", "fentanyl", "sufentanil", "ziconotide", "bupivacaine", "clonidine",
         "baclofen")
WITHDRAWAL_SIGNS = ("sweating", "yawning", "runny_nose", "gooseflesh", "shaking", "restlessness",
                    "stomach_cramps", "diarrhea", "muscle_spasms", "anxiety")
SEDATIVES = ("benzodiazepine", "opioid_pill_or_patch", "sleep_medicine",
             "gabapentinoid", "alcohol", "muscle_relaxant")


@dataclass(frozen=True)
class Key:
    """What one key may hold: bool, int or number (optionally bounded), one of `values`, or a list of them."""

    kind: str  # "bool" | "int" | "number" | "choice" | "list"
    values: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None


_BOOL, _DAYS = Key("bool"), Key("int")
_OBSERVATION_BOOLS = (
    "breathing_trouble", "blue_lips", "confusion_new", "hallucinations", "seizure", "fainted",
    "suicidal_thoughts", "headache_worse_upright", "stiff_neck", "leg_weakness_new", "numbness_new",
    "walking_harder_new", "bladder_control_change_new", "bowel_control_change_new", "cannot_pass_urine",
    "pain_character_new", "pump_site_swelling_new", "pump_moved", "red_streaks", "wound_open", "wound_warm",
    "device_visible", "clear_fluid_swelling", "leg_swelling", "itching", "feels_feverish")
# Keys and values of vignettes.yaml's header; feels_feverish is new in issue 12 (T60, T61).
OBSERVATIONS: Mapping[str, Key] = {
    **{k: _BOOL for k in _OBSERVATION_BOOLS},
    "breaths_per_min": Key("int", low=0, high=80),
    "sleepiness": Key("choice", ("alert", "slightly_drowsy", "drifts_off", "hard_to_wake")),
    "temperature_c": Key("number", low=25, high=45),
    "headache": Key("choice", ("none", "mild", "severe")),
    "pain_now": Key("int", low=0, high=10),
    "withdrawal_signs": Key("list", WITHDRAWAL_SIGNS),
    "pump_alarm": Key("choice", ("none", "single_tone", "two_tone", "unsure")),
    "wound_redness": Key("choice", ("none", "edges_only", "spreading")),
    "wound_drainage": Key("choice", ("none", "clear", "bloody", "cloudy_or_pus")),
    "wound_swelling": Key("choice", ("none", "stable", "increasing")),
    "constipation_days": Key("int", low=0, high=60),
    "nausea": Key("choice", ("none", "mild", "vomiting")),
    "medications_taken": Key("list", SEDATIVES),
}
CONTEXT: Mapping[str, Key] = {
    "drug": Key("choice", DRUGS),
    "drugs": Key("list", DRUGS),
    "previous_drugs": Key("list", DRUGS),
    "refill_overdue": _BOOL,
    "days_since_implant": _DAYS, "days_since_refill": _DAYS, "days_since_dose_increase": _DAYS,
    "days_since_mri": _DAYS, "days_until_low_reservoir": _DAYS,
    "pain_baseline": Key("number", low=0, high=10),
    "dose_increases_last_90_days": Key("int", low=0),
}


def _value_problem(key: Key, value: object) -> str | None:
    """Why the value does not fit the key, or None when it does."""
    if key.kind == "bool":
        return None if isinstance(value, bool) else "must be true or false"
    if key.kind in ("int", "number"):
        ok = isinstance(value, int) if key.kind == "int" else isinstance(value, (int, float))
        if isinstance(value, bool) or not ok:
            return "must be a whole number" if key.kind == "int" else "must be a number"
        if (key.low is not None and value < key.low) or (key.high is not None and value > key.high):
            return f"{value} is outside {key.low:g}..{'' if key.high is None else format(key.high, 'g')}"
        return None
    if key.kind == "choice":
        return None if value in key.values else f"{value!r} is not one of {', '.join(key.values)}"
    if not isinstance(value, list):
        return "must be a list"
    wrong = [v for v in value if v not in key.values]
    return f"{', '.join(map(repr, wrong))} not in {', '.join(key.values)}" if wrong else None


def problems(observations: Mapping, context: Mapping) -> list[str]:
    """Every unknown key or ill-fitting value, as "observations.key: why" lines (empty when clean)."""
    found = []
    for part, given, vocabulary in (("observations", observations, OBSERVATIONS), ("context", context, CONTEXT)):
        for name, value in given.items():
            key = vocabulary.get(name)
            why = "unknown key" if key is None else _value_problem(key, value)
            if why:
                found.append(f"{part}.{name}: {why}")
    return found
