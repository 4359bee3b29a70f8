"""Pump services: double check, gap flag, dose checks, projection, appointments, procedures, contracts."""
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from companion.audit.models import AuditEvent
from companion.extensions import db
from companion.notify.models import Notification
from companion.pump import queries, services
from companion.pump.models import PumpDoseSettings, RefillRecord
from tests.conftest import FIXED_NOW
from tests.pump.conftest import confirm, morphine, record


def actions(patient_id=None):
    """Audit actions, oldest first."""
    stmt = select(AuditEvent.action).order_by(AuditEvent.id)
    if patient_id:
        stmt = stmt.where(AuditEvent.patient_id == patient_id)
    return list(db.session.scalars(stmt))


def test_confirmed_refill_projects_the_worked_example(pumped):
    refill = record(pumped)
    assert refill.status == "pending_confirmation" and refill.due_on is None
    confirm(pumped, refill)
    assert refill.status == "confirmed" and refill.second_clinician_id == pumped.physician1.id
    assert (refill.alarm_on, refill.empty_on, refill.due_on) == (date(2027, 2, 21), date(2027, 3, 3), date(2027, 1, 22))
    assert refill.limited_by == "drug_stability" and refill.daily_volume_ml == D("0.2")
    assert {"pump_refill_recorded", "pump_refill_confirmed"} <= set(actions(pumped.patient_a.id))


def test_double_check_mismatch_is_refused_and_saves_nothing(pumped):
    refill = record(pumped)
    with pytest.raises(services.PumpError, match="does not match on daily dose") as caught:
        confirm(pumped, refill, entries=[(D(10), D("2.5"))])
    assert "2.5" not in str(caught.value) and "Nothing was saved" in str(caught.value)
    db.session.expire_all()
    row = db.session.get(RefillRecord, refill.id)
    assert row.status == "pending_confirmation" and row.second_clinician_id is None and row.due_on is None
    assert queries.latest_confirmed(pumped.patient_a) is None
    assert "pump_refill_double_check_mismatch" in actions(pumped.patient_a.id)


def test_the_same_clinician_cannot_confirm_their_own_refill(pumped):
    refill = record(pumped)
    with pytest.raises(services.PumpError, match="different nurse or doctor"):
        confirm(pumped, refill, by=pumped.nurse1)
    assert db.session.get(RefillRecord, refill.id).status == "pending_confirmation"
    assert "pump_refill_confirm_refused" in actions(pumped.patient_a.id)


def test_a_confirmed_refill_cannot_be_confirmed_again(pumped):
    refill = confirm(pumped, record(pumped))
    with pytest.raises(services.PumpError, match="already been confirmed"):
        confirm(pumped, refill, by=pumped.nurse1)


@pytest.mark.parametrize("model,expected,withdrawn,flagged", [
    ("synchromed_ii_20", "3", "1.5", True), ("synchromed_ii_20", "3", "2", False),
    ("synchromed_ii_40", "3", "1.5", False), ("synchromed_ii_40", "4", "1.9", True),
    ("synchromed_ii_20", "1", "2.5", True)])
def test_residual_gap_is_flagged_by_pump_size(world, model, expected, withdrawn, flagged):
    services.save_profile(world.nurse1, world.patient_a, model=model, reservoir_ml=None, opioid_tolerant=True)
    refill = record(world, expected=expected, withdrawn=withdrawn)
    assert refill.residual_gap_flagged is flagged
    assert refill.residual_gap_ml == D(withdrawn) - D(expected)


def test_a_refill_needs_a_profile_and_residuals(world):
    with pytest.raises(services.PumpError, match="pump profile"):
        record(world)
    services.save_profile(world.nurse1, world.patient_a, model="prometra_ii_20", reservoir_ml=None, opioid_tolerant=True)
    with pytest.raises(services.PumpError, match="withdrawn residual"):
        record(world, withdrawn=None)
    assert record(world, kind="first_fill", expected=None, withdrawn=None).kind == "first_fill"


