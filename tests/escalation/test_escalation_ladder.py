"""Acknowledgement deadlines, re-notification and the ladder nurse -> on-call -> physician, on a frozen clock."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from companion import clock
from companion.audit.models import AuditEvent
from companion.escalation import services
from companion.escalation.models import Case
from companion.extensions import db
from companion.notify import dispatcher
from companion.notify.models import Notification
from tests.conftest import FIXED_NOW


@pytest.fixture
def ladder(world, factory):
    """Clinic 1 with an on-call nurse (distinct from the day nurse) and an emergency case opened in hours."""
    on_call = factory.user("nurse", world.clinic1, display_name="Night Nurse")
    services.save_settings(world.clinic1.id, world.admin1, on_call_user_id=on_call.id)
    result = services.assess(world.patient_a, observations={"breaths_per_min": 8}, context={},
                             source_type="diary_entry", source_id=1, reported_by_user=world.patient_a_user)
    db.session.commit()
    return world, on_call, db.session.get(Case, result.case_id)


def notified(user_id) -> set[str]:
    """The in-app dedupe keys a person has been sent."""
    return set(db.session.scalars(select(Notification.dedupe_key).where(
        Notification.user_id == user_id, Notification.channel == "in_app")))


def at(minutes):
    clock.freeze(FIXED_NOW + timedelta(minutes=minutes))


def test_unacknowledged_case_climbs_the_ladder(ladder):
    world, on_call, case = ladder
    # Both nurses of the clinic get round 1 in hours (the on-call nurse is a nurse too).
    assert {r.user_id for r in case.recipients} == {world.nurse1.id, on_call.id}
    at(14)
    assert services.sweep() == 0  # before the 15-minute deadline nothing happens
    at(15)
    services.sweep()
    db.session.refresh(case)
    # The on-call rung adds nobody new here, so the ladder moves on to the physician.
    assert case.notify_round == 2 and case.ladder_level == 2
    assert any(k.endswith(f"round:2:user:{world.nurse1.id}") for k in notified(world.nurse1.id))
    assert any("round:2" in k for k in notified(world.physician1.id))
    assert case.ack_due_at == FIXED_NOW + timedelta(minutes=15)  # the deadline never moves
    assert case.next_round_at == FIXED_NOW + timedelta(minutes=30)
    at(31)
    services.sweep()
    db.session.refresh(case)
    # Round 3 adds the clinic admin (the top rung) and keeps everyone paged before.
    assert case.notify_round == 3 and [e.kind for e in case.events].count("escalated") == 2
    assert world.admin1.id in {r.user_id for r in case.recipients}
    assert len(notified(world.physician1.id)) == 2  # re-notified each round, never twice in one round
    at(46)
    services.sweep()
    db.session.refresh(case)
    assert case.notify_round == 4 and [e.kind for e in case.events].count("renotified") == 1  # nobody left to add
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "case_escalated")) == 3


def test_out_of_hours_ladder_starts_on_call_then_physician(world, factory):
    on_call = factory.user("nurse", world.clinic1)
    services.save_settings(world.clinic1.id, world.admin1, on_call_user_id=on_call.id)
    night = FIXED_NOW.replace(hour=4)  # 23:00 the evening before in New York
    clock.freeze(night)
    result = services.assess(world.patient_a, observations={"pump_alarm": "two_tone"}, context={},
                             source_type="diary_entry", source_id=1, reported_by_user=world.patient_a_user)
    db.session.commit()
    case = db.session.get(Case, result.case_id)
    assert [r.user_id for r in case.recipients] == [on_call.id] and case.ladder_level == 0
    clock.freeze(night + timedelta(minutes=60))
    services.sweep()
    db.session.refresh(case)
    assert {r.user_id for r in case.recipients} == {on_call.id, world.physician1.id}
    assert world.nurse1.id not in {r.user_id for r in case.recipients}  # the day nurses are not woken


def test_acknowledgement_stops_renotification_and_is_per_person(ladder):
    world, on_call, case = ladder
    at(5)
    services.acknowledge(case, world.nurse1)
    assert case.status == "acknowledged" and case.acknowledged_by_id == world.nurse1.id
    before = db.session.scalar(select(func.count()).select_from(Notification))
    at(60)
    services.sweep()
    assert db.session.scalar(select(func.count()).select_from(Notification)) == before
    # A second person acknowledging is recorded as well; the first acknowledger stays the case's.
    services.acknowledge(case, on_call)
    services.acknowledge(case, on_call)
    kinds = [(e.kind, e.user_id) for e in case.events if e.kind == "acknowledged"]
    assert kinds == [("acknowledged", world.nurse1.id), ("acknowledged", on_call.id)]
    assert case.acknowledged_by_id == world.nurse1.id
    assert {r.user_id: r.acknowledged_at is not None for r in case.recipients} == {world.nurse1.id: True, on_call.id: True}
    # The patient hears that the case was seen (no details).
    patient_rows = db.session.scalars(select(Notification).where(Notification.user_id == world.patient_a_user.id)).all()
    assert {n.kind for n in patient_rows} == {"case_seen"} and {n.channel for n in patient_rows} == {"in_app", "push"}


def test_resolve_records_who_when_and_note_and_cannot_repeat(ladder):
    world, _on_call, case = ladder
    at(3)
    services.resolve(case, world.nurse1, "advice_by_phone", "  Called you. Pump is fine.  ")
    assert (case.status, case.resolution, case.resolution_note) == ("resolved", "advice_by_phone", "Called you. Pump is fine.")
    assert [e.kind for e in case.events][-2:] == ["acknowledged", "resolved"]
    with pytest.raises(services.CaseError):
        services.resolve(case, world.nurse1, "pump_checked", "again")
    with pytest.raises(services.CaseError):
        services.resolve(db.session.get(Case, case.id), world.nurse1, "made_up", "")
    with pytest.raises(services.CaseError):
        services.acknowledge(case, world.physician1)
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"case_opened", "case_acknowledged", "case_resolved"} <= actions
