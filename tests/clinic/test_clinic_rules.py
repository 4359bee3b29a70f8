"""The pure checks behind the clinic settings forms."""
from datetime import date, datetime, timezone

import pytest

from companion.audit import rules as audit_rules
from companion.clinic import rules


def test_timezone_is_checked_against_the_iana_database():
    assert rules.timezone_error("Europe/Berlin") is None
    assert rules.timezone_error("Mars/Olympus") == "unknown_timezone"
    assert rules.timezone_error("") == "required"


@pytest.mark.parametrize("number,code", [("+1 555 010 2000", None), ("(555) 010-2000", None), ("12", "bad_phone"),
                                         ("call me", "bad_phone"), ("", "required")])
def test_phone_numbers(number, code):
    assert rules.phone_error(number) == code


@pytest.mark.parametrize("number,code", [("911", None), ("112", None), ("000", None), ("9-1-1", "bad_emergency"),
                                         ("", "required")])
def test_emergency_numbers(number, code):
    assert rules.emergency_error(number) == code


def test_working_hours_need_a_start_before_the_end_and_a_day():
    assert rules.hours_errors(8, 17, [0]) == {}
    assert rules.hours_errors(17, 8, [0]) == {"hours_end": "end_before_start"}
    assert rules.hours_errors(8, 8, [0]) == {"hours_end": "end_before_start"}
    assert rules.hours_errors(8, 17, []) == {"working_days": "no_days"}
    assert rules.format_days([4, 0, 2, 2]) == "0,2,4" and rules.parse_days("0,2,x,9,4") == [0, 2, 4]


def test_deadlines_are_capped_and_emergency_is_never_later_than_urgent():
    assert rules.deadline_errors(15, 60) == {}
    assert rules.deadline_errors(31, 60) == {"emergency_ack_minutes": "ack_range_emergency"}
    assert rules.deadline_errors(0, 60) == {"emergency_ack_minutes": "ack_range_emergency"}
    assert rules.deadline_errors(20, 10) == {"emergency_ack_minutes": "emergency_after_urgent"}


@pytest.mark.parametrize("name,raw,default,direction,unit,expected", [
    ("breaths_per_min_min", "11", 10, "higher", "breaths/min", (11.0, None)),
    ("breaths_per_min_min", "10", 10, "higher", "breaths/min", (10.0, None)),  # back to the default is allowed
    ("breaths_per_min_min", "9", 10, "higher", "breaths/min", (None, "looser")),
    ("breaths_per_min_min", "30", 10, "higher", "breaths/min", (None, "guard_max")),
    ("fever_c", "37,8", 38.0, "lower", "°C", (37.8, None)),
    ("fever_c", "38.1", 38.0, "lower", "°C", (None, "looser")),
    ("fever_c", "36", 38.0, "lower", "°C", (None, "guard_min")),
    ("constipation_days", "2.5", 3, "lower", "days", (None, "whole_number")),
    ("withdrawal_signs_min", "0", 2, "lower", "signs", (None, "guard_min")),
    ("fever_c", "nan", 38.0, "lower", "°C", (None, "not_a_number")),
    ("fever_c", "", 38.0, "lower", "°C", (None, "not_a_number")),
])
def test_threshold_check_refuses_loosening_and_typos(name, raw, default, direction, unit, expected):
    assert rules.threshold_check(name, raw, default, direction, unit) == expected


def test_invite_fingerprint_changes_with_the_password_hash():
    assert rules.invite_fingerprint("a") != rules.invite_fingerprint("b")
    assert rules.invite_fingerprint("a") == rules.invite_fingerprint("a")


def test_audit_days_are_clinic_local_and_become_a_utc_range():
    start, end, errors = audit_rules.day_range("", "", "America/New_York", date(2026, 11, 23))
    assert (start, end, errors) == (date(2026, 11, 17), date(2026, 11, 23), {})
    since, until = audit_rules.utc_bounds(date(2026, 11, 23), date(2026, 11, 23), "America/New_York")
    assert since == datetime(2026, 11, 23, 5, tzinfo=timezone.utc) and until == datetime(2026, 11, 24, 5, tzinfo=timezone.utc)
    assert audit_rules.day_range("2026-11-20", "2026-11-19", "UTC", date(2026, 11, 23))[2] == {"to": "to_before_from"}
    assert audit_rules.day_range("20/11/2026", "", "UTC", date(2026, 11, 23))[2] == {"from": "bad_date"}
