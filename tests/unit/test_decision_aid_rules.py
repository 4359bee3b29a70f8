"""The decision aid's pure rules: the icon array draws exactly N of 100 people, and the values ranking."""
import re
import xml.etree.ElementTree as ET

import pytest

from companion.consent.decision_aid import rules

NS = "{http://www.w3.org/2000/svg}"


def states(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    return [g.get("data-state") for g in root.iter(f"{NS}g")]


@pytest.mark.parametrize("n", [0, 1, 4, 21, 40, 71, 99, 100])
def test_icon_array_highlights_exactly_n_of_100(n):
    svg = rules.icon_array(n, f"{n} out of 100 people")
    found = states(svg)
    assert len(found) == 100
    assert found.count("on") == n and found.count("off") == 100 - n and "maybe" not in found
    assert found[:n] == ["on"] * n  # filled from the first figure, so the eye counts one block


def test_icon_array_range_outlines_the_uncertain_part():
    found = states(rules.icon_array(2, "2 to 8 out of 100 people", maybe=6))
    assert found.count("on") == 2 and found.count("maybe") == 6 and found.count("off") == 92


def test_icon_array_has_a_text_alternative_and_escapes_it():
    svg = rules.icon_array(4, 'About 4 <of> 100 "people"')
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    assert root.get("aria-label") == 'About 4 <of> 100 "people"'
    assert root.find(f"{NS}title").text == 'About 4 <of> 100 "people"'
    assert "<of>" not in svg


def test_icon_array_is_ten_by_ten():
    svg = rules.icon_array(10, "x")
    assert re.search(r'viewBox="0 0 120 140"', svg)
    xs = {float(c.get("cx")) for c in ET.fromstring(svg).iter(f"{NS}circle")}
    ys = {float(c.get("cy")) for c in ET.fromstring(svg).iter(f"{NS}circle")}
    assert len(xs) == 10 and len(ys) == 10


@pytest.mark.parametrize("n,maybe", [(-1, 0), (101, 0), (95, 10), (3, -1)])
def test_icon_array_refuses_impossible_counts(n, maybe):
    with pytest.raises(ValueError):
        rules.icon_array(n, "x", maybe=maybe)


def test_clean_ratings_keeps_scale_values_skips_blanks_and_names_bad_ones():
    keys = ["a", "b", "c", "d", "e"]
    ratings, bad = rules.clean_ratings({"a": "4", "b": "", "c": "9", "d": "x", "e": "0", "z": "3"}, keys)
    assert ratings == {"a": 4, "e": 0}
    assert bad == ["c", "d"]


def test_ranked_puts_most_important_first_and_unanswered_last_in_content_order():
    keys = ["a", "b", "c", "d"]
    assert rules.ranked({"b": 1, "c": 4, "d": 1}, keys) == [("c", 4), ("b", 1), ("d", 1), ("a", None)]
    assert rules.ranked({}, keys) == [(k, None) for k in keys]
