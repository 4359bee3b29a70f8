"""Refill reminder timing across DST, clinic review items and reminder keys."""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from companion.pump.reminders import clinic_review_items, refill_reminder_times, reminder_key


def utc(*args):
    """An aware UTC datetime."""
    return datetime(*args, tzinfo=timezone.utc)


def test_new_york_spring_forward():
    """DST starts 8 March 2026: 09:00 EST is 14:00 UTC, 09:00 EDT is 13:00 UTC."""
    assert refill_reminder_times(date(2026, 3, 10)) == [
        (14, utc(2026, 2, 24, 14)), (7, utc(2026, 3, 3, 14)), (2, utc(2026, 3, 8, 13)),
        (1, utc(2026, 3, 9, 13)), (0, utc(2026, 3, 10, 13))]


def test_new_york_fall_back():
    """DST ends 1 November 2026: the reminder that day is 14:00 UTC again."""
    assert refill_reminder_times(date(2026, 11, 2)) == [
        (14, utc(2026, 10, 19, 13)), (7, utc(2026, 10, 26, 13)), (2, utc(2026, 10, 31, 13)),
        (1, utc(2026, 11, 1, 14)), (0, utc(2026, 11, 2, 14))]


def test_london_spring_forward():
    """BST starts 29 March 2026: 09:00 local moves from 09:00 to 08:00 UTC."""
    times = refill_reminder_times(date(2026, 3, 30), tz="Europe/London")
    assert times == [(14, utc(2026, 3, 16, 9)), (7, utc(2026, 3, 23, 9)), (2, utc(2026, 3, 28, 9)),
                     (1, utc(2026, 3, 29, 8)), (0, utc(2026, 3, 30, 8))]


def test_london_fall_back():
    """BST ends 25 October 2026: 09:00 local moves from 08:00 back to 09:00 UTC."""
    times = refill_reminder_times(date(2026, 10, 26), tz="Europe/London")
    assert times == [(14, utc(2026, 10, 12, 8)), (7, utc(2026, 10, 19, 8)),
                     (2, utc(2026, 10, 24, 8)), (1, utc(2026, 10, 25, 9)),
                     (0, utc(2026, 10, 26, 9))]


@pytest.mark.parametrize("tz", ["America/New_York", "Europe/London", "Australia/Sydney"])
def test_every_reminder_is_nine_local_on_its_day(tz):
    """Whatever the zone, each reminder is 09:00 local, offset days before the appointment."""
    appointment = date(2026, 4, 5)
    for offset, at in refill_reminder_times(appointment, tz=tz):
        assert at.tzinfo is timezone.utc
        local = at.astimezone(ZoneInfo(tz))
        assert (local.date(), local.time()) == (appointment - timedelta(days=offset), time(9, 0))


def test_skipped_local_time_moves_forward_by_the_gap():
    """02:30 does not exist on 8 March 2026 in New York; it becomes 03:30 EDT (07:30 UTC)."""
    times = refill_reminder_times(date(2026, 3, 8), (0,), time(2, 30))
    assert times == [(0, utc(2026, 3, 8, 7, 30))]


def test_repeated_local_time_uses_first_occurrence():
    """01:30 happens twice on 1 November 2026 in New York; the first (EDT) is used."""
    times = refill_reminder_times(date(2026, 11, 1), (0,), time(1, 30))
    assert times == [(0, utc(2026, 11, 1, 5, 30))]


def test_custom_offsets_are_deduplicated_and_ordered():
    """Offsets come back earliest reminder first, each once."""
    times = refill_reminder_times(date(2026, 6, 10), (0, 3, 3, 10), time(18, 15))
    assert [offset for offset, _ in times] == [10, 3, 0]
    assert times[-1][1] == utc(2026, 6, 10, 22, 15)


def test_not_before_skips_past_times_and_keeps_the_boundary():
    """A reminder exactly at not_before is kept; one a moment earlier is dropped."""
    times = refill_reminder_times(date(2026, 3, 10), not_before=utc(2026, 3, 8, 13))
    assert [offset for offset, _ in times] == [2, 1, 0]
    later = refill_reminder_times(date(2026, 3, 10), not_before=utc(2026, 3, 8, 13, 0, 0, 1))
    assert [offset for offset, _ in later] == [1, 0]


def test_not_before_in_another_zone_is_compared_as_an_instant():
    """09:00 EDT on 8 March equals 13:00 UTC, so a London-zoned 13:00 UTC keeps it."""
    london_13 = datetime(2026, 3, 8, 13, tzinfo=ZoneInfo("Europe/London"))  # GMT = UTC in March
    times = refill_reminder_times(date(2026, 3, 8), (0,), not_before=london_13)
    assert times == [(0, utc(2026, 3, 8, 13))]


@pytest.mark.parametrize(
    "kwargs, text",
    [
        ({"tz": "Mars/Olympus"}, "tz"),
        ({"offsets_days": (7, -1)}, "offsets_days"),
        ({"offsets_days": (7, 1.5)}, "offsets_days"),
        ({"local_time": time(9, tzinfo=timezone.utc)}, "local_time"),
        ({"not_before": datetime(2026, 1, 1)}, "not_before"),
    ],
)
def test_bad_reminder_arguments(kwargs, text):
    """Bad zones, offsets and naive instants are rejected by name."""
    with pytest.raises(ValueError, match=text):
        refill_reminder_times(date(2026, 3, 10), **kwargs)


