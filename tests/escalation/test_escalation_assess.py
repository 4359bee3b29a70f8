"""assess(): tiers to cases, review items and outbox rows in the caller's transaction; routing; atomicity."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from companion.audit.models import AuditEvent
from companion.escalation import services
from companion.escalation.models import Case, CaseEvent, CaseRecipient, ClinicThreshold, ReviewItem
from companion.extensions import db
from companion.notify.models import Notification
from tests.factories import DIFFERENT_URGENT_REPORTS

URGENT = {"pump_alarm": "two_tone"}
EMERGENCY = {"breaths_per_min": 8}
ROUTINE = {"constipation_days": 4}
CALM = {"pain_now": 3, "pump_alarm": "none"}


def count(model) -> int:
    """Rows of a model."""
    return db.session.scalar(select(func.count()).select_from(model))


def run(world, observations, source_id=1, context=None, **kw):
    """Assess patient A's report and commit like a diary view would."""
    result = services.assess(world.patient_a, observations=observations, context=context or {},
                             source_type="diary_entry", source_id=source_id,
                             reported_by_user=world.patient_a_user, **kw)
    db.session.commit()
    return result


def test_urgent_opens_case_routed_to_nurses_in_hours(world):
    # FIXED_NOW is Monday 2026-11-23 15:00 UTC = 10:00 in New York: working hours.
    result = run(world, URGENT)
    assert result.tier == "urgent" and result.case_id and result.review_item_id is None
    case = db.session.get(Case, result.case_id)
    assert case.status == "open" and case.in_hours and case.tier == "urgent"
    assert [r.user_id for r in case.recipients] == [world.nurse1.id]  # not clinic 2's nurse
    assert (case.ack_due_at - case.opened_at).total_seconds() == 3600
    rows = db.session.scalars(select(Notification).where(Notification.id.in_(result.notification_ids))).all()
    assert sorted(r.channel for r in rows) == ["email", "in_app", "push"]
    assert {r.user_id for r in rows} == {world.nurse1.id}
    assert [e.kind for e in case.events] == ["opened", "notified"]
    assert result.patient_texts and all("Call your clinic now" in t for t in result.patient_texts)
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case_opened"))
    assert audit.patient_id == world.patient_a.id and audit.object_id == str(case.id)


def test_emergency_deadline_is_fifteen_minutes(world):
    result = run(world, EMERGENCY)
    case = db.session.get(Case, result.case_id)
    assert result.tier == "emergency" and (case.ack_due_at - case.opened_at).total_seconds() == 900


def test_out_of_hours_goes_to_on_call_or_physicians(world):
    night = datetime(2026, 11, 24, 4, 0, tzinfo=timezone.utc)  # 23:00 in New York
    result = run(world, URGENT, now=night)
    case = db.session.get(Case, result.case_id)
    assert not case.in_hours
    # No on-call clinician set: the ladder moves on to the physicians.
    assert [r.user_id for r in case.recipients] == [world.physician1.id]
    services.save_settings(world.clinic1.id, world.admin1, on_call_user_id=world.nurse1.id)
    second = run(world, DIFFERENT_URGENT_REPORTS[1], source_id=2, now=night)  # a new sign: a case of its own
    assert [r.user_id for r in db.session.get(Case, second.case_id).recipients] == [world.nurse1.id]


def test_routine_is_a_review_item_without_notifications(world):
    result = run(world, ROUTINE)
    assert result.tier == "routine" and result.review_item_id and result.case_id is None
    assert result.notification_ids == () and count(Notification) == 0
    assert db.session.get(ReviewItem, result.review_item_id).patient_id == world.patient_a.id


def test_none_writes_nothing(world):
    result = run(world, CALM)
    assert result == services.Assessment("none", (), None, None, ())
    assert count(Case) == count(ReviewItem) == count(Notification) == 0


def test_same_source_twice_opens_one_case(world):
    first, second = run(world, URGENT), run(world, URGENT)
    assert first.case_id == second.case_id and count(Case) == 1
    assert sorted(first.notification_ids) == sorted(second.notification_ids)


def test_failure_mid_transaction_leaves_no_case_and_no_notification(world):
    with pytest.raises(RuntimeError):
        services.assess(world.patient_a, observations=URGENT, context={}, source_type="diary_entry",
                        source_id=7, reported_by_user=world.patient_a_user)
        raise RuntimeError("the diary's own write failed after assess()")
    db.session.rollback()
    assert count(Case) == count(CaseEvent) == count(CaseRecipient) == count(Notification) == 0
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "case_opened")) == 0


def test_clinic_threshold_tightens_and_is_audited(world):
    assert run(world, {"breaths_per_min": 11}).tier == "none"
    services.set_threshold(world.clinic1.id, "breaths_per_min_min", 12, world.admin1)
    assert run(world, {"breaths_per_min": 11}, source_id=2).tier == "emergency"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "clinic_threshold_changed"))
    assert event.detail["before"] == 10 and event.detail["after"] == 12
    with pytest.raises(ValueError):
        services.set_threshold(world.clinic1.id, "breaths_per_min_min", 8, world.admin1)
    assert db.session.scalar(select(ClinicThreshold.value)) == 12
    # Another clinic keeps the defaults.
    other = services.assess(world.patient_c2, observations={"breaths_per_min": 11}, context={},
                            source_type="diary_entry", source_id=3, reported_by_user=None)
    assert other.tier == "none"
