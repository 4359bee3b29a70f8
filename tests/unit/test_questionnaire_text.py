"""Questionnaire data: stable unique link ids, codes inside the vocabulary, plain words (FK grade <= 8)."""
from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
import textstat

from companion.diary import questionnaire
from companion.diary.questionnaire import NO, YES, Question, Questionnaire
from companion.diary.questionnaires import ALL, CHECKIN, POST_REFILL, WOUND
from companion.diary.rules import TEMP_RANGES


def _vocabulary_module() -> ModuleType:
    """Load the vocabulary (parsed from shared/, or its copy) from the normalisation tests."""
    path = Path(__file__).with_name("test_diary_normalise.py")
    spec = importlib.util.spec_from_file_location("_diary_vocabulary", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


VOCAB = _vocabulary_module().VOCAB


def patient_texts(q: Questionnaire) -> list[str]:
    """Every string a patient or caregiver reads, once each; bare scale numbers left out."""
    texts = [q.title, *(g.label for g in q.groups)]
    for item in q.items:
        texts += [item.text, item.help, *(c.label for c in (*item.choices, *item.unit_choices))]
    return list(dict.fromkeys(t.strip() for t in texts if t.strip() and not t.strip().isdigit()))


def as_prose(texts: list[str]) -> str:
    """Join labels as sentences, as a page reads them, so FK is not scored as one long sentence."""
    return " ".join(t if t[-1] in ".?!" else t + "." for t in texts)


def test_identity_and_versions() -> None:
    """The ids and versions that stored entries point at."""
    assert (CHECKIN.id, CHECKIN.version) == ("daily-checkin", "1")
    assert (WOUND.id, WOUND.version) == ("wound-check", "1")
    assert (POST_REFILL.id, POST_REFILL.version) == ("post-refill-check", "1")
    assert questionnaire.CHECKIN is CHECKIN and questionnaire.WOUND is WOUND


@pytest.mark.parametrize("q", ALL, ids=lambda q: q.id)
def test_link_ids_unique_and_groups_named(q: Questionnaire) -> None:
    """Link ids are unique; every group has a heading; enable_when points at real codes."""
    assert len(set(q.link_ids)) == len(q.link_ids)
    headings = {g.code for g in q.groups}
    for item in q.items:
        assert item.group in headings, item.link_id
        for ref, value in item.enable_when:
            target = q[ref]
            allowed = {YES, NO} if target.kind == "boolean" else set(target.codes)
            assert value in allowed, (item.link_id, ref, value)


def test_duplicate_link_id_refused() -> None:
    """The data model itself refuses a repeated link id or a forward reference."""
    item = Question("x", "X?", "boolean")
    with pytest.raises(ValueError):
        Questionnaire("t", "1", "T", (item, item))
    with pytest.raises(ValueError):
        Questionnaire("t", "1", "T", (Question("y", "Y?", "boolean", enable_when=(("x", YES),)), item))


def test_wound_link_ids_are_prefixed_by_site() -> None:
    """Each incision has the same items under its own prefix."""
    belly = [i.link_id.removeprefix("belly.") for i in WOUND.items if i.group == "belly"]
    back = [i.link_id.removeprefix("back.") for i in WOUND.items if i.group == "back"]
    assert belly == back and "redness" in belly
    assert all(i.link_id.startswith(f"{i.group}.") for i in WOUND.items if i.group in {"belly", "back"})


@pytest.mark.parametrize("q", ALL, ids=lambda q: q.id)
def test_every_choice_code_maps_into_the_vocabulary(q: Questionnaire) -> None:
    """Observation keys exist, and each offered code is a value that key accepts."""
    for item in q.items:
        if not item.observation:
            continue
        kind, *rest = VOCAB[item.observation]
        codes = set(item.codes)
        if kind in {"enum", "list"}:
            assert codes == set(rest[0]), item.link_id
            assert item.kind == ("multi" if kind == "list" else "choice")
        elif kind == "bool":
            assert item.kind == "boolean" and codes <= {YES, NO}
        elif kind == "int":
            assert item.kind == "integer"
            low, high = rest
            if low is not None:
                assert (item.min, item.max) == (low, high), item.link_id
            assert all(item.min <= int(c) <= item.max for c in codes)
        else:
            assert kind == "float" and item.kind == "decimal" and item.unit_choices


def test_checkin_link_ids_are_the_vocabulary_keys() -> None:
    """Check-in items are named after the key they feed, so reports read the same everywhere."""
    for item in CHECKIN.items:
        if item.observation and item.link_id != "temperature":
            assert item.link_id == item.observation


def test_temperature_range_matches_the_rules() -> None:
    """The °C range on the item is the one the rules enforce."""
    item = CHECKIN["temperature"]
    assert (item.min, item.max) == tuple(float(v) for v in TEMP_RANGES["C"])
    assert {c.code for c in item.unit_choices} == set(TEMP_RANGES)


def test_ordinary_day_fits_in_eight_taps() -> None:
    """With nothing new, a patient answers pain and 'No' (plus three PEG items weekly), then sends."""
    always = [i for i in CHECKIN.for_reporter("patient") if i.required and not i.enable_when]
    daily = [i.link_id for i in always if i.frequency == "daily"]
    weekly = [i.link_id for i in always if i.frequency == "weekly"]
    assert daily == ["pain_now", "anything_new"]
    assert weekly == ["peg.pain_avg", "peg.enjoyment", "peg.activity"]
    assert len(daily) + len(weekly) + 1 <= 8


def test_pain_is_a_row_of_buttons_0_to_10() -> None:
    """Pain now and the PEG items offer the eleven numbers as buttons."""
    for link_id in ("pain_now", "peg.pain_avg", "peg.enjoyment", "peg.activity"):
        assert CHECKIN[link_id].codes == tuple(str(n) for n in range(11))


def test_caregiver_only_items() -> None:
    """Only caregivers count breaths; both can say 'very hard to wake'."""
    assert [i.link_id for i in CHECKIN.items if i.audience == ("caregiver",)] == ["breaths_per_min"]
    assert "hard_to_wake" in CHECKIN["sleepiness"].codes
    assert "breaths_per_min" not in {i.link_id for i in CHECKIN.for_reporter("patient")}


def test_pump_alarm_help_explains_both_tones() -> None:
    """The alarm question tells the single tone from the two tones in plain words."""
    help_text = CHECKIN["pump_alarm"].help
    assert "single tone" in help_text and "Two tones" in help_text and "same day" in help_text


@pytest.mark.parametrize("q", ALL, ids=lambda q: q.id)
def test_plain_words_overall(q: Questionnaire) -> None:
    """Each questionnaire's text reads at FK grade 8 or below overall."""
    prose = as_prose(patient_texts(q))
    assert len(prose.split()) >= 50
    assert textstat.flesch_kincaid_grade(prose) <= 8


def test_every_longer_help_text_is_plain() -> None:
    """Help of ten words or more scores grade 8 or below on its own (shorter ones are too noisy)."""
    for q in ALL:
        for item in q.items:
            if len(item.help.split()) >= 10:
                assert textstat.flesch_kincaid_grade(item.help) <= 8, item.link_id
