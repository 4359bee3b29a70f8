"""The emergency checks as plain data, so the phone can show the emergency screen offline."""
from __future__ import annotations

from collections.abc import Mapping

from ..thresholds import Threshold, values
from .base import SEDATIVES, SLEEPY, VERY_SLEEPY, WINDOWS

# Format: a list of {"code", "tier", "when"}; "when" is an AND list of {"key", "op", "value"};
# the entries are ORed. Ops: eq, lt, le, gt, ge, in (value in list), contains (list contains
# value). A missing key or a value of the wrong type makes a condition false. Keys are looked
# up in the observations; entries marked "uses_context" also need the context keys (the two
# vocabularies do not overlap), and simply never match on a phone that does not send them.
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
    rules: list[dict] = [{"code": code, "tier": "emergency", "when": when} for code, when in entries]
    for event, limit in WINDOWS.items():  # the one context-raised emergency [S14][S31]
        key = f"days_since_{event}"
        rules.append({"code": "breathing_trouble_after_change", "tier": "emergency", "uses_context": True,
                      "when": [_true("breathing_trouble"), _when(key, "ge", 0), _when(key, "le", t[limit])]})
    return rules
