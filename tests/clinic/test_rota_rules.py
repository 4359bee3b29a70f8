"""clinic.rules for the on-call rota and the reminder days: pure, no app."""
from datetime import datetime, time

import pytest

from companion.clinic import rules
from companion.clinic.rules import Shift

# Sunday 20:00 -> Monday 08:00 (past midnight and past the end of the week), Monday 17:00 -> Tuesday 08:00.
ROTA = [Shift(6, time(20), time(8), 1), Shift(0, time(17), time(8), 2), Shift(2, time(9), time(12), 3)]


@pytest.mark.parametrize("when, who", [
    (datetime(2026, 11, 22, 19, 59), None),  # Sunday before the shift
    (datetime(2026, 11, 22, 20, 0), 1),      # Sunday, shift starts
    (datetime(2026, 11, 23, 3, 0), 1),       # Monday night: Sunday's shift wrapped into the new week
    (datetime(2026, 11, 23, 7, 59), 1),
    (datetime(2026, 11, 23, 8, 0), None),    # the end is not part of the shift
    (datetime(2026, 11, 23, 17, 0), 2),
    (datetime(2026, 11, 24, 2, 30), 2),      # Tuesday early morning: Monday's shift
    (datetime(2026, 11, 25, 11, 59), 3),
    (datetime(2026, 11, 25, 12, 0), None),
])
def test_on_call_at_follows_the_week_and_wraps_past_midnight(when, who):
    assert rules.on_call_at(ROTA, when) == who


def test_on_call_at_with_no_shifts_is_nobody():
    assert rules.on_call_at([], datetime(2026, 11, 23, 3, 0)) is None


def test_equal_start_and_end_is_a_whole_day():
    day = [Shift(5, time(8), time(8), 9)]
    assert rules.on_call_at(day, datetime(2026, 11, 29, 7, 59)) == 9  # Sunday morning, 24 h after Saturday 08:00
    assert rules.on_call_at(day, datetime(2026, 11, 29, 8, 0)) is None


@pytest.mark.parametrize("new, clash", [
    (Shift(0, time(7), time(9), 5), 0),      # Monday 07:00 overlaps Sunday night's shift
    (Shift(6, time(23), time(1), 5), 0),
    (Shift(0, time(16), time(18), 5), 1),
    (Shift(1, time(7), time(7, 30), 5), 1),  # Tuesday morning is still Monday's shift
    (Shift(2, time(11), time(9), 5), 2),     # Wednesday 11:00 to Thursday 09:00 shares 11:00-12:00
    (Shift(0, time(8), time(17), 5), None),  # touching ends are fine
    (Shift(3, time(17), time(8), 5), None),
])
def test_overlapping_shift_is_found_around_the_week(new, clash):
    assert rules.overlapping_shift(new, ROTA) == (None if clash is None else ROTA[clash])


def test_shift_errors_and_clock_parsing():
    assert rules.shift_errors("2", "17:00", "08:30") == {}
    assert rules.shift_errors("7", "25:00", "") == {"weekday": "bad_weekday", "starts": "bad_time", "ends": "bad_time"}
    assert rules.parse_clock("7.30") == time(7, 30) and rules.parse_clock("٣:00") is None


@pytest.mark.parametrize("raw, days, code", [
    ("14, 7, 2, 1, 0", (14, 7, 2, 1, 0), None), ("3 10", (10, 3), None), ("0", (0,), None), ("60", (60,), None),
    ("", None, "offsets_required"), ("61", None, "offsets_range"), ("-1", None, "offsets_range"),
    ("1.5", None, "offsets_range"), ("٣", None, "offsets_range"), ("99999999999999999999", None, "offsets_range"),
    ("7, 7", None, "offsets_duplicate"), ("1,2,3,4,5,6,7", None, "offsets_count"),
])
def test_offsets_check(raw, days, code):
    assert rules.offsets_check(raw) == (days, code)


def test_stored_offsets_round_trip_and_skip_junk():
    assert rules.parse_offsets(rules.format_offsets((10, 3))) == (10, 3)
    assert rules.parse_offsets("3,x,10,,99") == (10, 3) and rules.parse_offsets("") == ()
