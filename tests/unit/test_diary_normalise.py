"""Diary normalisation: raw form answers become vocabulary observations, clean answers or errors."""
from __future__ import annotations

import ast
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from companion.diary import rules
from companion.diary.questionnaires import CHECKIN, POST_REFILL, WOUND
from companion.diary.rules import (
    normalise_checkin,
    normalise_post_refill,
    normalise_wound,
    pain_baseline,
    peg_score,
    summary_for_yesterday,
)

VIGNETTES = Path(__file__).resolve().parents[2].parent / "shared" / "vignettes.yaml"
WITHDRAWAL = ("sweating", "yawning", "runny_nose", "gooseflesh", "shaking", "restlessness",
              "stomach_cramps", "diarrhea", "muscle_spasms", "anxiety")
MEDICINES = ("benzodiazepine", "opioid_pill_or_patch", "sleep_medicine", "gabapentinoid",
             "alcohol", "muscle_relaxant")
# A copy of the contract, so the suite still runs where ../shared is missing; when the file is
# there, a test checks this copy still matches it.
VOCAB_COPY: dict[str, tuple[Any, ...]] = {
    "breathing_trouble": ("bool",), "breaths_per_min": ("int", None, None), "blue_lips": ("bool",),
    "sleepiness": ("enum", ("alert", "slightly_drowsy", "drifts_off", "hard_to_wake")),
    "confusion_new": ("bool",), "hallucinations": ("bool",), "seizure": ("bool",), "fainted": ("bool",),
    "suicidal_thoughts": ("bool",), "temperature_c": ("float",),
    "headache": ("enum", ("none", "mild", "severe")), "headache_worse_upright": ("bool",),
    "stiff_neck": ("bool",), "leg_weakness_new": ("bool",), "numbness_new": ("bool",),
    "walking_harder_new": ("bool",), "bladder_control_change_new": ("bool",),
    "bowel_control_change_new": ("bool",), "cannot_pass_urine": ("bool",), "pain_now": ("int", 0, 10),
    "pain_character_new": ("bool",), "withdrawal_signs": ("list", WITHDRAWAL),
    "pump_alarm": ("enum", ("none", "single_tone", "two_tone", "unsure")),
    "pump_site_swelling_new": ("bool",), "pump_moved": ("bool",),
    "wound_redness": ("enum", ("none", "edges_only", "spreading")), "red_streaks": ("bool",),
    "wound_drainage": ("enum", ("none", "clear", "bloody", "cloudy_or_pus")), "wound_open": ("bool",),
    "wound_swelling": ("enum", ("none", "stable", "increasing")), "wound_warm": ("bool",),
    "device_visible": ("bool",), "clear_fluid_swelling": ("bool",), "constipation_days": ("int", None, None),
    "nausea": ("enum", ("none", "mild", "vomiting")), "leg_swelling": ("bool",), "itching": ("bool",),
    "feels_feverish": ("bool",),
    "medications_taken": ("list", MEDICINES),
}


def parse_vocabulary(text: str) -> dict[str, tuple[Any, ...]]:
    """Read the observation vocabulary out of the comment block of vignettes.yaml."""
    block = text.split("# Observation vocabulary", 1)[1].split("# Context vocabulary", 1)[0]
    vocab: dict[str, tuple[Any, ...]] = {}
    pending: tuple[str, str] | None = None  # a [list, ...] still open across lines
    for line in block.splitlines()[1:]:
        body = line.lstrip("#")
        if pending:
            key, spec = pending[0], pending[1] + " " + body.strip()
        elif m := re.match(r"^ {3}(\w+): (.*)$", body):
            key, spec = m[1], m[2].strip()
        else:
            continue
        if spec.startswith("[") and "]" not in spec:
            pending = (key, spec)
            continue
        pending = None
        if spec.startswith("["):
            vocab[key] = ("list", tuple(v.strip() for v in spec[1:spec.index("]")].split(",")))
            continue
        spec = re.split(r"\s{2,}", spec)[0]
        if m := re.match(r"int (\d+)-(\d+)", spec):
            vocab[key] = ("int", int(m[1]), int(m[2]))
        elif spec in {"bool", "float"}:
            vocab[key] = (spec,)
        elif spec == "int":
            vocab[key] = ("int", None, None)
        else:
            vocab[key] = ("enum", tuple(v.strip() for v in spec.split("|")))
    return vocab


