"""The roster's stored-fact buckets agree with the care-team rules they replace, across zones and DST days."""
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from companion.careteam import rules as careteam
from companion.roster import rules

ZONES = st.sampled_from(["UTC", "America/New_York", "Europe/Madrid", "Australia/Lord_Howe", "Pacific/Kiritimati"])
INSTANTS = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(timezone.utc))


@given(now=INSTANTS, back=st.one_of(st.none(), st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=9))),
       zone=ZONES, expects=st.booleans(), emergency=st.integers(0, 2), urgent=st.integers(0, 2),
       due_shift=st.one_of(st.none(), st.integers(-5, 5)))
def test_bucket_equals_the_attention_rank_from_clinic_dates(now, back, zone, expects, emergency, urgent, due_shift):
    cut = rules.cutoffs(now, zone)
    today = now.astimezone(ZoneInfo(zone)).date()
    last = None if back is None else now - back
    due = None if due_shift is None else today + timedelta(days=due_shift)
    days = careteam.days_without_checkin(last.astimezone(ZoneInfo(zone)).date() if last else None, today, expects)
    expected = careteam.attention_rank(emergency_cases=emergency, urgent_cases=urgent,
                                       overdue=careteam.refill_overdue(due, today), quiet_days=days)
    assert rules.bucket(emergency_open=emergency, urgent_open=urgent, refill_due_on=due, last_checkin_at=last,
                        expects_checkins=expects, cut=cut) == expected


def test_the_quiet_cutoff_is_the_start_of_a_clinic_day_across_a_dst_change():
    now = datetime(2026, 11, 3, 12, 0, tzinfo=timezone.utc)  # New York left summer time at 02:00 on 1 November
    cut = rules.cutoffs(now, "America/New_York")
    assert cut.today == date(2026, 11, 3)  # a check-in on 31 October (3 clinic days ago) or earlier is quiet
    assert cut.quiet_before == datetime(2026, 11, 1, 4, 0, tzinfo=timezone.utc)  # midnight, still summer time
