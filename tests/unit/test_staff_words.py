"""Staff text: stored codes in words and amounts without trailing zeros (the `words` and `amount` filters)."""
from decimal import Decimal

import pytest

from companion.template_globals import amount, words


@pytest.mark.parametrize("value, text", [(Decimal("5.0000"), "5"), (Decimal("0.2500"), "0.25"), (Decimal("1E+1"), "10"),
                                         (2.5, "2.5"), (10, "10"), (Decimal("-0.0000"), "0"), (None, ""),
                                         ("n/a", "n/a"), (Decimal("0.0250"), "0.025")])
def test_amount(value, text):
    assert amount(value) == text


def test_the_issues_raw_codes_and_numbers_read_as_words():
    assert words("confusion_new") == "new confusion"
    assert words("cloudy_or_pus drainage") == "cloudy or pus drainage"
    assert words("after a dose_increase") == "after a dose increase"
    assert words("daily dose 6 mg is above the clinic ceiling of 5.0000 mg") == \
        "daily dose 6 mg is above the clinic ceiling of 5 mg"
    assert words("some_new_code") == "some new code"  # an unknown code still reads as words


def test_words_leaves_ordinary_text_versions_and_short_decimals_alone():
    text = "Content 2026.10, T 38.5 °C, PEG 4.0, S59, S62"
    assert words(text) == text
    assert words(None) == ""