def test_overfilling_and_an_alarm_above_the_fill_are_refused(pumped):
    with pytest.raises(services.PumpError, match="Do not overfill") as caught:
        record(pumped, fill="21")
    assert caught.value.field == "fill_volume_ml"
    with pytest.raises(services.PumpError, match="alarm volume must be below") as caught:
        record(pumped, fill="10", alarm="10")
    assert caught.value.field == "alarm_volume_ml"
    assert db.session.scalar(select(RefillRecord.id)) is None


def test_a_mixture_whose_volumes_differ_is_refused(pumped):
    drugs = morphine() + [services.DrugEntry("Bupivacaine", D(5), D(2), "mg")]  # 0.2 vs 0.4 mL/day
    with pytest.raises(services.PumpError) as caught:
        record(pumped, drugs=drugs, kind="first_fill", expected=None, withdrawn=None)
    assert any(f.code == "mixture_volume_mismatch" for f in caught.value.findings)
    good = morphine() + [services.DrugEntry("Bupivacaine", D(5), D(1), "mg")]
    assert len(record(pumped, drugs=good, kind="first_fill", expected=None, withdrawn=None).regimen.drugs) == 2


def _limit(world, percent):
    db.session.add(PumpDoseSettings(clinic_id=world.clinic1.id, change_percent_limit=D(percent)))
    db.session.commit()


def test_a_dose_change_over_the_clinic_limit_needs_a_reason(pumped):
    _limit(pumped, 20)
    confirm(pumped, record(pumped))
    with pytest.raises(services.PumpError) as caught:
        record(pumped, drugs=morphine(dose="3"))
    assert [f.code for f in caught.value.findings] == ["dose_change_over_limit"]
    assert len(queries.refill_history(pumped.patient_a)) == 1
    # A rise over the clinic limit is an override now (a physician confirms it): a reason alone is not enough.
    with pytest.raises(services.PumpError):
        record(pumped, drugs=morphine(dose="3"), change_reason="Pain 7/10 despite the last rise.")
    raised = record(pumped, drugs=morphine(dose="3"), change_reason="Pain 7/10 despite the last rise.",
                    override_reason="tolerance", override_note="Pain 7/10 despite the last rise; agreed with Dr B.")
    assert raised.is_dose_increase and raised.change_reason.startswith("Pain")
    assert raised.override_reason == "tolerance"
    within = record(pumped, drugs=morphine(dose="2.2"))  # 10 % is within the 20 % limit: no reason needed
    assert within.change_reason == ""


def test_without_a_clinic_limit_every_dose_change_needs_a_reason(pumped):
    confirm(pumped, record(pumped))
    with pytest.raises(services.PumpError):
        record(pumped, drugs=morphine(dose="2.1"))


def test_a_concentration_change_needs_the_reprogrammed_confirmation(pumped):
    _limit(pumped, 20)
    confirm(pumped, record(pumped))
    with pytest.raises(services.PumpError) as caught:
        record(pumped, drugs=morphine(conc="20"))
    assert [f.code for f in caught.value.findings] == ["concentration_changed"]
    assert record(pumped, drugs=morphine(conc="20"), reprogrammed_confirmed=True).reprogrammed_confirmed


def test_a_clinic_ceiling_needs_an_override_note(pumped):
    services.save_dose_settings(pumped.physician1, change_percent_limit=D(50),
                                ceilings=[("Morphine", D(1), None, "mg")])
    with pytest.raises(services.PumpError) as caught:
        record(pumped, kind="first_fill", expected=None, withdrawn=None)
    assert [f.code for f in caught.value.findings] == ["daily_dose_above_ceiling"]
    with pytest.raises(services.PumpError):  # one letter (as seen in review) is not an override note
        record(pumped, kind="first_fill", expected=None, withdrawn=None, override_note="x", override_reason="other")
    saved = record(pumped, kind="first_fill", expected=None, withdrawn=None, override_reason="previous_response",
                   override_note="Same dose as at the trial, agreed with Dr X.")
    assert saved.override_note and "daily_dose_above_ceiling" in [f["code"] for f in saved.findings]
    assert "pump_dose_settings_saved" in actions()


