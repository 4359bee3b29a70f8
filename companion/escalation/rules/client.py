"""The emergency checks as plain data, so the phone can show the emergency screen offline."""
from __future__ import annotations

from collections.abc import Mapping
from itertools import combinations

from ..thresholds import Threshold, values
from .base import NO_WITHDRAWAL_DRUGS, SEDATIVES, SLEEPY, VERY_SLEEPY, WINDOWS, WITHDRAWAL_SIGNS
from .drugs import CLONIDINE_SIGNS

# Format: a list of {"code", "tier", "when"}; "when" is an AND list of {"key", "op", "value"};
# the entries are ORed. Ops: eq, lt, le, gt, ge, in (value in list), contains (list contains
# value), ne (missing, or not equal), only (a non-empty list, every item in value), subset (missing,
# or a list with every item in value). Apart from ne and subset, a missing key or a value of the
# wrong type makes a condition false. Keys are looked up in the observations; entries marked
# "uses_context" also need the context keys (the two vocabularies do not overlap), and simply never
# match on a phone that has no context kept. The phone adds `drug` to `drugs` and one derived key,
# pain_rise = pain_now - pain_baseline (rounded to 6 places). An entry with "unless" (a list of AND
# lists) does not match when any of them holds.
_CORD_KEYS = ("leg_weakness_new", "walking_harder_new", "bladder_control_change_new",
              "bowel_control_change_new")


