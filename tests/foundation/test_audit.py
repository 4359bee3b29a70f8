"""Audit events are written for sign-ins and views, and can never be changed or deleted."""
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from companion.audit import services
from companion.audit.models import AuditEvent
from companion.extensions import db
from tests.conftest import login


def test_staff_view_of_a_patient_record_is_audited(client, world):
    login(client, world.nurse1)
    client.get(f"/care/patients/{world.patient_a.id}")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "patient_record_viewed"))
    assert (event.user_id, event.role, event.patient_id, event.clinic_id) == (
        world.nurse1.id, "nurse", world.patient_a.id, world.clinic1.id)
    assert event.ip == "127.0.0.1" and event.at.tzinfo is not None


def test_refused_access_to_another_clinics_patient_is_audited(client, world):
    login(client, world.nurse2)
    client.get(f"/care/patients/{world.patient_a.id}")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "access_refused"))
    assert event.user_id == world.nurse2.id and event.outcome == "refused"


def test_orm_refuses_to_update_or_delete_audit_events(app, world):
    event = services.record("test_event", user=world.nurse1)
    db.session.commit()
    event.action = "tampered"
    with pytest.raises(PermissionError):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEvent, event.id))
    with pytest.raises(PermissionError):
        db.session.commit()
    db.session.rollback()


def test_database_refuses_raw_update_and_delete(app, world):
    services.record("test_event", user=world.nurse1)
    db.session.commit()
    for sql in ("UPDATE audit_event SET action = 'x'", "DELETE FROM audit_event"):
        with pytest.raises(DatabaseError):
            db.session.execute(text(sql))
            db.session.commit()
        db.session.rollback()
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "test_event")) == "test_event"


def test_admin_audit_viewer_filters_and_exports_only_own_clinic(client, world):
    login(client, world.nurse2)  # an event in clinic 2
    client.post("/logout")
    login(client, world.admin1)
    own = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "sign_in", AuditEvent.clinic_id == world.clinic1.id)).all()
    assert [e.user_id for e in own] == [world.admin1.id]  # the fixture: only the admin signed in at clinic 1
    page = client.get("/admin/audit?action=sign_in").get_data(as_text=True)
    # the rows the filter should return, not just the word (which the filter box itself echoes)
    assert page.count("<code>sign_in</code>") == len(own) and "1 event<" in page
    assert f"{world.admin1.display_name}<br>" in page and world.nurse2.display_name not in page
    csv_text = client.get("/admin/audit/export.csv?days=1").get_data(as_text=True)
    assert csv_text.startswith("at,user_id,role,action")
    assert f",{world.admin1.id},admin,sign_in," in csv_text
    assert f",{world.nurse2.id},nurse,sign_in," not in csv_text
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "audit_exported")) is not None