VOCAB = parse_vocabulary(VIGNETTES.read_text(encoding="utf-8")) if VIGNETTES.exists() else VOCAB_COPY


def conforms(key: str, value: Any) -> bool:
    """Whether a value has the type and codes the vocabulary gives its key."""
    kind, *rest = VOCAB[key]
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "float":
        return isinstance(value, float)
    if kind == "int":
        low, high = rest
        return (isinstance(value, int) and not isinstance(value, bool)
                and (low is None or low <= value <= high))
    if kind == "enum":
        return value in rest[0]
    return isinstance(value, list) and bool(value) and set(value) <= set(rest[0]) and len(set(value)) == len(value)


def assert_valid(result: rules.Normalised) -> None:
    """Every observation key is in the vocabulary and every value fits it."""
    for key, value in result.observations.items():
        assert key in VOCAB, key
        assert conforms(key, value), (key, value)


ORDINARY = {"pain_now": "4", "anything_new": "no"}
EVERYTHING = {
    **ORDINARY, "anything_new": "yes", "sleepiness": "drifts_off", "breathing_trouble": "yes",
    "blue_lips": "no", "breaths_per_min": "9", "confusion_new": "yes", "hallucinations": "no",
    "seizure": "no", "fainted": "no", "suicidal_thoughts": "no", "leg_weakness_new": "yes",
    "numbness_new": "yes", "walking_harder_new": "no", "bladder_control_change_new": "no",
    "bowel_control_change_new": "no", "cannot_pass_urine": "no", "temperature": "37.2",
    "temperature.unit": "C", "headache": "mild", "headache_worse_upright": "yes", "stiff_neck": "no",
    "withdrawal_signs": ["sweating", "yawning"], "pain_character_new": "yes", "pump_alarm": "single_tone",
    "pump_site_swelling_new": "no", "pump_moved": "no", "constipation_days": "3", "nausea": "mild",
    "itching": "yes", "leg_swelling": "no", "medications_taken": ["alcohol"], "note": "Bad night.", "feels_feverish": "no",
}
WOUND_OK = {f"{site}.{k}": v for site in ("belly", "back")
            for k, v in {"redness": "none", "drainage": "none", "swelling": "none"}.items()}


def test_vocabulary_copy_matches_shared_file() -> None:
    """The module's copy of the vocabulary has not drifted from vignettes.yaml."""
    if not VIGNETTES.exists():
        pytest.skip("shared/vignettes.yaml is not here; the copy is used")
    assert VOCAB == VOCAB_COPY


def test_every_vocabulary_key_is_produced_and_nothing_else() -> None:
    """Check-in, wound check and post-refill check together cover the whole vocabulary."""
    checkin = normalise_checkin(EVERYTHING, reporter="caregiver")
    wound = normalise_wound({**WOUND_OK, "belly.red_streaks": "yes", "back.open": "no", "back.warm": "yes",
                             "belly.fluid_bump": "no", "back.device_visible": "no"})
    refill = normalise_post_refill({"sleepiness": "alert", "breathing_trouble": "no"}, reporter="patient")
    for result in (checkin, wound, refill):
        assert result.errors == {}
        assert_valid(result)
    produced = set(checkin.observations) | set(wound.observations) | set(refill.observations)
    assert produced == set(VOCAB)


