"""Default thresholds carry sources, and a clinic can only tighten them."""
from __future__ import annotations

import dataclasses
import math
import re
from pathlib import Path

import pytest

from companion.escalation.thresholds import DEFAULTS, Threshold, as_table, tighten, values

REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "clinical-reference.md"


def reference_source_keys() -> set[str]:
    """The [Sx] keys listed in the clinical reference's "Source key" section."""
    if not REFERENCE.exists():
        pytest.skip(f"clinical reference not found at {REFERENCE} (lives outside the repo)")
    text = REFERENCE.read_text(encoding="utf-8")
    section = text.split("## Source key", 1)[1]
    return set(re.findall(r"\[(S\d+[a-z]?)\]", section))


def split_sources(source: str) -> list[str]:
    """A source field is one or more keys separated by commas."""
    return [part.strip() for part in source.split(",") if part.strip()]


def test_expected_defaults() -> None:
    """The defaults match the clinical reference (and the brief's borderline choices)."""
    expected = {"breaths_per_min_min": 10, "fever_c": 38.0, "infection_window_days": 90,
                "refill_window_days": 3, "dose_increase_window_days": 3, "implant_window_days": 3,
                "mri_window_days": 3, "constipation_days": 3, "pain_rise_points": 2,
                "withdrawal_signs_min": 2, "dose_increases_for_mass": 2}
    assert {name: t.value for name, t in DEFAULTS.items()} == expected


@pytest.mark.parametrize("name", sorted(DEFAULTS))
def test_every_threshold_is_described_and_sourced(name: str) -> None:
    """Each has a unit, tier, direction, description and only known source keys."""
    t = DEFAULTS[name]
    assert t.unit and t.description
    assert t.tier in ("emergency", "urgent", "routine")
    assert t.direction in ("higher", "lower")
    keys = split_sources(t.source)
    assert keys and set(keys) <= reference_source_keys()


def test_threshold_and_defaults_are_immutable() -> None:
    """Nobody can change a default at run time."""
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULTS["fever_c"].value = 40  # type: ignore[misc]
    with pytest.raises(TypeError):
        DEFAULTS["fever_c"] = DEFAULTS["fever_c"]  # type: ignore[index]


def _tighter(t: Threshold) -> float:
    """A value one step stricter than the default."""
    return t.value + 1 if t.direction == "higher" else t.value - 1


def _looser(t: Threshold) -> float:
    """A value one step less strict than the default."""
    return t.value - 1 if t.direction == "higher" else t.value + 1


@pytest.mark.parametrize("name", sorted(DEFAULTS))
def test_tighten_accepts_stricter_and_equal(name: str) -> None:
    """Tightening or restating a threshold is allowed and leaves DEFAULTS untouched."""
    base = DEFAULTS[name]
    merged = tighten(DEFAULTS, {name: _tighter(base)})
    assert merged[name].value == _tighter(base)
    assert merged[name].source == base.source and DEFAULTS[name].value == base.value
    assert tighten(DEFAULTS, {name: base.value})[name] == base
    assert set(merged) == set(DEFAULTS)


@pytest.mark.parametrize("name", sorted(DEFAULTS))
def test_tighten_refuses_loosening(name: str) -> None:
    """Every threshold refuses a looser value with a message naming it."""
    with pytest.raises(ValueError, match=f"{name}.*loosen"):
        tighten(DEFAULTS, {name: _looser(DEFAULTS[name])})


def test_tighten_examples_by_direction() -> None:
    """Concrete directions: breathing rate up, fever down, day windows longer."""
    assert tighten(DEFAULTS, {"breaths_per_min_min": 12})["breaths_per_min_min"].value == 12
    assert tighten(DEFAULTS, {"fever_c": 37.8})["fever_c"].value == 37.8
    assert tighten(DEFAULTS, {"infection_window_days": 365})["infection_window_days"].value == 365
    for bad in ({"breaths_per_min_min": 8}, {"fever_c": 38.5}, {"infection_window_days": 30},
                {"refill_window_days": 1}, {"constipation_days": 5}):
        with pytest.raises(ValueError):
            tighten(DEFAULTS, bad)


@pytest.mark.parametrize("bad", [{"nope": 1}, {"fever_c": True}, {"fever_c": "38"},
                                 {"fever_c": math.nan}, {"breaths_per_min_min": math.inf}])
def test_tighten_refuses_unknown_and_non_numbers(bad: dict) -> None:
    """Unknown names, bools, strings, NaN and infinity are refused."""
    with pytest.raises(ValueError):
        tighten(DEFAULTS, bad)


def test_values_rechecks_whatever_it_is_given() -> None:
    """values() accepts Threshold objects or numbers but never a looser number."""
    assert values()["breaths_per_min_min"] == 10
    assert values(tighten(DEFAULTS, {"fever_c": 37.5}))["fever_c"] == 37.5
    assert values({"fever_c": 37.5})["fever_c"] == 37.5
    with pytest.raises(ValueError):
        values({"fever_c": 39})
    with pytest.raises(ValueError):
        values({"breaths_per_min_min": dataclasses.replace(DEFAULTS["breaths_per_min_min"], value=6)})


def test_as_table() -> None:
    """One row per threshold with everything a clinician needs to review it."""
    rows = as_table()
    assert [r["name"] for r in rows] == list(DEFAULTS)
    assert all(not r["changed"] for r in rows)
    assert {"value", "unit", "tier", "stricter", "source", "description", "default"} <= set(rows[0])
    changed = {r["name"]: r for r in as_table(tighten(DEFAULTS, {"fever_c": 37.8}))}
    assert changed["fever_c"]["changed"] and changed["fever_c"]["default"] == 38.0
