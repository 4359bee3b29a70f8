"""Refill safety through the services: overrides need a physician to confirm, the blind check covers every value
that sets the dose or the date, stability defaults, first fills against the profile's opioid tolerance."""
from decimal import Decimal as D

import pytest

from companion.audit.models import AuditEvent
from companion.extensions import db
from companion.pump import queries, services
from tests.pump.conftest import confirm, morphine, record

OVERRIDE = {"override_reason": "previous_response", "override_note": "Same dose as at the trial, agreed with Dr X."}


def _ceiling(world, dose="1"):
    services.save_dose_settings(world.physician1, change_percent_limit=D(20), ceilings=[("Morphine", D(dose), None, "mg")])


def test_an_override_can_be_confirmed_only_by_a_physician(pumped, factory):
    """Nurse 1 overrides a 1 mg ceiling at 2 mg/day; a second nurse of the clinic is refused and nothing changes;
    the physician confirms."""
    _ceiling(pumped)
    refill = record(pumped, **OVERRIDE)
    second_nurse = factory.user("nurse", pumped.clinic1)
    with pytest.raises(services.PumpError, match="Only a physician"):
        confirm(pumped, refill, by=second_nurse)
    assert refill.status == queries.PENDING and refill.second_clinician_id is None
    refused = db.session.query(AuditEvent).filter_by(action="pump_refill_confirm_refused").all()
    assert refused and refused[-1].detail.get("reason") == "override_needs_physician"
    assert confirm(pumped, refill).status == queries.CONFIRMED
    confirmed = db.session.query(AuditEvent).filter_by(action="pump_refill_confirmed").one()
    assert confirmed.detail["overrides_confirmed"] == ["daily_dose_above_ceiling"]


def test_a_refill_without_an_override_may_be_confirmed_by_a_nurse(pumped, factory):
    refill = record(pumped)
    assert confirm(pumped, refill, by=factory.user("nurse", pumped.clinic1)).status == queries.CONFIRMED


@pytest.mark.parametrize("field, typed, label", [
    ("fill_volume_ml", "19", "fill volume"), ("alarm_volume_ml", "3", "alarm volume"),
    ("bolus_dose", "0.1", "bolus dose"), ("boluses_per_day", "2", "boluses a day")])
def test_blind_check_mismatch_names_the_field_and_saves_nothing(pumped, field, typed, label):
    refill = record(pumped)
    with pytest.raises(services.PumpError) as caught:
        confirm(pumped, refill, **{field: D(typed)})
    assert label in str(caught.value) and "Nothing was saved" in str(caught.value)
    assert typed not in str(caught.value).replace(label, "")  # the first values are never echoed either
    assert refill.status == queries.PENDING and refill.due_on is None


def test_blind_check_needs_every_value(pumped):
    refill = record(pumped)
    with pytest.raises(services.PumpError, match="fill volume"):
        confirm(pumped, refill, fill_volume_ml=None)


def test_missing_stability_uses_the_drug_default_and_says_so(pumped):
    """Morphine with no stability: 90 days [S34]; 2 mg/day at 10 mg/mL, 20 mL fill, 2 mL alarm -> 90 days to alarm."""
    refill = confirm(pumped, record(pumped, stability=None))
    assert refill.stability_days == 90
    assert any(f["code"] == "stability_default" and "90 days" in f["message"] for f in refill.findings)


def test_ziconotide_first_fill_stability_is_14_days(pumped):
    """A first fill of ziconotide gets 14 days by default [T28]; 2.4 mcg/day is within the start."""
    drugs = [services.DrugEntry("Prialt", D("25"), D("2.4"), "mcg")]
    refill = record(pumped, kind="first_fill", expected=None, withdrawn=None, drugs=drugs, stability=None)
    assert refill.stability_days == 14


def test_opioid_naive_profile_flags_a_2_mg_first_fill(pumped):
    """The profile says opioid-naive: 2 mg/day morphine is above the 0.2-1 mg/day start [T21]."""
    pump = queries.profile(pumped.patient_a)
    services.save_profile(pumped.nurse1, pumped.patient_a, model=pump.model, reservoir_ml=None, opioid_tolerant=False)
    with pytest.raises(services.PumpError) as caught:
        record(pumped, kind="first_fill", expected=None, withdrawn=None)
    assert [f.code for f in caught.value.findings] == ["first_fill_above_start"]
    saved = record(pumped, kind="first_fill", expected=None, withdrawn=None, drugs=morphine(dose="1"))
    assert saved.findings == [] or all(f["severity"] == "info" for f in saved.findings)


def test_override_is_kept_only_when_one_was_needed(pumped):
    """An override note typed for nothing is not stored as an override."""
    refill = record(pumped, **OVERRIDE)
    assert refill.override_note == "" and refill.override_reason == ""