def test_ordinary_day_needs_only_pain_and_nothing_new() -> None:
    """Two answers make a complete ordinary check-in."""
    result = normalise_checkin(ORDINARY, reporter="patient")
    assert result.ok and result.observations == {"pain_now": 4}
    assert result.answers == {"pain_now": 4, "anything_new": False}


@pytest.mark.parametrize(("raw", "unit", "celsius"), [
    ("100.4", "F", 38.0), ("98.6", "F", 37.0), ("93", "F", 33.9), ("109.4", "F", 43.0),
    ("38,5", "C", 38.5), ("38.25", "C", 38.3), ("101 °F", "", 38.3), ("101.3", "", 38.5), ("36.6", "", 36.6),
    ("34", "C", 34.0), ("43", "C", 43.0),
])
def test_temperature_units(raw: str, unit: str, celsius: float) -> None:
    """°F becomes °C to one decimal; a missing unit is inferred from the number."""
    result = normalise_checkin({**ORDINARY, "temperature": raw, "temperature.unit": unit}, reporter="patient")
    assert result.ok and result.observations["temperature_c"] == celsius
    assert result.answers["temperature.unit"] in {"C", "F"}


@pytest.mark.parametrize(("raw", "unit", "words"), [
    ("80", "C", "34 to 43 °C"), ("33.9", "C", "34 to 43"), ("109.5", "F", "93 to 109.4"),
    ("100", "C", "looks like °F"), ("38", "F", "looks like °C"), ("abc", "C", "like 37.2"),
    ("nan", "", "like 37.2"), ("1e2", "F", "like 37.2"), ("38", "K", "°C or °F"),
    ("38 C", "F", "do not match"), ("38", ["C", "F"], "°C or °F"),
])
def test_temperature_rejected_with_a_plain_message(raw: str, unit: Any, words: str) -> None:
    """Implausible numbers, bad units and typos get a message, not a guess."""
    result = normalise_checkin({**ORDINARY, "temperature": raw, "temperature.unit": unit}, reporter="patient")
    assert words in result.errors["temperature"]
    assert "temperature_c" not in result.observations


@pytest.mark.parametrize("raw", ["11", "-1", "abc", "5.5", "", "  ", "1e1", "٥", "10000000000"])
def test_pain_out_of_range_or_not_a_number(raw: str) -> None:
    """Pain must be a whole number 0-10."""
    result = normalise_checkin({**ORDINARY, "pain_now": raw}, reporter="patient")
    assert result.errors["pain_now"] == "Please pick a number from 0 to 10."
    assert "pain_now" not in result.observations


@pytest.mark.parametrize("raw", ["0", "10", " 7 ", ["3"], ["3", "3"]])
def test_pain_accepted(raw: Any) -> None:
    """Edges of the scale, padding and a one-item list are fine."""
    assert normalise_checkin({**ORDINARY, "pain_now": raw}, reporter="patient").ok


def test_two_different_values_for_one_answer() -> None:
    """A single-answer item posted twice with different values is an error, not a pick."""
    result = normalise_checkin({**ORDINARY, "pain_now": ["3", "9"]}, reporter="patient")
    assert result.errors["pain_now"] == "Please pick only one answer."


def test_missing_required_answers() -> None:
    """Patients must give pain and 'anything new'; caregivers only 'anything new'."""
    assert set(normalise_checkin({}, reporter="patient").errors) == {"pain_now", "anything_new"}
    assert normalise_checkin({}, reporter="patient").errors["anything_new"] == "Please pick Yes or No."
    assert set(normalise_checkin({}, reporter="caregiver").errors) == {"anything_new"}


def test_peg_required_only_in_its_week_but_kept_when_given() -> None:
    """The weekly PEG items are required when due and kept whenever answered."""
    due = normalise_checkin(ORDINARY, reporter="patient", weekly_due=True)
    assert set(due.errors) == {"peg.pain_avg", "peg.enjoyment", "peg.activity"}
    peg = {"peg.pain_avg": "5", "peg.enjoyment": "4", "peg.activity": "6"}
    result = normalise_checkin({**ORDINARY, **peg}, reporter="patient")
    assert result.ok and peg_score(result.answers) == 5.0
    assert peg_score({"peg.pain_avg": 5}) is None
    assert normalise_checkin({**ORDINARY, **peg}, reporter="caregiver", weekly_due=True).ok


