"""Real rows for patient A (diary, wound photo, case, review item, consent, refill, visit, medicine, notice,
notification), made through the capability services and pages, so every route can be tried with A's ids."""
import io
import uuid
from dataclasses import dataclass
from datetime import date, time, timedelta

from PIL import Image

from companion.clock import utcnow
from companion.extensions import db

# Text that must never reach a log, an email or a push payload (it is what A types in a check-in).
SYMPTOM_NOTE = "Quillfeather tingling since Tuesday"


def jpeg(size=(320, 240)) -> bytes:
    """A small plain JPEG."""
    out = io.BytesIO()
    Image.new("RGB", size, (200, 120, 110)).save(out, "JPEG")
    return out.getvalue()


PEG = {"peg.pain_avg": "4", "peg.enjoyment": "3", "peg.activity": "3"}
RED_FLAG = {"pain_now": "5", "anything_new": "yes", "pump_alarm": "two_tone", "note": SYMPTOM_NOTE, **PEG}
WOUND = {f"{site}.{k}": v for site in ("belly", "back")
         for k, v in (("redness", "edges_only"), ("drainage", "none"), ("swelling", "stable"))}


def entry_form(answers: dict) -> dict:
    """A posted questionnaire with its envelope."""
    return {**answers, "client_entry_id": str(uuid.uuid4()), "recorded_at": ""}


@dataclass
class Records:
    """Ids of patient A's rows, by the URL argument they fill."""

    case_id: int
    item_id: int
    consent_record_id: int
    refill_record_id: int
    medicine_id: int
    notice_id: int
    notification_id: int
    photo_id: int
    link_id: int
    module_id: str
    question_id: str
    shift_id: int = 0
    appointment_id: int = 0


def seed_patient_a(app, world) -> Records:
    """Give patient A one of everything, through the pages a patient uses and the services staff use."""
    from sqlalchemy import select

    from companion.accounts.models import CaregiverLink
    from companion.consent import queries as consent_queries
    from companion.consent import services as consent
    from companion.diary.models import DiaryEntry, WoundPhoto
    from companion.escalation import services as escalation
    from companion.escalation.models import Case
    from companion.notify import services as notify
    from companion.pump import services as pump
    from tests.conftest import login
    from tests.consent.helpers import answer, consent_input

    a = world.patient_a
    client = app.test_client()
    login(client, world.patient_a_user)
    response = client.post("/checkin", data=entry_form(RED_FLAG))
    assert response.status_code == 200, response.get_data(as_text=True)[:400]
    wound = entry_form(WOUND)
    wound["belly.photo"] = (io.BytesIO(jpeg()), "belly.jpg")
    response = client.post("/wound", data=wound, content_type="multipart/form-data")
    assert response.status_code == 200, response.get_data(as_text=True)[:400]
    case = db.session.scalar(select(Case).where(Case.patient_id == a.id))
    entry = db.session.scalar(select(DiaryEntry).where(DiaryEntry.patient_id == a.id, DiaryEntry.kind == "wound"))
    review = escalation.assess(a, observations={"constipation_days": 5}, context={}, source_type="diary_entry",
                               source_id=entry.id, reported_by_user=a.user)
    db.session.commit()

    content = consent_queries.current_content()
    module = content.modules[0]
    consent.mark_read(a, content, module.id)
    answer(a, module.id, module.questions[0].id, True)
    record = consent.sign_consent(world.nurse1, a, consent_input())

    pump.save_profile(world.nurse1, a, model="synchromed_ii_20", reservoir_ml=None, implanted_on=a.implanted_on,
                      opioid_tolerant=True)
    from tests.pump.conftest import confirm, record as record_refill

    first = record_refill(world)
    confirm(world, first)
    pending = record_refill(world, kind="dose_change", expected=None, withdrawn=None)
    appointment = pump.book_appointment(world.nurse1, a, utcnow() + timedelta(days=3))
    medicine = pump.add_medicine(world.patient_a_user, a, name="Diazepam", medicine_class="benzodiazepine",
                                 reported_by="patient")
    notice = pump.report_procedure(world.patient_a_user, a, kind="mri", planned_on=date(2026, 12, 1),
                                   planned_time=None, details="Knee scan", reported_by="patient")
    [note_id] = notify.enqueue(user_id=a.user_id, kind="checkin_reminder", channels=("in_app",), patient_id=a.id,
                               dedupe_key="checkin:reminder:test")
    db.session.commit()
    link = db.session.scalar(select(CaregiverLink).where(CaregiverLink.patient_id == a.id))
    photo = db.session.scalar(select(WoundPhoto).where(WoundPhoto.patient_id == a.id))
    from companion.clinic import services as clinic_settings

    shift = clinic_settings.add_shift(world.admin1, weekday=5, starts=time(8), ends=time(20), user_id=world.nurse1.id)
    return Records(case_id=case.id, item_id=review.review_item_id, consent_record_id=record.id,
                   refill_record_id=pending.id, medicine_id=medicine.id, notice_id=notice.id,
                   notification_id=note_id, photo_id=photo.id, link_id=link.id, module_id=module.id,
                   question_id=module.questions[0].id, shift_id=shift.id, appointment_id=appointment.id)
