"""The pure MRI rules: the action and checklist per pump family, and the field-strength check."""
from decimal import Decimal

import pytest

from companion.pump import rules


def test_prometra_must_be_emptied_and_is_limited_to_one_and_a_half_tesla():
    review = rules.review_mri("prometra_ii_20", "3")
    assert review.action == "empty" and review.max_tesla == Decimal("1.5")
    assert review.field_ok is False  # the 3 T scan on a 1.5 T-only model
    assert any("Empty the whole reservoir" in item for item in review.checklist)
    assert rules.review_mri("prometra_ii_40", "1.5").field_ok is True


def test_synchromed_is_checked_and_allows_three_tesla():
    review = rules.review_mri("synchromed_ii_40", "3")
    assert review.action == "check" and review.field_ok is True
    assert "S20" in review.source


@pytest.mark.parametrize("model", [None, "", "other", "medstream_x"])
def test_an_unknown_model_gets_the_cautious_checklist_and_no_verdict(model):
    review = rules.review_mri(model, "3")
    assert review.action == "check" and review.max_tesla is None and review.field_ok is None
    assert "Identify the pump model" in review.checklist[0]


@pytest.mark.parametrize("text, value", [("1.5", Decimal("1.5")), ("3 T", Decimal("3")), ("", None), (None, None),
                                         ("abc", None), ("-1", None), ("0", None), ("NaN", None), ("inf", None)])
def test_parse_tesla(text, value):
    assert rules.parse_tesla(text) == value


def test_an_unknown_field_strength_gives_no_verdict():
    assert rules.review_mri("prometra_ii_20", "").field_ok is None