@pytest.mark.parametrize(("link_id", "raw"), [
    ("sleepiness", "sleepy"), ("headache", "terrible"), ("pump_alarm", "beep"), ("nausea", "NONE"),
    ("breathing_trouble", "maybe"), ("anything_new", "perhaps"),
])
def test_unknown_codes_rejected(link_id: str, raw: str) -> None:
    """Only the codes the questionnaire offers are accepted."""
    result = normalise_checkin({**ORDINARY, "anything_new": "yes", link_id: raw}, reporter="patient")
    assert link_id in result.errors and link_id not in result.answers


@pytest.mark.parametrize(("raw", "word"), [("Yes", True), ("on", True), ("true", True), ("NO", False), ("0", False)])
def test_yes_no_spellings(raw: str, word: bool) -> None:
    """Radio values, checkbox 'on' and JSON-ish spellings all read as yes or no."""
    result = normalise_checkin({**ORDINARY, "anything_new": "yes", "seizure": raw}, reporter="patient")
    assert result.observations["seizure"] is word


def test_multi_lists() -> None:
    """Multi answers: one string or a list, duplicates dropped, questionnaire order kept."""
    base = {**ORDINARY, "anything_new": "yes"}
    one = normalise_checkin({**base, "withdrawal_signs": "anxiety"}, reporter="patient")
    assert one.observations["withdrawal_signs"] == ["anxiety"]
    many = normalise_checkin({**base, "withdrawal_signs": ["anxiety", "sweating", "anxiety", " "]},
                             reporter="patient")
    assert many.ok and many.observations["withdrawal_signs"] == ["sweating", "anxiety"]
    assert "withdrawal_signs" not in normalise_checkin({**ORDINARY, "withdrawal_signs": []},
                                                       reporter="patient").observations


def test_unknown_code_in_a_multi_answer_keeps_the_known_ones() -> None:
    """An unknown medicine is an error; the benzodiazepine beside it is not lost."""
    result = normalise_checkin({**ORDINARY, "medications_taken": ["benzodiazepine", "heroin"]}, reporter="patient")
    assert result.errors["medications_taken"] == "Please pick one of the answers shown."
    assert result.observations["medications_taken"] == ["benzodiazepine"]


def test_caregiver_counts_breaths_and_reports_hard_to_wake() -> None:
    """The caregiver-only count and the hard-to-wake choice reach the observations."""
    result = normalise_checkin({"anything_new": "yes", "sleepiness": "hard_to_wake", "breaths_per_min": "7"},
                               reporter="caregiver")
    assert result.ok and result.observations == {"sleepiness": "hard_to_wake", "breaths_per_min": 7}
    bad = normalise_checkin({"anything_new": "no", "breaths_per_min": "61"}, reporter="caregiver")
    assert bad.errors["breaths_per_min"] == "Please enter a whole number from 0 to 60."


def test_red_flags_not_required_on_nothing_new() -> None:
    """'No' hides the red-flag items, so none of them is required."""
    assert normalise_checkin(ORDINARY, reporter="patient").errors == {}


def test_danger_answer_kept_even_when_nothing_new_was_picked() -> None:
    """Never drop a danger answer: a red flag sent with 'No' still becomes an observation."""
    result = normalise_checkin({**ORDINARY, "blue_lips": "yes", "pump_alarm": "two_tone", "headache": "severe"},
                               reporter="patient")
    assert result.ok
    assert result.observations == {"pain_now": 4, "blue_lips": True, "pump_alarm": "two_tone", "headache": "severe"}