def test_rules_context_and_post_refill_time(pumped):
    assert queries.rules_context(pumped.patient_a, FIXED_NOW.date()) == {}
    assert queries.last_refill_or_dose_increase_at(pumped.patient_a) is None
    confirm(pumped, record(pumped, filled_on=date(2026, 11, 3)))
    today = date(2026, 11, 23)
    context = queries.rules_context(pumped.patient_a, today)
    assert context == {"drug": "morphine", "drugs": ["morphine"], "days_since_refill": 20,
                       "days_until_low_reservoir": 70, "dose_increases_last_90_days": 0, "refill_overdue": False}
    assert queries.last_refill_or_dose_increase_at(pumped.patient_a).date() == date(2026, 11, 3)
    _limit(pumped, 50)
    confirm(pumped, record(pumped, drugs=morphine(dose="2.5"), kind="dose_change", fill="15", expected=None,
                           withdrawn=None))
    context = queries.rules_context(pumped.patient_a, today)
    assert context["days_since_dose_increase"] == 0 and context["dose_increases_last_90_days"] == 1
    assert context["days_since_refill"] == 20  # a dose change is not a refill
    assert queries.last_refill_or_dose_increase_at(pumped.patient_a) == FIXED_NOW


def test_an_unlisted_drug_is_left_out_of_the_rules_context(pumped):
    confirm(pumped, record(pumped, drugs=[services.DrugEntry("Ketamine", D("0.5"), D("0.1"), "mg")]))
    context = queries.rules_context(pumped.patient_a, FIXED_NOW.date())
    assert "drug" not in context and "drugs" not in context


def test_rules_context_lists_every_drug_of_a_mixture_and_baclofen(pumped):
    mix = [services.DrugEntry("Bupivacaine", D("5"), D("2"), "mg"), services.DrugEntry("Hydromorphone", D("2"),
                                                                                       D("0.8"), "mg")]
    confirm(pumped, record(pumped, drugs=mix, kind="first_fill", expected=None, withdrawn=None,
                           change_reason="Mixture started.", reprogrammed_confirmed=True, override_note="Agreed."))
    context = queries.rules_context(pumped.patient_a, FIXED_NOW.date())
    assert (context["drug"], context["drugs"]) == ("bupivacaine", ["bupivacaine", "hydromorphone"])
    assert "previous_drugs" not in context


def test_rules_context_knows_the_drug_before_a_switch_and_an_overdue_refill(pumped):
    confirm(pumped, record(pumped, filled_on=date(2026, 11, 3)))  # morphine, due 2027-01-22
    confirm(pumped, record(pumped, drugs=[services.DrugEntry("Ziconotide", D("0.025"), D("0.0024"), "mg")],
                           filled_on=date(2026, 11, 20), change_reason="Switch to ziconotide.",
                           reprogrammed_confirmed=True, override_note="Agreed with Dr X."))
    context = queries.rules_context(pumped.patient_a, date(2026, 11, 23))
    assert (context["drugs"], context["previous_drugs"]) == (["ziconotide"], ["morphine"])
    assert queries.rules_context(pumped.patient_a, date(2026, 12, 25)).get("previous_drugs") is None  # > 30 d
    due = queries.latest_confirmed(pumped.patient_a).due_on
    assert queries.rules_context(pumped.patient_a, due)["refill_overdue"] is False
    assert queries.rules_context(pumped.patient_a, due + timedelta(days=1))["refill_overdue"] is True


def test_pump_card(pumped, world):
    assert queries.pump_card(world.patient_b) is None
    confirm(pumped, record(pumped, drugs=morphine(conc="10", dose="0.5")))
    card = queries.pump_card(pumped.patient_a)
    assert card["model"] == "SynchroMed II 20 mL" and card["clinic_phone"] == world.clinic1.phone
    assert card["drugs"] == [{"name": "Morphine", "concentration": "10", "unit": "mg", "concentration_unit": "mg/mL",
                              "daily_dose": "0.5", "daily_dose_unit": "mg/day", "compounded": False}]
    assert card["out_of_hours_phone"] and "MRI" in card["mri_note"]


