"""Diary test fixtures: the peg week already done, so an ordinary check-in is pain + nothing new."""
from datetime import timedelta

import pytest

from companion.clock import utcnow
from companion.diary.models import DiaryEntry
from companion.extensions import db


@pytest.fixture
def peg_done(world):
    """Give patients A and B a PEG answered yesterday, so PEG items are not required today."""
    for patient in (world.patient_a, world.patient_b):
        db.session.add(DiaryEntry(
            patient_id=patient.id, kind="checkin", reported_by_user_id=patient.user_id, reporter="patient",
            questionnaire_id="daily-checkin", questionnaire_version="1", answers={}, observations={},
            client_entry_id=f"00000000-0000-4000-8000-00000000000{patient.id}",
            recorded_at=utcnow() - timedelta(days=1), received_at=utcnow() - timedelta(days=1),
            peg_score=4.0, pain_now=4))
    db.session.commit()
    return world
