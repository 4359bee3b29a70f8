"""Pure quality-report arithmetic: periods, percentiles, adherence, alert rate, review timeliness (stdlib only)."""
from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

TIERS = ("emergency", "urgent")


@dataclass(frozen=True)
class CaseFact:
    """One case: when it opened (clinic time), its tier, first acknowledgement, rounds sent and resolution."""

    opened_at: datetime
    tier: str
    acknowledged_at: datetime | None
    rounds: int
    resolution: str | None


@dataclass(frozen=True)
class ReviewFact:
    """One routine review item: created and cleared (clinic time)."""

    created_at: datetime
    cleared_at: datetime | None


@dataclass(frozen=True)
class Period:
    """A reporting period [start, end) in clinic dates, with its label."""

    label: str
    start: date
    end: date


@dataclass
class PeriodStats:
    """The figures of one period (None where there is nothing to compute from)."""

    period: Period
    cases_by_tier: dict[str, int] = field(default_factory=dict)
    acknowledged: int = 0
    median_ack_minutes: float | None = None
    p90_ack_minutes: float | None = None
    within_deadline: int = 0
    deadline_decided: int = 0  # cases acknowledged, or whose deadline has passed unacknowledged
    median_rounds: float | None = None
    max_rounds: int | None = None
    needed_more_rounds: int = 0
    resolutions: dict[str, int] = field(default_factory=dict)
    checkins_expected: int = 0
    checkins_done: int = 0
    checkins: int = 0
    alerts: int = 0
    reviews: int = 0
    reviews_in_time: int = 0

    @property
    def cases(self) -> int:
        """All cases opened in the period."""
        return sum(self.cases_by_tier.values())

    @property
    def within_deadline_share(self) -> float | None:
        """Share of decided cases acknowledged within their deadline."""
        return share(self.within_deadline, self.deadline_decided)

    @property
    def adherence(self) -> float | None:
        """Share of expected daily check-ins done."""
        return share(self.checkins_done, self.checkins_expected)

    @property
    def alerts_per_100(self) -> float | None:
        """Check-ins that raised a finding (routine or worse), per 100 check-ins."""
        return None if not self.checkins else 100 * self.alerts / self.checkins

    @property
    def reviews_in_time_share(self) -> float | None:
        """Share of review items cleared within a working day."""
        return share(self.reviews_in_time, self.reviews)


def share(part: int, whole: int) -> float | None:
    """part / whole, or None when there is nothing to divide."""
    return None if not whole else part / whole