def test_danger_answer_kept_when_other_answers_have_errors() -> None:
    """A typo in one answer does not hide the seizure reported beside it."""
    result = normalise_checkin({"pain_now": "abc", "anything_new": "yes", "seizure": "yes", "temperature": "3"},
                               reporter="patient")
    assert set(result.errors) == {"pain_now", "temperature"}
    assert result.observations == {"seizure": True}


def test_headache_follow_up_depends_on_headache() -> None:
    """'Worse upright' is only asked about a headache, but is kept if sent."""
    result = normalise_checkin({**ORDINARY, "anything_new": "yes", "headache": "none",
                                "headache_worse_upright": "yes"}, reporter="patient")
    assert result.ok and result.observations["headache_worse_upright"] is True


def test_something_new_needs_something_said() -> None:
    """'Yes, something is new' with no detail asks for a detail; a note is enough."""
    base = {**ORDINARY, "anything_new": "yes"}
    assert "tell us what is new" in normalise_checkin(base, reporter="patient").errors["anything_new"]
    assert normalise_checkin({**base, "note": "Feel odd"}, reporter="patient").ok
    assert normalise_checkin({**base, "itching": "no"}, reporter="patient").ok


def test_note_is_cleaned_and_limited() -> None:
    """Notes are trimmed, stripped of control and direction characters, and at most 1000 long."""
    raw = "  line one\r\nline\x00 two\u202e\t!\x1b  "
    result = normalise_checkin({**ORDINARY, "note": raw}, reporter="patient")
    assert result.answers["note"] == "line one\nline two !"
    assert normalise_checkin({**ORDINARY, "note": "x" * 1000}, reporter="patient").ok
    long = normalise_checkin({**ORDINARY, "note": "x" * 1001}, reporter="patient")
    assert long.errors["note"] == "Please keep this under 1000 characters. It has 1001."
    assert "note" not in normalise_checkin({**ORDINARY, "note": " \x00 "}, reporter="patient").answers


def test_unknown_fields_ignored_and_reporter_checked() -> None:
    """Form extras (csrf token, client id) are ignored; a bad reporter is a programming error."""
    assert normalise_checkin({**ORDINARY, "csrf_token": "x", "client_id": "y"}, reporter="patient").ok
    with pytest.raises(ValueError):
        normalise_checkin(ORDINARY, reporter="nurse")


@pytest.mark.parametrize(("key", "values", "worst"), [
    ("redness", ("edges_only", "spreading"), "spreading"),
    ("redness", ("none", "edges_only"), "edges_only"),
    ("drainage", ("bloody", "cloudy_or_pus"), "cloudy_or_pus"),
    ("drainage", ("clear", "bloody"), "clear"),
    ("swelling", ("increasing", "stable"), "increasing"),
])
def test_wound_keeps_the_worse_site(key: str, values: tuple[str, str], worst: str) -> None:
    """Both incisions feed one observation: the worse one wins; each site's answer is kept."""
    answers = {**WOUND_OK, f"belly.{key}": values[0], f"back.{key}": values[1]}
    result = normalise_wound(answers)
    assert result.ok and result.observations[f"wound_{key}"] == worst
    assert (result.answers[f"belly.{key}"], result.answers[f"back.{key}"]) == values


def test_wound_yes_at_either_site_wins() -> None:
    """A yes at one incision and a no at the other reads as yes."""
    result = normalise_wound({**WOUND_OK, "belly.device_visible": "no", "back.device_visible": "yes",
                              "back.fluid_bump": "yes", "belly.pain": "3", "temperature": "100.4",
                              "temperature.unit": "F"})
    assert result.observations["device_visible"] is True
    assert result.observations["clear_fluid_swelling"] is True
    assert result.observations["temperature_c"] == 38.0 and result.answers["belly.pain"] == 3
    assert normalise_wound({**WOUND_OK, "belly.open": "no"}).observations["wound_open"] is False


