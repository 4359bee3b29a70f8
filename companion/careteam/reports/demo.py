"""Demo history for the quality report: twelve weeks of closed cases and review items for patient@demo.test."""
import random
from datetime import timedelta

from sqlalchemy import select

from companion.accounts.models import User
from companion.clock import utcnow
from companion.escalation.models import RESOLUTIONS, Case, CaseEvent, ReviewItem
from companion.extensions import db

REASON = {"code": "demo_history", "tier": "urgent", "source": "demo", "patient_text": "",
          "staff_text": "Past case (demo history for the quality report)."}


def seed(clinic, patients) -> None:
    """Closed cases (acknowledged after 3-95 minutes, some after a second or third round) and cleared review items.

    Rows are written directly, not through the services, so no old notification is queued or sent.
    """
    patient = patients.get("patient@demo.test")
    nurse = db.session.scalar(select(User).where(User.clinic_id == clinic.id, User.role == "nurse"))
    if patient is None or nurse is None:
        return
    rng, now = random.Random(13), utcnow()
    for n in range(30):  # about two or three a week over twelve weeks
        opened = now - timedelta(days=84 - n * 2.8, hours=rng.randint(0, 10))
        tier = "emergency" if n % 6 == 0 else "urgent"
        minutes = rng.choice((3, 6, 9, 12, 18, 25, 34, 41, 52, 75, 95))
        rounds = 1 + (minutes > (15 if tier == "emergency" else 60)) + (minutes > 90)
        acked, resolved = opened + timedelta(minutes=minutes), opened + timedelta(minutes=minutes + 40)
        case = Case(clinic_id=clinic.id, patient_id=patient.id, tier=tier, status="resolved",
                    source_type="demo_history", source_id=n + 1, reasons=[dict(REASON, tier=tier)],
                    opened_at=opened, ack_due_at=opened + timedelta(minutes=15 if tier == "emergency" else 60),
                    notify_round=rounds, acknowledged_at=acked, acknowledged_by_id=nurse.id, resolved_at=resolved,
                    resolved_by_id=nurse.id, resolution=RESOLUTIONS[rng.randrange(len(RESOLUTIONS))])
        db.session.add(case)
        db.session.flush()
        db.session.add_all([CaseEvent(case_id=case.id, kind="opened", at=opened, detail={"tier": tier}),
                            CaseEvent(case_id=case.id, kind="acknowledged", user_id=nurse.id, at=acked),
                            CaseEvent(case_id=case.id, kind="resolved", user_id=nurse.id, at=resolved)])
    for n in range(36):
        created = now - timedelta(days=84 - n * 2.3, hours=rng.randint(0, 8))
        cleared = created + timedelta(hours=rng.choice((2, 5, 20, 30, 70)))
        db.session.add(ReviewItem(clinic_id=clinic.id, patient_id=patient.id, source_type="demo_history",
                                  source_id=n + 1, reasons=[dict(REASON, tier="routine")], created_at=created,
                                  cleared_at=cleared if cleared < now else None,
                                  cleared_by_id=nurse.id if cleared < now else None))