def nearest_rank(values: Sequence[float], percent: float) -> float | None:
    """The nearest-rank percentile: the smallest value with at least `percent` % of values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(percent / 100 * len(ordered))) - 1]


def weeks(today: date, count: int) -> list[Period]:
    """The last `count` ISO weeks (Monday start), the current one last."""
    monday = today - timedelta(days=today.weekday())
    starts = [monday - timedelta(weeks=i) for i in range(count - 1, -1, -1)]
    return [Period(f"{s.isocalendar()[0]}-W{s.isocalendar()[1]:02d}", s, s + timedelta(days=7)) for s in starts]


def months(today: date, count: int) -> list[Period]:
    """The last `count` calendar months, the current one last."""
    out, year, month = [], today.year, today.month
    for _ in range(count):
        start = date(year, month, 1)
        end = date(year + (month == 12), month % 12 + 1, 1)
        out.append(Period(f"{year}-{month:02d}", start, end))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return out[::-1]


def add_working_day(at: datetime, working_days: frozenset[int]) -> datetime:
    """The same clock time on the next working day (Friday 16:00 -> Monday 16:00; Saturday -> Monday)."""
    nxt = at + timedelta(days=1)
    for _ in range(7):
        if nxt.weekday() in working_days:
            return nxt
        nxt += timedelta(days=1)
    return at + timedelta(days=1)  # no working days configured: a calendar day


def cleared_in_time(item: ReviewFact, working_days: frozenset[int]) -> bool:
    """Whether the item was cleared within one working day of its creation."""
    return item.cleared_at is not None and item.cleared_at <= add_working_day(item.created_at, working_days)


def expected_start(implanted_on: date | None, account_on: date | None, first_checkin_on: date | None) -> date | None:
    """The first day a patient is expected to check in daily: from the implant, once they could or did check in."""
    could = [d for d in (account_on, first_checkin_on) if d is not None]
    if implanted_on is None or not could:
        return None  # not implanted or no way to check in: no daily check-in expected
    return max(implanted_on, min(could))


def _in(period: Period, at: datetime | date) -> bool:
    day = at.date() if isinstance(at, datetime) else at
    return period.start <= day < period.end


def case_stats(stats: PeriodStats, cases: Iterable[CaseFact], deadlines: Mapping[str, int], now: datetime) -> None:
    """Fill the case figures of one period (cases opened in it)."""
    mine = [c for c in cases if _in(stats.period, c.opened_at)]
    stats.cases_by_tier = {tier: sum(c.tier == tier for c in mine) for tier in TIERS}
    minutes = [(c.acknowledged_at - c.opened_at).total_seconds() / 60 for c in mine if c.acknowledged_at]
    stats.acknowledged = len(minutes)
    stats.median_ack_minutes = statistics.median(minutes) if minutes else None
    stats.p90_ack_minutes = nearest_rank(minutes, 90)
    for case in mine:
        due = case.opened_at + timedelta(minutes=deadlines.get(case.tier, 60))
        if case.acknowledged_at is not None:
            stats.deadline_decided += 1
            stats.within_deadline += case.acknowledged_at <= due
        elif now > due:
            stats.deadline_decided += 1  # still unacknowledged after its deadline: missed
    rounds = [c.rounds for c in mine if c.acknowledged_at]
    stats.median_rounds = statistics.median(rounds) if rounds else None
    stats.max_rounds = max(rounds) if rounds else None
    stats.needed_more_rounds = sum(r > 1 for r in rounds)
    stats.resolutions = dict(Counter(c.resolution for c in mine if c.resolution))


def checkin_stats(stats: PeriodStats, starts: Mapping[int, date | None], done_days: Mapping[int, set[date]],
                  alert_flags: Iterable[tuple[date, bool]], today: date) -> None:
    """Fill adherence (expected patient-days up to today, days done among them) and the alert rate."""
    last = min(stats.period.end, today + timedelta(days=1))
    for patient_id, start in starts.items():
        if start is None:
            continue
        first = max(start, stats.period.start)
        days = max(0, (last - first).days)
        stats.checkins_expected += days
        stats.checkins_done += sum(1 for d in done_days.get(patient_id, ()) if first <= d < last)
    flags = [alerted for day, alerted in alert_flags if _in(stats.period, day)]
    stats.checkins, stats.alerts = len(flags), sum(flags)


def review_stats(stats: PeriodStats, items: Iterable[ReviewFact], working_days: frozenset[int]) -> None:
    """Fill the review-list timeliness of items created in the period."""
    mine = [i for i in items if _in(stats.period, i.created_at)]
    stats.reviews = len(mine)
    stats.reviews_in_time = sum(cleared_in_time(i, working_days) for i in mine)


def report(periods: Sequence[Period], *, cases: Sequence[CaseFact], deadlines: Mapping[str, int],
           starts: Mapping[int, date | None], done_days: Mapping[int, set[date]],
           alert_flags: Sequence[tuple[date, bool]], reviews: Sequence[ReviewFact], working_days: frozenset[int],
           now: datetime, today: date) -> list[PeriodStats]:
    """Every figure for every period (all times already in the clinic's time zone)."""
    out = []
    for period in periods:
        stats = PeriodStats(period)
        case_stats(stats, cases, deadlines, now)
        checkin_stats(stats, starts, done_days, alert_flags, today)
        review_stats(stats, reviews, working_days)
        out.append(stats)
    return out
