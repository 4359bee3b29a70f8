"""The quality report's arithmetic against hand-counted fixtures (pure, no app)."""
from datetime import date, datetime, timedelta, timezone

from companion.careteam.reports import rules

TZ = timezone.utc
MON = datetime(2026, 11, 16, 9, 0, tzinfo=TZ)  # a Monday
WEEK = rules.Period("2026-W47", date(2026, 11, 16), date(2026, 11, 23))
DEADLINES = {"emergency": 15, "urgent": 60}
WORKDAYS = frozenset({0, 1, 2, 3, 4})


def case(day, minutes_to_ack, tier="urgent", rounds=1, resolution=None):
    opened = MON + timedelta(days=day)
    ack = None if minutes_to_ack is None else opened + timedelta(minutes=minutes_to_ack)
    return rules.CaseFact(opened, tier, ack, rounds, resolution)


def test_nearest_rank_percentile_by_hand():
    assert rules.nearest_rank([], 90) is None
    assert rules.nearest_rank([7], 90) == 7
    # ten values: the 90th percentile is the 9th smallest (ceil(0.9 * 10) = 9)
    assert rules.nearest_rank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90) == 9
    # eleven values: ceil(9.9) = 10th smallest
    assert rules.nearest_rank(list(range(11, 0, -1)), 90) == 10
    assert rules.nearest_rank([5, 1, 3], 50) == 3


def test_case_figures_by_hand():
    cases = [
        case(0, 10, "emergency", 1, "advice_by_phone"),   # within 15
        case(0, 20, "emergency", 2, "advised_emergency_department"),  # late (15), second round
        case(1, 30, "urgent", 1, "clinic_visit_booked"),   # within 60
        case(2, 90, "urgent", 3, "advice_by_phone"),       # late (60), third round
        case(3, None, "urgent"),                            # open, deadline passed by `now`: missed
        case(6, None, "urgent"),                            # open, deadline not yet passed: not counted
        case(8, 5, "urgent"),                               # next week: not in this period
    ]
    now = MON + timedelta(days=6, minutes=30)
    stats = rules.PeriodStats(WEEK)
    rules.case_stats(stats, cases, DEADLINES, now)
    assert stats.cases_by_tier == {"emergency": 2, "urgent": 4} and stats.cases == 6
    assert stats.acknowledged == 4
    assert stats.median_ack_minutes == 25  # (20 + 30) / 2 of 10, 20, 30, 90
    assert stats.p90_ack_minutes == 90     # ceil(3.6) = 4th of 4
    assert (stats.within_deadline, stats.deadline_decided) == (2, 5)
    assert stats.within_deadline_share == 0.4
    assert stats.median_rounds == 1.5 and stats.max_rounds == 3 and stats.needed_more_rounds == 2
    assert stats.resolutions == {"advice_by_phone": 2, "advised_emergency_department": 1, "clinic_visit_booked": 1}


def test_checkin_adherence_and_alert_rate_by_hand():
    starts = {1: date(2026, 11, 10), 2: date(2026, 11, 19), 3: None}  # 3: not expected
    done = {1: {date(2026, 11, 16), date(2026, 11, 17), date(2026, 11, 18), date(2026, 11, 15)},  # 15th: last week
            2: {date(2026, 11, 19), date(2026, 11, 20)}, 3: {date(2026, 11, 16)}}
    flags = [(date(2026, 11, 16), True), (date(2026, 11, 17), False), (date(2026, 11, 18), False),
             (date(2026, 11, 19), True), (date(2026, 11, 15), True)]
    stats = rules.PeriodStats(WEEK)
    rules.checkin_stats(stats, starts, done, flags, today=date(2026, 11, 20))
    # patient 1: 16..20 = 5 days expected, 3 done; patient 2: 19..20 = 2 expected, 2 done
    assert (stats.checkins_done, stats.checkins_expected) == (5, 7)
    assert stats.checkins == 4 and stats.alerts == 2 and stats.alerts_per_100 == 50


def test_review_items_cleared_within_a_working_day_by_hand():
    fri = datetime(2026, 11, 20, 16, 0, tzinfo=TZ)
    items = [
        rules.ReviewFact(MON, MON + timedelta(hours=23)),                    # in time
        rules.ReviewFact(MON, MON + timedelta(hours=25)),                    # late
        rules.ReviewFact(fri, fri + timedelta(days=3)),                      # Fri 16:00 -> Mon 16:00: in time
        rules.ReviewFact(fri, fri + timedelta(days=3, minutes=1)),           # late
        rules.ReviewFact(fri + timedelta(days=1), datetime(2026, 11, 23, 15, 0, tzinfo=TZ)),  # Sat -> Mon: in time
        rules.ReviewFact(MON, None),                                          # never cleared
    ]
    stats = rules.PeriodStats(WEEK)
    rules.review_stats(stats, items, WORKDAYS)
    assert (stats.reviews_in_time, stats.reviews) == (3, 6) and stats.reviews_in_time_share == 0.5


def test_periods_and_expected_start():
    assert [p.label for p in rules.weeks(date(2026, 11, 18), 2)] == ["2026-W46", "2026-W47"]
    months = rules.months(date(2026, 1, 5), 3)
    assert [(m.label, m.start, m.end) for m in months] == [
        ("2025-11", date(2025, 11, 1), date(2025, 12, 1)), ("2025-12", date(2025, 12, 1), date(2026, 1, 1)),
        ("2026-01", date(2026, 1, 1), date(2026, 2, 1))]
    assert rules.expected_start(date(2026, 1, 1), date(2026, 3, 1), date(2026, 2, 1)) == date(2026, 2, 1)
    assert rules.expected_start(date(2026, 4, 1), date(2026, 3, 1), None) == date(2026, 4, 1)
    assert rules.expected_start(None, date(2026, 3, 1), date(2026, 3, 2)) is None
    assert rules.expected_start(date(2026, 1, 1), None, None) is None


def test_empty_periods_give_none_not_zero():
    [stats] = rules.report([WEEK], cases=[], deadlines=DEADLINES, starts={}, done_days={}, alert_flags=[],
                           reviews=[], working_days=WORKDAYS, now=MON, today=MON.date())
    assert stats.median_ack_minutes is None and stats.within_deadline_share is None
    assert stats.adherence is None and stats.alerts_per_100 is None and stats.reviews_in_time_share is None
