"""Due tasks: wound checks after surgery, post-refill checks and the daily check-in, with `now` passed in."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from companion.diary.rules import Task, due_tasks, peg_due

TZ = "America/New_York"
NY = ZoneInfo(TZ)
SURGERY = date(2025, 3, 3)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A clinic-local wall-clock moment, as an aware UTC datetime (what the app passes in)."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=NY).astimezone(timezone.utc)


def kinds(tasks: list[Task]) -> list[str]:
    """Just the task kinds, in order."""
    return [t.kind for t in tasks]


def wound(now: datetime, **kw: Any) -> Task | None:
    """The wound task due at `now` for a patient implanted on SURGERY (check-in already done)."""
    kw.setdefault("implanted_on", SURGERY)
    tasks = due_tasks(now, tz=TZ, last_checkin_on=now.astimezone(NY).date(), **kw)
    found = [t for t in tasks if t.kind == "wound_check"]
    assert len(found) <= 1
    return found[0] if found else None


def test_no_wound_check_on_the_day_of_surgery_or_before() -> None:
    """Day 0 is the surgery day (dressings on, often still in hospital)."""
    assert wound(at(SURGERY, 20)) is None
    assert wound(at(SURGERY - timedelta(days=5), 9)) is None


@pytest.mark.parametrize("day", [1, 2, 3])
def test_twice_a_day_on_days_1_to_3(day: int) -> None:
    """Morning and evening checks, each due until done."""
    today = SURGERY + timedelta(days=day)
    morning = wound(at(today, 7))
    assert morning is not None and morning.label.startswith("Morning") and f"day {day}" in morning.label
    assert morning.due_at == at(today, 9)
    assert wound(at(today, 13), last_wound_check_at=at(today, 8)) is None
    evening = wound(at(today, 15), last_wound_check_at=at(today, 8))
    assert evening is not None and evening.label.startswith("Evening") and evening.due_at == at(today, 19)
    assert wound(at(today, 21), last_wound_check_at=at(today, 20)) is None


def test_missed_morning_check_does_not_pile_up() -> None:
    """In the evening there is one wound task, not two."""
    day2 = SURGERY + timedelta(days=2)
    tasks = due_tasks(at(day2, 18), tz=TZ, implanted_on=SURGERY, last_wound_check_at=at(day2 - timedelta(days=1), 20))
    assert kinds(tasks).count("wound_check") == 1


@pytest.mark.parametrize("day", [4, 17, 30])
def test_once_a_day_from_day_4_to_day_30(day: int) -> None:
    """One check a day; a check earlier today, even at 00:10, covers the evening."""
    today = SURGERY + timedelta(days=day)
    task = wound(at(today, 16), last_wound_check_at=at(today - timedelta(days=1), 21))
    assert task is not None and task.label == f"Wound check (day {day} after surgery)"
    assert task.due_at == at(today, 9)
    assert wound(at(today, 22), last_wound_check_at=at(today, 0, 10)) is None


def test_no_wound_check_from_day_31() -> None:
    """The daily check stops after 30 days."""
    assert wound(at(SURGERY + timedelta(days=30), 23, 59)) is not None
    assert wound(at(SURGERY + timedelta(days=31), 0, 1)) is None
    assert wound(at(SURGERY + timedelta(days=31), 12)) is None


def test_revision_restarts_the_window() -> None:
    """A revision starts 30 days of checks again; the later of the two dates counts."""
    long_ago = date(2023, 1, 1)
    assert wound(at(SURGERY + timedelta(days=1), 8), implanted_on=long_ago) is None
    task = wound(at(SURGERY + timedelta(days=1), 8), implanted_on=long_ago, revision_on=SURGERY)
    assert task is not None and task.label.startswith("Morning")
    assert wound(at(SURGERY + timedelta(days=10), 8), implanted_on=None, revision_on=SURGERY) is not None


def test_day_counts_in_the_clinic_time_zone() -> None:
    """At 01:00 UTC it is still the evening before in New York."""
    utc_now = datetime(2025, 4, 3, 1, 0, tzinfo=timezone.utc)  # 21:00 on 2 April in New York
    task = wound(utc_now, implanted_on=date(2025, 3, 3))
    assert task is not None and "day 30" in task.label
    assert wound(utc_now, implanted_on=date(2025, 3, 2)) is None


REFILL = datetime(2025, 5, 6, 15, 30, tzinfo=timezone.utc)


def refill_checks(hours_after: float, done: set[int] | None = None) -> list[Task]:
    """The post-refill tasks due some hours after REFILL."""
    now = REFILL + timedelta(hours=hours_after)
    tasks = due_tasks(now, tz=TZ, refill_or_dose_increase_at=REFILL, last_checkin_on=now.astimezone(NY).date(),
                      completed_post_refill_checks=done or set())
    return [t for t in tasks if t.kind == "post_refill_check"]


@pytest.mark.parametrize(("hours_after", "expected"), [
    (0, []), (3.9, []), (4, [4]), (23.9, [4]), (24, [24]), (47.9, [24]), (48, [48]), (71.9, [48]), (72, [72]), (95.9, [72]), (96, []),
    (-5, []),
])
def test_post_refill_checks_at_4_24_48_72_hours(hours_after: float, expected: list[int]) -> None:
    """Each check is due from its hour until the next one; a missed one gives way (first at 4 h, issue 12)."""
    tasks = refill_checks(hours_after)
    assert [t.hours for t in tasks] == expected
    for task in tasks:
        assert task.due_at == REFILL + timedelta(hours=task.hours or 0)
        assert f"{task.hours} hours" in task.label


def test_completed_post_refill_checks_are_not_due() -> None:
    """A check that was done is not asked again; the next one still comes."""
    assert refill_checks(30, {24}) == []
    assert refill_checks(5, {4}) == [] and [t.hours for t in refill_checks(25, {4})] == [24]
    assert [t.hours for t in refill_checks(50, {24})] == [48]
    assert refill_checks(80, {24, 48, 72}) == []


def test_the_clinic_may_choose_when_the_first_check_comes() -> None:
    """A clinic choosing 6 h: nothing at 4 h, the first check from 6 h until the 24-hour one."""
    now = REFILL + timedelta(hours=5)
    tasks = due_tasks(now, tz=TZ, refill_or_dose_increase_at=REFILL, first_post_refill_hours=6,
                      last_checkin_on=now.astimezone(NY).date())
    assert [t.hours for t in tasks if t.kind == "post_refill_check"] == []
    later = due_tasks(now + timedelta(hours=2), tz=TZ, refill_or_dose_increase_at=REFILL, first_post_refill_hours=6,
                      last_checkin_on=now.astimezone(NY).date())
    assert [t.hours for t in later if t.kind == "post_refill_check"] == [6]


def test_daily_checkin() -> None:
    """Today's check-in is due until done, by the clinic's date."""
    now = at(date(2025, 6, 1), 8)
    task = [t for t in due_tasks(now, tz=TZ, last_checkin_on=date(2025, 5, 31)) if t.kind == "checkin"]
    assert task and task[0].due_at == at(date(2025, 6, 1), 10) and task[0].label == "Daily check-in"
    assert kinds(due_tasks(now, tz=TZ, last_checkin_on=None)) == ["checkin"]
    assert due_tasks(now, tz=TZ, last_checkin_on=date(2025, 6, 1)) == []


def test_safety_checks_come_first_and_times_are_utc() -> None:
    """Post-refill check, then wound check, then check-in; every due time is aware UTC."""
    now = REFILL + timedelta(hours=25)
    tasks = due_tasks(now, tz=TZ, implanted_on=now.astimezone(NY).date() - timedelta(days=2),
                      refill_or_dose_increase_at=REFILL)
    assert kinds(tasks) == ["post_refill_check", "wound_check", "checkin"]
    assert all(t.due_at.utcoffset() == timedelta(0) for t in tasks)


def test_naive_datetimes_are_taken_as_utc() -> None:
    """Naive values (as some drivers return them) are read as UTC, not local time."""
    aware = REFILL + timedelta(hours=24)
    naive = aware.replace(tzinfo=None)
    assert due_tasks(naive, tz=TZ, refill_or_dose_increase_at=REFILL.replace(tzinfo=None)) == due_tasks(
        aware, tz=TZ, refill_or_dose_increase_at=REFILL)


def test_peg_is_weekly() -> None:
    """The PEG items come back 7 days after they were last answered."""
    today = date(2025, 6, 10)
    assert peg_due(today, None)
    assert not peg_due(today, today)
    assert not peg_due(today, today - timedelta(days=6))
    assert peg_due(today, today - timedelta(days=7))