def test_loosening_a_default_needs_a_physician_and_is_audited(pumped):
    """30 mg/day morphine is above the label's 20 mg/day caution [T21]: an admin may not set it, a physician may."""
    with pytest.raises(services.PumpError, match="Only a physician"):
        services.save_dose_settings(pumped.admin1, change_percent_limit=D(20), ceilings=[("Morphine", D(30), None, "mg")])
    services.save_dose_settings(pumped.admin1, change_percent_limit=D(20), ceilings=[("Morphine", D(5), None, "mg")])
    assert not db.session.query(AuditEvent).filter_by(action="pump_dose_default_loosened").count()
    services.save_dose_settings(pumped.physician1, change_percent_limit=D(20), ceilings=[("Morphine", D(30), None, "mg")])
    [event] = db.session.query(AuditEvent).filter_by(action="pump_dose_default_loosened").all()
    assert event.detail["drug"] == "morphine" and event.detail["ceiling"][0] == "30"


def test_settings_page_refuses_an_admin_loosening_beside_the_ceilings(client, pumped):
    from tests.conftest import HX, login

    login(client, pumped.admin1)
    response = client.post("/care/pump-settings", headers=HX, data={
        "change_percent_limit": "20", "ceilings-0-drug": "Ziconotide", "ceilings-0-max_daily_dose": "24",
        "ceilings-0-unit": "mcg"})
    assert response.status_code == 422 and "Only a physician" in response.get_data(as_text=True)
    assert 'value="24"' in response.get_data(as_text=True)


def test_a_waiting_refill_notifies_the_clinicians_who_may_confirm_it(pumped, factory):
    """In-app and email to the other clinicians (not the recorder, not another clinic); with an override, only
    physicians. The email carries no health details (channels.STAFF_BODY is the only text)."""
    from companion.notify.models import Notification

    second_nurse = factory.user("nurse", pumped.clinic1)
    plain = record(pumped)
    to = {(n.user_id, n.channel) for n in db.session.query(Notification).filter_by(kind="pump_refill_check")}
    assert to == {(u.id, c) for u in (second_nurse, pumped.physician1) for c in ("in_app", "email")}
    confirm(pumped, plain)  # the check is done: its notices are withdrawn, none is sent later
    rows = db.session.query(Notification).filter_by(kind="pump_refill_check").all()
    assert all(n.outcome == "withdrawn" and n.sent_at for n in rows)
    assert all(n.read_at for n in rows if n.channel == "in_app")
    db.session.query(Notification).filter_by(kind="pump_refill_check").delete()
    _ceiling(pumped)
    record(pumped, **OVERRIDE)
    to = {n.user_id for n in db.session.query(Notification).filter_by(kind="pump_refill_check")}
    assert to == {pumped.physician1.id}


def test_the_triage_queue_lists_refills_waiting_for_their_check(client, pumped):
    from tests.conftest import login

    login(client, pumped.physician1)
    assert "Refills waiting for a second check" not in client.get("/care/queue").get_data(as_text=True)
    _ceiling(pumped)
    refill = record(pumped, **OVERRIDE)
    page = client.get("/care/queue").get_data(as_text=True)
    assert "Refills waiting for a second check" in page and f"#pending-card-{refill.id}" in page
    assert "Physician must confirm" in page and pumped.patient_a.family_name in page
    login(client, pumped.nurse2)  # another clinic sees nothing of it
    assert "Refills waiting for a second check" not in client.get("/care/queue").get_data(as_text=True)


def test_timeline_and_visit_summary_keep_the_override(pumped):
    """Pending: the timeline names the checks but not the values; confirmed: values, findings and the override,
    also in the visit-summary PDF."""
    import io
    from datetime import timedelta

    from pypdf import PdfReader

    from companion.careteam.exports import pdf
    from companion.careteam.exports.queries import gather
    from companion.careteam.queries.record import timeline_for
    from tests.conftest import FIXED_NOW

    _ceiling(pumped)
    refill = record(pumped, **OVERRIDE)
    [event] = [e for e in timeline_for(pumped.patient_a, FIXED_NOW - timedelta(days=5)) if e.kind == "refill"]
    assert "values hidden until the second check" in event.detail and "10 mg/mL" not in event.detail
    assert "Daily dose above the clinic ceiling" in event.detail and "agreed with Dr X" in event.detail
    confirm(pumped, refill)
    [event] = [e for e in timeline_for(pumped.patient_a, FIXED_NOW - timedelta(days=5)) if e.kind == "refill"]
    assert "Morphine 10 mg/mL" in event.detail and "above the clinic ceiling of 1 mg" in event.detail
    body = pdf.visit_summary(gather(pumped.patient_a, FIXED_NOW, 30))
    text = " ".join(" ".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(body)).pages).split())
    assert "Override (Dose already reached safely before" in text and "agreed with Dr X" in text
    assert "Daily dose above the clinic ceiling" in text