TODAY = date(2026, 3, 1)


def review(**patient):
    """(kind, on) of the items for one patient."""
    return [(item.kind, item.on) for item in clinic_review_items(TODAY, [patient])]


def day(n):
    """TODAY plus n days."""
    return TODAY + timedelta(days=n)


@pytest.mark.parametrize("due_in, flagged", [(0, True), (21, True), (45, True), (46, False)])
def test_due_soon_without_appointment(due_in, flagged):
    """Due within 45 days (inclusive) with nothing booked."""
    expected = [("no_appointment", day(due_in))] if flagged else []
    assert review(due_on=day(due_in), appointment_on=None) == expected


@pytest.mark.parametrize("days, flagged", [(30, True), (29, False)])
def test_the_clinic_sets_the_no_visit_window(days, flagged):
    """A clinic window of 30 days flags a due date 30 days ahead; a 29-day window does not."""
    items = clinic_review_items(TODAY, [{"due_on": day(30)}], no_visit_days=days)
    assert bool(items) is flagged


def test_booked_on_the_due_date_is_fine():
    """An appointment on the due date needs no action."""
    assert review(due_on=day(10), appointment_on=day(10)) == []
    assert review(due_on=day(10), appointment_on=day(3)) == []


@pytest.mark.parametrize("due_in", [10, 60])
def test_appointment_after_due(due_in):
    """Booked a day late is flagged, however far off the due date is."""
    assert review(due_on=day(due_in), appointment_on=day(due_in + 1)) == [
        ("appointment_after_due", day(due_in))]


def test_overdue_takes_precedence():
    """Due yesterday is overdue, booked or not; due today is not overdue."""
    assert review(due_on=day(-1), appointment_on=day(5)) == [("refill_overdue", day(-1))]
    assert review(due_on=day(-1)) == [("refill_overdue", day(-1))]
    assert review(due_on=day(0), appointment_on=day(0)) == []


def test_past_appointment_is_not_a_booking():
    """A visit that already happened does not cover a refill still ahead."""
    assert review(due_on=day(10), appointment_on=day(-1)) == [("no_appointment", day(10))]


@pytest.mark.parametrize(
    "start, flagged",
    [(date(2026, 9, 1), True), (date(2026, 9, 2), False), (date(2025, 1, 1), True)],
)
def test_battery_replacement_within_six_months(start, flagged):
    """Six calendar months from 1 March is 1 September, inclusive."""
    expected = [("battery_replacement", start)] if flagged else []
    assert review(battery_window_start=start) == expected


def test_review_month_end_clamps():
    """Six months from 31 August is 28 February; from 31 March, 30 September."""
    items = clinic_review_items(date(2026, 8, 31), [{"battery_window_start": date(2027, 2, 28)},
                                                    {"battery_window_start": date(2027, 3, 1)}])
    assert [item.on for item in items] == [date(2027, 2, 28)]
    items = clinic_review_items(date(2026, 3, 31), [{"battery_window_start": date(2026, 9, 30)},
                                                    {"battery_window_start": date(2026, 10, 1)}])
    assert [item.on for item in items] == [date(2026, 9, 30)]


def test_review_items_sorted_with_patient_ids_and_messages():
    """Most urgent first; each item carries the patient id and a message with the date."""
    items = clinic_review_items(TODAY, [
        {"patient_id": 1, "battery_window_start": day(30)},
        {"patient_id": 2, "due_on": day(5)},
        {"patient_id": 3, "due_on": day(-3), "appointment_on": None},
        {"patient_id": 4, "due_on": day(40), "appointment_on": day(41)},
        {"patient_id": 5},
    ])
    assert [(item.patient_id, item.kind) for item in items] == [
        (3, "refill_overdue"), (4, "appointment_after_due"), (2, "no_appointment"),
        (1, "battery_replacement")]
    assert "3 days ago" in items[0].message and day(-3).isoformat() in items[0].message
    assert clinic_review_items(TODAY, []) == []


def test_reminder_key_is_stable_and_distinct():
    """Same inputs give the same key; changing any part changes it."""
    key = reminder_key(42, "refill", date(2026, 3, 10), 7, "email")
    assert key == reminder_key(42, "refill", date(2026, 3, 10), 7, "email")
    assert key == "42:refill:2026-03-10:7:email"
    variants = {reminder_key(43, "refill", date(2026, 3, 10), 7, "email"),
                reminder_key(42, "battery", date(2026, 3, 10), 7, "email"),
                reminder_key(42, "refill", date(2026, 3, 11), 7, "email"),
                reminder_key(42, "refill", date(2026, 3, 10), 2, "email"),
                reminder_key(42, "refill", date(2026, 3, 10), 7, "push")}
    assert len(variants) == 5 and key not in variants


@pytest.mark.parametrize(
    "args, text",
    [
        (("a:b", "refill", date(2026, 3, 10), 7, "email"), "patient_id"),
        ((42, "re fill", date(2026, 3, 10), 7, "email"), "kind"),
        ((42, "refill", date(2026, 3, 10), 7, "e:mail"), "channel"),
        ((42, "refill", date(2026, 3, 10), -1, "email"), "offset"),
        ((42, "refill", datetime(2026, 3, 10), 7, "email"), "target_date"),
    ],
)
def test_reminder_key_rejects_ambiguous_parts(args, text):
    """Separators inside parts would let two different reminders share a key."""
    with pytest.raises(ValueError, match=text):
        reminder_key(*args)
