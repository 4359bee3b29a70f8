"""The pure care-team rules: attention order, check-in gaps, refill dates and deadline arithmetic."""
from datetime import date, datetime, timedelta, timezone

import pytest

from companion.careteam import rules

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("seconds, minutes, passed", [(15 * 60, 15, False), (59, 0, False), (0, 0, False),
                                                      (-1, -1, True), (-10 * 60, -10, True), (-61, -2, True)])
def test_deadline_minutes_round_towards_the_past(seconds, minutes, passed):
    result = rules.deadline(NOW + timedelta(seconds=seconds), NOW)
    assert result.minutes_left == minutes and result.passed is passed


def test_attention_rank_puts_emergency_then_urgent_then_refills_then_quiet():
    rank = rules.attention_rank
    assert rank(emergency_cases=1, urgent_cases=3, overdue=True, quiet_days=9) == 0
    assert rank(emergency_cases=0, urgent_cases=1, overdue=True, quiet_days=9) == 1
    assert rank(emergency_cases=0, urgent_cases=0, overdue=True, quiet_days=9) == 2
    assert rank(emergency_cases=0, urgent_cases=0, overdue=False, quiet_days=3) == 3
    assert rank(emergency_cases=0, urgent_cases=0, overdue=False, quiet_days=-1) == 3  # never, though expected
    assert rank(emergency_cases=0, urgent_cases=0, overdue=False, quiet_days=2) == 4
    assert rank(emergency_cases=0, urgent_cases=0, overdue=False, quiet_days=None) == 4


def test_check_in_gap_counts_days_and_knows_who_is_expected():
    today = date(2026, 11, 23)
    assert rules.days_without_checkin(date(2026, 11, 20), today, expected=True) == 3
    assert rules.days_without_checkin(None, today, expected=True) == -1
    assert rules.days_without_checkin(None, today, expected=False) is None
    assert rules.quiet(3) and not rules.quiet(2) and rules.quiet(-1) and not rules.quiet(None)


def test_refill_overdue_and_late_appointment():
    today = date(2026, 11, 23)
    assert rules.refill_overdue(date(2026, 11, 22), today) and not rules.refill_overdue(today, today)
    assert not rules.refill_overdue(None, today)
    assert rules.appointment_late(date(2026, 12, 1), date(2026, 12, 2))
    assert not rules.appointment_late(date(2026, 12, 1), date(2026, 12, 1))
    assert not rules.appointment_late(None, date(2026, 12, 1))


def test_days_choice_accepts_only_the_offered_ranges():
    assert [rules.days_choice(x) for x in ("30", "90", "365", "7", None, "abc")] == [30, 90, 365, 30, 30, 30]
