"""The same danger reported again while its case waits joins that case: one case to acknowledge, one paging ladder.

A new sign, a higher tier, or a report after someone acknowledged still opens a case of its own (found by the
bench: 24 patients with an empty pump who checked in again and again made 1,866 open cases, each paging)."""
from datetime import timedelta

from sqlalchemy import func, select

from companion.audit.models import AuditEvent
from companion.escalation import services
from companion.escalation.models import Case, CaseEvent
from companion.extensions import db
from companion.notify.models import Notification
from tests.conftest import FIXED_NOW, login
from tests.factories import DIFFERENT_URGENT_REPORTS

URGENT = DIFFERENT_URGENT_REPORTS[0]
EMERGENCY = {"breaths_per_min": 8}


def report(world, observations, source_id, patient=None, now=None):
    """Assess one report (a diary entry) and commit, as the diary does."""
    patient = patient or world.patient_a
    result = services.assess(patient, observations=observations, context={}, source_type="diary_entry",
                             source_id=source_id, reported_by_user=world.patient_a_user, now=now)
    db.session.commit()
    return result


def cases(patient) -> list[Case]:
    """The patient's cases, oldest first."""
    return list(db.session.scalars(select(Case).where(Case.patient_id == patient.id).order_by(Case.id)))


def test_the_same_signs_reported_again_join_the_waiting_case(world):
    first = report(world, URGENT, 1)
    paged = db.session.scalar(select(func.count(Notification.id)))
    again = report(world, URGENT, 2, now=FIXED_NOW + timedelta(minutes=20))
    assert again.tier == "urgent" and again.case_id == first.case_id and again.notification_ids == ()
    assert again.patient_texts == first.patient_texts  # the patient is told the same, at once
    assert len(cases(world.patient_a)) == 1
    assert db.session.scalar(select(func.count(Notification.id))) == paged  # no second page for the same signs
    event = db.session.scalar(select(CaseEvent).where(CaseEvent.kind == "reported_again"))
    assert event.case_id == first.case_id and event.detail["source_id"] == 2
    assert event.detail["codes"] == ["pump_alarm_critical"]
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case_report_joined"))
    assert audit.object_id == str(first.case_id) and audit.patient_id == world.patient_a.id


def test_the_joined_case_keeps_its_first_deadline_and_still_re_pages(world):
    first = report(world, URGENT, 1)
    case = db.session.get(Case, first.case_id)
    due = case.ack_due_at
    report(world, URGENT, 2, now=FIXED_NOW + timedelta(minutes=20))
    assert db.session.get(Case, first.case_id).ack_due_at == due
    assert services.escalate_overdue(now=due + timedelta(minutes=1))  # the round's new notifications
    assert db.session.get(Case, first.case_id).notify_round == 2


def test_a_new_sign_opens_a_case_of_its_own(world):
    first = report(world, URGENT, 1)
    other = report(world, DIFFERENT_URGENT_REPORTS[1], 2)
    assert other.case_id != first.case_id and other.notification_ids
    assert len(cases(world.patient_a)) == 2


def test_the_same_sign_with_a_new_one_opens_a_case(world):
    first = report(world, URGENT, 1)
    both = report(world, {**URGENT, **DIFFERENT_URGENT_REPORTS[1]}, 2)
    assert both.case_id != first.case_id and both.notification_ids


def test_a_higher_tier_opens_an_emergency_case_and_pages(world):
    report(world, URGENT, 1)
    worse = report(world, {**URGENT, **EMERGENCY}, 2)
    assert worse.tier == "emergency" and worse.notification_ids
    assert [c.tier for c in cases(world.patient_a)] == ["urgent", "emergency"]


def test_a_report_after_someone_acknowledged_opens_a_new_case(world):
    first = report(world, URGENT, 1)
    services.acknowledge(db.session.get(Case, first.case_id), world.nurse1)
    again = report(world, URGENT, 2)
    assert again.case_id != first.case_id and again.notification_ids  # the situation may have changed: page


def test_another_patients_case_is_never_joined(world):
    first = report(world, URGENT, 1)
    theirs = report(world, URGENT, 2, patient=world.patient_b)
    assert theirs.case_id != first.case_id and theirs.notification_ids


def test_a_retried_report_is_still_one_case_with_no_joined_event(world):
    first = report(world, URGENT, 1)
    retried = report(world, URGENT, 1)
    assert retried.case_id == first.case_id
    assert db.session.scalar(select(func.count(CaseEvent.id)).where(CaseEvent.kind == "reported_again")) == 0


def test_the_queue_shows_how_often_the_waiting_case_was_reported_again(client, world):
    first = report(world, URGENT, 1)
    report(world, URGENT, 2, now=FIXED_NOW + timedelta(minutes=5))
    report(world, URGENT, 3, now=FIXED_NOW + timedelta(minutes=9))
    other = report(world, DIFFERENT_URGENT_REPORTS[1], 4)
    login(client, world.nurse1)
    html = client.get("/care").get_data(as_text=True)
    row = html.split(f'id="case-{first.case_id}"')[1].split("</dl>")[0]
    assert "Reported again" in row and "2 times, last at 10:09" in row  # New York time of FIXED_NOW + 9 min
    assert "Reported again" not in html.split(f'id="case-{other.case_id}"')[1].split("</dl>")[0]
    compact = client.get("/care?view=compact").get_data(as_text=True)
    assert "reported again ×2" in compact.split(f'id="case-{first.case_id}"')[1].split("</li>")[0]