def test_wound_required_per_site() -> None:
    """Redness, leaking and swelling are required for each site being checked."""
    assert set(normalise_wound({}).errors) == set(WOUND_OK)
    belly = {k: v for k, v in WOUND_OK.items() if k.startswith("belly.")}
    assert normalise_wound(belly, sites=("belly",)).ok
    assert normalise_wound({**belly, "back.redness": "spreading"}, sites=("belly",)).observations[
        "wound_redness"] == "spreading"
    with pytest.raises(ValueError):
        normalise_wound(belly, sites=("arm",))


def test_post_refill_check() -> None:
    """The short check needs sleepiness and breathing; a caregiver may add a count."""
    assert set(normalise_post_refill({}, reporter="patient").errors) == {"sleepiness", "breathing_trouble"}
    result = normalise_post_refill({"sleepiness": "hard_to_wake", "breathing_trouble": "yes",
                                    "breaths_per_min": "6"}, reporter="caregiver")
    assert result.ok
    assert result.observations == {"sleepiness": "hard_to_wake", "breathing_trouble": True, "breaths_per_min": 6}


def test_pain_baseline() -> None:
    """The mean of the entries given; nothing to average gives None."""
    assert pain_baseline([]) is None
    assert pain_baseline([4, 4, 5]) == pytest.approx(13 / 3)
    assert pain_baseline([3, 11, -1, True]) == 3.0  # type: ignore[list-item]


def test_summary_for_yesterday_prefills_preferences_only() -> None:
    """Only the temperature unit carries over; pain and symptoms never do."""
    yesterday = normalise_checkin({**EVERYTHING, "temperature": "99.5", "temperature.unit": "F"},
                                  reporter="patient").answers
    assert summary_for_yesterday(yesterday) == {"temperature.unit": "F"}
    assert summary_for_yesterday(None) == {}
    assert summary_for_yesterday({"temperature.unit": "K"}) == {}


def test_rules_import_only_the_standard_library_and_the_questionnaire_data() -> None:
    """rules.py stays pure: no Flask, no database, no clock."""
    allowed = {"companion.diary.questionnaire", "companion.diary.questionnaires"}
    tree = ast.parse(Path(rules.__file__).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                 else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
        for name in names:
            assert name in allowed or name.split(".")[0] in sys.stdlib_module_names, name


LINK_IDS = sorted({*CHECKIN.link_ids, *WOUND.link_ids, *POST_REFILL.link_ids, "temperature.unit"})
CODES = sorted({c.code for q in (CHECKIN, WOUND) for i in q.items for c in (*i.choices, *i.unit_choices)})
RAW = st.one_of(st.text(max_size=40), st.sampled_from([*CODES, "yes", "no", "100.4", "-1", "38,5"]))
ANSWERS = st.dictionaries(st.one_of(st.sampled_from(LINK_IDS), st.text(max_size=12)),
                          st.one_of(RAW, st.lists(RAW, max_size=4)), max_size=25)


@settings(deadline=None, max_examples=300)
@given(answers=ANSWERS, reporter=st.sampled_from(["patient", "caregiver"]))
def test_random_answers_never_raise(answers: dict[str, Any], reporter: str) -> None:
    """Whatever arrives, the result is observations or errors, and always in the vocabulary."""
    for result in (normalise_checkin(answers, reporter=reporter, weekly_due=True),
                   normalise_wound(answers, reporter=reporter),
                   normalise_post_refill(answers, reporter=reporter)):
        assert_valid(result)
        assert set(result.errors) <= set(LINK_IDS)
        assert all(isinstance(m, str) and m.endswith(".") for m in result.errors.values())
    patient = normalise_checkin(answers, reporter="patient")
    assert patient.observations or patient.errors
    assert normalise_wound(answers).observations or normalise_wound(answers).errors
    refill = normalise_post_refill(answers, reporter="patient")
    assert refill.observations or refill.errors
