"""Pure consent rules: answers, gaps, resume point, consent state, re-consent, signature decoding."""
import base64
import io
from datetime import datetime, timedelta, timezone

import pytest
from PIL import Image

from companion.consent import rules

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
MODULES = ["a", "b", "c", "d"]


def fact(module, question, choice, correct, minutes):
    return rules.AnswerFact(module, question, choice, correct, T0 + timedelta(minutes=minutes))


def signed(decision="agrees_implant", major=2026, superseded=False, record_id=1, days=0):
    return rules.SignedFact(record_id, T0 + timedelta(days=days), f"{major}.11", major, decision, superseded)


def png_data_url(size=(40, 20), ink=True) -> str:
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    if ink:
        image.putpixel((3, 3), (0, 0, 0, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return rules.DATA_URL_PREFIX + base64.b64encode(buffer.getvalue()).decode()


def test_latest_answer_counts_and_a_wrong_try_is_remembered():
    results = rules.summarise_answers([fact("a", "q1", "x", False, 2), fact("a", "q1", "y", True, 5),
                                       fact("b", "q2", "z", True, 1)])
    first, second = results[("a", "q1")], results[("b", "q2")]
    assert (first.choice_id, first.correct, first.ever_wrong, first.attempts) == ("y", True, True, 2)
    assert (second.correct, second.ever_wrong, second.attempts) == (True, False, 1)
    assert rules.teach_back_gaps(results.values()) == []


def test_answers_are_ordered_by_time_not_by_input_order():
    results = rules.summarise_answers([fact("a", "q1", "y", True, 5), fact("a", "q1", "x", False, 9)])
    assert results[("a", "q1")].choice_id == "x"
    assert [r.question_id for r in rules.teach_back_gaps(results.values())] == ["q1"]


def test_resume_goes_to_the_unread_module_answered_last_else_the_first_unread():
    assert rules.resume_module(MODULES, [], []) == "a"
    assert rules.resume_module(MODULES, ["a", "b"], []) == "c"
    results = rules.summarise_answers([fact("d", "q", "x", True, 3), fact("c", "q", "x", True, 1)])
    assert rules.resume_module(MODULES, ["a", "b"], results.values()) == "d"
    assert rules.resume_module(MODULES, MODULES, results.values()) is None


def state(read=(), answers=(), record=None, latest_major=2026):
    return rules.consent_state(module_ids=MODULES, read=read, results=rules.summarise_answers(answers).values(),
                               record=record, latest_major=latest_major, tz_name="America/New_York")


def test_consent_state_for_each_stage():
    assert state() == "not started"
    assert state(read=["a"]) == "reading (1 of 4)"
    assert state(answers=[fact("a", "q", "x", True, 1)]) == "reading (0 of 4)"
    assert state(read=["a", "zz-old"], answers=[fact("a", "q", "x", False, 1)]) == "teach-back gaps"
    # The signed date is the clinic's date: 02:00 UTC is still the day before in New York.
    late = rules.SignedFact(1, datetime(2026, 11, 21, 2, 0, tzinfo=timezone.utc), "2026.11", 2026, "declines", False)
    assert state(read=MODULES, record=late) == "signed on 2026-11-20 (2026.11)"


def test_reconsent_only_for_an_agreement_on_an_older_major():
    assert rules.needs_reconsent(signed(major=2026), 2028)
    assert not rules.needs_reconsent(signed(major=2028), 2028)
    assert not rules.needs_reconsent(signed(decision="declines", major=2026), 2028)
    assert not rules.needs_reconsent(None, 2028)
    assert state(record=signed(major=2026), latest_major=2028).endswith("; re-consent needed")


def test_current_record_skips_superseded_ones():
    old, fix = signed(record_id=1, superseded=True), signed(record_id=2, days=1, decision="declines")
    assert rules.current_record([old, fix]).record_id == 2
    assert rules.current_record([old]) is None
    assert rules.current_record([]) is None


def test_missing_topics_keeps_the_content_order():
    assert rules.missing_topics(["x", "y", "z"], ["z", "unknown"]) == ["x", "y"]


def test_decode_signature_accepts_a_png_data_url():
    png = rules.decode_signature(png_data_url())
    assert png.startswith(rules.PNG_MAGIC)


@pytest.mark.parametrize("value, reason", [
    ("", "PNG"),
    ("data:image/jpeg;base64,/9j/4AAQ", "PNG"),
    (rules.DATA_URL_PREFIX + "not base64 at all!", "damaged"),
    (rules.DATA_URL_PREFIX + base64.b64encode(b"GIF89a" + b"\0" * 40).decode(), "PNG"),
    (rules.DATA_URL_PREFIX + "A" * (rules.MAX_SIGNATURE_BYTES * 2), "too large"),
])
def test_decode_signature_refuses_anything_else(value, reason):
    with pytest.raises(ValueError, match=reason):
        rules.decode_signature(value)


def test_decode_signature_refuses_huge_dimensions():
    # A tiny file can claim an enormous canvas (a decompression bomb): refused from the header.
    with pytest.raises(ValueError, match="size"):
        rules.decode_signature(png_data_url(size=(rules.MAX_SIGNATURE_SIDE + 1, 2), ink=False))


def test_every_risk_topic_in_the_content_has_a_label():
    from companion.consent.content_loader import available_versions, load_version

    for version in available_versions():
        assert set(load_version(version).risk_topics) <= set(rules.RISK_TOPIC_LABELS), version
    assert rules.risk_topic_label("new_thing") == "New thing"
