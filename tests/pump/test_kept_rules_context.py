"""The rules context the phone keeps for the offline rules (issue 12): dates the phone counts from, the drugs and
pump state the rules read, nothing else; on the patient's pages only, refreshed on each load."""
import json
from datetime import date, timedelta

from companion.diary import queries
from tests.conftest import FIXED_NOW, login
from tests.pump.conftest import confirm, record

FILLED = date(2026, 11, 3)


def _days(kept: dict, key: str, today: date) -> int:
    """What the phone computes: clinic-local days from a kept date to today."""
    return (today - date.fromisoformat(kept[key])).days


def test_kept_dates_give_the_same_day_counts_as_the_server_context_on_later_days(pumped):
    confirm(pumped, record(pumped, filled_on=FILLED))
    patient = pumped.patient_a
    patient.implanted_on = date(2026, 9, 1)
    kept = queries.kept_rules_context(patient, FIXED_NOW)
    assert set(kept) <= {"timezone", "refill_on", "dose_increase_on", "implanted_on", "mri_on", "low_reservoir_on",
                         "refill_due_on", "drugs", "previous_drugs", "pain_baseline", "dose_increases_last_90_days"}
    assert kept["refill_on"] == FILLED.isoformat() and kept["drugs"] == ["morphine"]
    assert patient.given_name not in json.dumps(kept) and patient.record_number not in json.dumps(kept)
    for later in (0, 1, 3, 4, 80, 120):  # offline for days: the phone's counts still match the server's
        now = FIXED_NOW + timedelta(days=later)
        today = queries.local_date(patient, now)
        context = queries.context_for(patient, now)
        assert _days(kept, "refill_on", today) == context["days_since_refill"]
        assert _days(kept, "implanted_on", today) == context["days_since_implant"]
        assert -_days(kept, "low_reservoir_on", today) == context["days_until_low_reservoir"]
        assert (_days(kept, "refill_due_on", today) > 0) is context["refill_overdue"]


def test_patient_pages_carry_it_and_staff_pages_do_not(client, pumped):
    confirm(pumped, record(pumped, filled_on=FILLED))
    login(client, pumped.patient_a_user)
    for path in ("/", "/checkin"):
        html = client.get(path).get_data(as_text=True)
        kept = json.loads(html.split('id="rules-context">')[1].split("</script>")[0])
        assert kept["refill_on"] == FILLED.isoformat(), path
    shell = client.get("/checkin/offline-form").get_data(as_text=True)
    assert 'id="rules-context"' not in shell  # the kept form has no patient data
    nurse = client.application.test_client()
    login(nurse, pumped.nurse1)
    assert 'id="rules-context"' not in nurse.get("/care", follow_redirects=True).get_data(as_text=True)