def test_booking_after_the_due_date_tells_the_patient_to_call(pumped):
    confirm(pumped, record(pumped))  # due 2027-01-22
    at = datetime(2027, 1, 20, 15, tzinfo=timezone.utc)
    appointment = services.book_appointment(pumped.nurse1, pumped.patient_a, at)
    assert db.session.scalar(select(Notification.id).where(Notification.kind == "refill_appointment_late")) is None
    services.book_appointment(pumped.nurse1, pumped.patient_a, at + timedelta(days=5))
    assert queries.next_appointment(pumped.patient_a, FIXED_NOW).id == appointment.id  # moved, not doubled
    late = list(db.session.scalars(select(Notification).where(Notification.kind == "refill_appointment_late")))
    assert {n.user_id for n in late} == {pumped.patient_a_user.id}
    assert ["pump_appointment_booked", "pump_appointment_moved"] == [
        a for a in actions(pumped.patient_a.id) if a.startswith("pump_appointment")]


def test_a_confirmed_refill_marks_the_visit_attended(pumped):
    services.book_appointment(pumped.nurse1, pumped.patient_a, FIXED_NOW + timedelta(hours=1))
    confirm(pumped, record(pumped))
    assert queries.next_appointment(pumped.patient_a, FIXED_NOW) is None


def test_a_procedure_notice_opens_a_clinic_task_and_a_check_in_a_day_later(pumped):
    notice = services.report_procedure(pumped.patient_a_user, pumped.patient_a, kind="procedure",
                                       planned_on=date(2026, 11, 25), planned_time=time(9, 0), details="",
                                       reported_by="patient")
    assert notice.followup_at == datetime(2026, 11, 26, 14, tzinfo=timezone.utc)  # 09:00 EST + 24 h
    tasks = db.session.scalars(select(Notification.user_id).where(Notification.kind == "pump_procedure_task"))
    assert set(tasks) == {pumped.nurse1.id, pumped.physician1.id}
    assert queries.procedure_followups(pumped.patient_a, FIXED_NOW) == []
    assert queries.procedure_followups(pumped.patient_a, notice.followup_at + timedelta(hours=1)) == [notice]
    assert queries.open_procedure_tasks(pumped.clinic1.id) == [notice]
    services.complete_procedure_task(pumped.nurse1, notice)
    assert queries.open_procedure_tasks(pumped.clinic1.id) == []
    assert "days_since_mri" not in queries.rules_context(pumped.patient_a, date(2026, 11, 27))


def test_an_mri_in_the_past_is_refused(pumped):
    with pytest.raises(services.PumpError) as caught:
        services.report_procedure(pumped.patient_a_user, pumped.patient_a, kind="mri", planned_on=date(2026, 11, 1),
                                  planned_time=None, details="", reported_by="patient")
    assert caught.value.field == "planned_on"


def test_an_mri_years_ahead_is_refused_not_overflowed(pumped):
    with pytest.raises(services.PumpError) as caught:  # 9999-12-31 + the 24 h check-in would overflow datetime
        services.report_procedure(pumped.patient_a_user, pumped.patient_a, kind="mri", planned_on=date(9999, 12, 31),
                                  planned_time=None, details="", reported_by="patient")
    assert caught.value.field == "planned_on" and "two years" in str(caught.value)


def test_sedating_medicines_are_recorded_with_their_class(pumped):
    services.add_medicine(pumped.caregiver, pumped.patient_a, name="Lorazepam", medicine_class="benzodiazepine",
                          reported_by="caregiver")
    [medicine] = queries.medicines(pumped.patient_a)
    assert (medicine.medicine_class, medicine.reported_by) == ("benzodiazepine", "caregiver")
    services.stop_medicine(pumped.nurse1, medicine)
    assert queries.medicines(pumped.patient_a) == []
