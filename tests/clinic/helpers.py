"""Shared helpers for the clinic admin tests."""
from sqlalchemy import select

from companion.audit.models import AuditEvent
from companion.extensions import db

THRESHOLD_FORM = {  # every threshold at its default, as the page shows them
    "thresholds-breaths_per_min_min": "10", "thresholds-fever_c": "38", "thresholds-infection_window_days": "90",
    "thresholds-refill_window_days": "3", "thresholds-dose_increase_window_days": "3",
    "thresholds-implant_window_days": "3", "thresholds-mri_window_days": "3", "thresholds-constipation_days": "3",
    "thresholds-pain_rise_points": "2", "thresholds-withdrawal_signs_min": "2",
    "thresholds-dose_increases_for_mass": "2",
}


def events(action: str) -> list[AuditEvent]:
    """Audit events with this action, oldest first."""
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def assert_admin_only(app, world, path: str, data: dict) -> None:
    """A POST to `path`: anonymous -> sign-in page; a patient, a nurse and a physician -> 403."""
    from tests.conftest import login

    assert "/login" in app.test_client().post(path, data=data).headers["Location"]
    for who in ("patient_a_user", "nurse1", "physician1"):
        person = app.test_client()
        login(person, getattr(world, who))
        assert person.post(path, data=data).status_code == 403, who