def _when(key: str, op: str, value: object) -> dict[str, object]:
    """One condition; whole-number floats become ints so the JSON reads naturally."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return {"key": key, "op": op, "value": value}


def _true(key: str) -> dict[str, object]:
    """The condition "this yes/no answer is yes"."""
    return _when(key, "eq", True)


def client_emergency_rules(thresholds: Mapping[str, Threshold] | None = None) -> list[dict]:
    """Return the emergency tier of evaluate() as JSON-able data, from the same thresholds."""
    t = values(thresholds)
    fever = _when("temperature_c", "ge", t["fever_c"])
    very_sleepy = _when("sleepiness", "in", list(VERY_SLEEPY))
    entries: list[tuple[str, list[dict[str, object]]]] = [
        ("breathing_slow", [_when("breaths_per_min", "lt", t["breaths_per_min_min"])]),
        ("hard_to_wake", [_when("sleepiness", "eq", "hard_to_wake")]),
        ("breathing_trouble_sleepy", [_true("breathing_trouble"), _when("sleepiness", "in", list(SLEEPY))]),
        *[("breathing_trouble_sedative", [_true("breathing_trouble"),
                                          _when("medications_taken", "contains", m)]) for m in SEDATIVES],
        ("blue_lips", [_true("blue_lips")]),
        ("seizure", [_true("seizure")]),
        ("fainted", [_true("fainted")]),
        ("suicidal_thoughts", [_true("suicidal_thoughts")]),
        ("sleepy_and_confused", [very_sleepy, _true("confusion_new")]),
        *[("sedative_with_sleepiness", [very_sleepy, _when("medications_taken", "contains", m)])
          for m in SEDATIVES],
        ("meningitis_signs", [fever, _when("headache", "eq", "severe")]),
        ("meningitis_signs", [fever, _true("stiff_neck")]),
        ("meningitis_signs", [fever, _true("confusion_new")]),
        *[("cord_compression_signs", [_true(key)]) for key in _CORD_KEYS],
        ("cord_compression_signs", [_true("cannot_pass_urine"), _true("numbness_new")]),
    ]
    entries += [
        ("slow_breathing_sleepy", [_when("breaths_per_min", "le", t["breaths_per_min_min"]),
                                   _when("sleepiness", "in", list(SLEEPY))]),
        ("meningitis_signs_confused", [_true("confusion_new"), _true("stiff_neck")]),
        ("meningitis_signs_confused", [_true("confusion_new"), _when("headache", "eq", "severe")]),
        ("meningitis_signs_unmeasured", [_true("feels_feverish"), _true("stiff_neck"),
                                         _when("headache", "in", ["mild", "severe"])]),
    ]
    rules: list[dict] = [{"code": code, "tier": "emergency", "when": when} for code, when in entries]
    rules += [{"code": code, "tier": "emergency", "uses_context": True, "when": when}
              for code, when in _context_entries(t, fever)]
    return rules


def _windows(t: Mapping[str, float], events: tuple[str, ...] = tuple(WINDOWS)) -> list[list[dict]]:
    """One condition pair per risk window: days_since_<event> within 0..limit."""
    return [[_when(f"days_since_{e}", "ge", 0), _when(f"days_since_{e}", "le", t[WINDOWS[e]])] for e in events]


def _taking(drug: str) -> list[dict]:
    """The alternatives that say the regimen holds `drug` (first drug, or any drug of a mixture)."""
    return [_when("drug", "eq", drug), _when("drugs", "contains", drug)]


def _context_entries(t: Mapping[str, float], fever: dict) -> list[tuple[str, list[dict]]]:
    """The emergencies that need context (windows, drugs, pump state), flattened to AND lists."""
    found: list[tuple[str, list[dict]]] = []
    for window in _windows(t):  # a toxicity sign inside a risk window [S14][S31]
        found.append(("breathing_trouble_after_change", [_true("breathing_trouble"), *window]))
        found.append(("sleepy_after_change", [_when("sleepiness", "eq", "drifts_off"), *window]))
        found += [("sedative_drowsy_after_change", [_when("sleepiness", "eq", "slightly_drowsy"),
                                                    _when("medications_taken", "contains", m), *window])
                  for m in SEDATIVES]
    for window in _windows(t, ("refill",)):
        found.append(("pocket_fill_with_sedation", [_true("pump_site_swelling_new"),
                                                    _when("sleepiness", "in", list(SLEEPY)), *window]))
    early = [_true("itching"), _true("numbness_new"), _when("pump_alarm", "eq", "two_tone"), _true("fainted"),
             *[_when("withdrawal_signs", "contains", s) for s in WITHDRAWAL_SIGNS]]
    fevers = [fever, _true("feels_feverish")]
    severe = [*fevers, _true("confusion_new"), _true("hallucinations")]
    confused = [_true("confusion_new"), _true("hallucinations")]
    for taking in _taking("baclofen"):  # boxed warning: withdrawal with fever or confusion [T1][T7]
        found += [("baclofen_withdrawal_severe", [taking, e, s]) for e in early for s in severe]
        found += [("baclofen_withdrawal_severe", [taking, h, c]) for h in fevers for c in confused]
    stopped = [_when("pump_alarm", "eq", "two_tone"), _when("days_until_low_reservoir", "le", 0),
               _true("refill_overdue")]
    signs = [*[_when("withdrawal_signs", "contains", s) for s in CLONIDINE_SIGNS], _when("headache", "eq", "severe")]
    for taking in _taking("clonidine"):  # rebound hypertension [T46][T49]
        found += [("clonidine_withdrawal", [taking, st, sg]) for st in stopped for sg in signs]
    return found


def _urgent_context_entries(t: Mapping[str, float]) -> list[tuple[str, list[dict]]]:
    """The urgent findings that need context (windows, drugs, pump state), flattened to AND lists."""
    found: list[tuple[str, list[dict]]] = []
    for window in _windows(t):  # a toxicity sign inside a risk window moves up a tier [S14][S31]
        found.append(("slow_breathing_after_change", [_when("breaths_per_min", "le", t["breaths_per_min_min"]),
                                                      *window]))
        found += [("sedative_after_change", [_when("medications_taken", "contains", m), *window]) for m in SEDATIVES]
    changed = [*_windows(t, ("refill", "mri")), [_when("days_until_low_reservoir", "le", 0)], [_true("refill_overdue")]]
    rise = _when("pain_rise", "ge", t["pain_rise_points"])
    found += [("pain_rise_after_change", [rise, *c]) for c in changed]  # pocket fill, mixing error, empty [S24][S12]
    found.append(("pain_rise_despite_dose_increases", [rise, _when("dose_increases_last_90_days", "ge",
                                                                   t["dose_increases_for_mass"])]))
    found += [("withdrawal_after_change", [_when("withdrawal_signs", "contains", s), *c])  # any sign counts [S76]
              for s in WITHDRAWAL_SIGNS for c in changed]
    fevers = [_when("temperature_c", "ge", t["fever_c"]), _true("feels_feverish")]
    found += [("fever_after_implant", [fever, _when("days_since_implant", "ge", 0),
                                       _when("days_since_implant", "le", t["infection_window_days"])])
              for fever in fevers]
    found += [("vomiting_after_refill", [_when("nausea", "eq", "vomiting"), *w]) for w in _windows(t, ("refill",))]
    early = [_true("itching"), _true("numbness_new"), _when("pump_alarm", "eq", "two_tone"), _true("fainted"),
             *[_when("withdrawal_signs", "contains", s) for s in WITHDRAWAL_SIGNS], *fevers, _true("confusion_new"),
             _true("hallucinations")]
    found += [("baclofen_withdrawal_signs", [taking, e]) for taking in _taking("baclofen") for e in early]
    return found


# Withdrawal-like signs on ziconotide or bupivacaine alone, with no switch from a drug that has a withdrawal,
# are routine [S76][T50] (inside a window or with an empty pump the context entries above speak).
_NO_WITHDRAWAL = [[_when("drugs", "only", list(NO_WITHDRAWAL_DRUGS)),
                   _when("previous_drugs", "subset", list(NO_WITHDRAWAL_DRUGS))]]


def client_urgent_rules(thresholds: Mapping[str, Threshold] | None = None) -> list[dict]:
    """Return the urgent tier of evaluate() as JSON-able data; context entries need the phone's kept context."""
    t = values(thresholds)
    fevers = [_when("temperature_c", "ge", t["fever_c"]), _true("feels_feverish")]
    pairs = combinations(WITHDRAWAL_SIGNS, max(1, int(-(-t["withdrawal_signs_min"] // 1))))
    entries: list[tuple[str, list[dict[str, object]]]] = [
        ("breathing_trouble", [_true("breathing_trouble")]),
        ("sleepy_drifts_off", [_when("sleepiness", "eq", "drifts_off")]),
        *[("sedative_drowsy", [_when("sleepiness", "eq", "slightly_drowsy"), _when("medications_taken", "contains", m)])
          for m in SEDATIVES],
        ("stiff_neck_headache", [_true("stiff_neck"), _when("headache", "in", ["mild", "severe"])]),
        ("stiff_neck_headache", [_true("stiff_neck"), _true("feels_feverish")]),
        ("stiff_neck_headache", [_true("stiff_neck"), _when("nausea", "eq", "vomiting")]),
        ("feverish_severe_headache", [_true("feels_feverish"), _when("headache", "eq", "severe")]),
        ("mass_warning_signs", [_true("numbness_new")]),
        ("mass_warning_signs", [_true("pain_character_new")]),
        *[("withdrawal_signs", [_when("withdrawal_signs", "contains", s) for s in combo]) for combo in pairs],
        ("confusion_or_hallucinations", [_true("confusion_new")]),
        ("confusion_or_hallucinations", [_true("hallucinations")]),
        ("wound_infection_signs", [_when("wound_redness", "eq", "spreading")]),
        ("wound_infection_signs", [_true("red_streaks")]),
        ("wound_infection_signs", [_when("wound_drainage", "in", ["clear", "bloody", "cloudy_or_pus"])]),
        ("wound_infection_signs", [_when("wound_swelling", "eq", "increasing")]),
        ("wound_open", [_true("wound_open")]),
        *[("fever_with_warm_wound", [fever, _true("wound_warm")]) for fever in fevers],
        ("csf_leak_signs", [_true("headache_worse_upright"), _when("headache", "ne", "none")]),
        ("csf_leak_signs", [_true("clear_fluid_swelling")]),
        ("device_visible", [_true("device_visible")]),
        ("pump_moved", [_true("pump_moved")]),
        ("pump_site_swelling", [_true("pump_site_swelling_new")]),
        ("pump_alarm", [_when("pump_alarm", "in", ["single_tone", "two_tone", "unsure"])]),
        ("urinary_retention", [_true("cannot_pass_urine")]),
        ("constipation_with_vomiting", [_when("constipation_days", "ge", t["constipation_days"]),
                                        _when("nausea", "eq", "vomiting")]),
    ]
    rules: list[dict] = [{"code": code, "tier": "urgent", "when": when} for code, when in entries]
    for rule in rules:
        if rule["code"] == "withdrawal_signs":
            rule["unless"] = _NO_WITHDRAWAL
    rules += [{"code": code, "tier": "urgent", "uses_context": True, "when": when}
              for code, when in _urgent_context_entries(t)]
    return rules


def client_rules(thresholds: Mapping[str, Threshold] | None = None) -> list[dict]:
    """Everything the phone checks offline: the emergency entries, then the urgent ones."""
    return client_emergency_rules(thresholds) + client_urgent_rules(thresholds)
