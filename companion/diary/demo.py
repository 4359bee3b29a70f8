"""Demo diary: 60 days of check-ins for patient@demo.test, post-operative wound checks for postop@demo.test."""
from __future__ import annotations

import io
import random
import uuid
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw
from sqlalchemy import select

from companion.accounts.models import CaregiverLink, Clinic, Patient
from companion.clock import utcnow
from companion.diary import rules
from companion.diary.models import CheckinReminderPreference, DiaryEntry, WoundPhoto
from companion.diary.questionnaires import CHECKIN, WOUND
from companion.diary.services import photos
from companion.escalation.rules import evaluate
from companion.extensions import db

MAINTENANCE, POSTOP = "patient@demo.test", "postop@demo.test"


def _entry(patient: Patient, kind: str, raw: dict, at: datetime, user_id: int, reporter: str = "patient",
           weekly: bool = False) -> DiaryEntry:
    """One stored entry built through the real normaliser, with the tier the rules give it."""
    if kind == "checkin":
        result, questionnaire = rules.normalise_checkin(raw, reporter=reporter, weekly_due=weekly), CHECKIN
    else:
        result, questionnaire = rules.normalise_wound(raw, reporter=reporter), WOUND
    assert result.ok, result.errors  # demo answers are always valid
    obs = result.observations
    entry = DiaryEntry(
        patient_id=patient.id, kind=kind, reported_by_user_id=user_id, reporter=reporter,
        questionnaire_id=questionnaire.id, questionnaire_version=questionnaire.version, answers=result.answers,
        observations=obs, context={}, client_entry_id=str(uuid.uuid4()), recorded_at=at,
        received_at=at + timedelta(seconds=3), tier=evaluate(obs, {}).tier,
        peg_score=rules.peg_score(result.answers), pain_now=obs.get("pain_now"),
        sleepiness=obs.get("sleepiness"), breaths_per_min=obs.get("breaths_per_min"),
        temperature_c=obs.get("temperature_c"), wound_redness=obs.get("wound_redness"),
        wound_drainage=obs.get("wound_drainage"), wound_swelling=obs.get("wound_swelling"))
    db.session.add(entry)
    db.session.flush()
    return entry


def _checkin_answers(rng: random.Random, day: int, weekly: bool) -> dict:
    """An ordinary day most of the time: pain around 4, a flare three weeks ago, now and then a small issue."""
    flare = 2.5 if 18 <= day <= 23 else 0
    pain = round(4 + 1.2 * ((day % 7) in (5, 6)) + flare + rng.uniform(-1.3, 1.3))
    raw: dict = {"pain_now": str(min(max(pain, 1), 9)), "anything_new": "no"}
    if weekly:
        raw.update({"peg.pain_avg": str(min(pain + 1, 10)), "peg.enjoyment": str(min(max(pain - 1, 0), 10)),
                    "peg.activity": str(min(pain, 10))})
    if rng.random() < 0.12:
        raw.update({"anything_new": "yes", "sleepiness": rng.choice(["alert", "slightly_drowsy"]),
                    "constipation_days": str(rng.choice([1, 2, 3])), "itching": rng.choice(["yes", "no"])})
    if rng.random() < 0.08:
        raw["medications_taken"] = ["sleep_medicine"]
    return raw


def _seed_checkins(patient: Patient, tz: ZoneInfo, now: datetime) -> None:
    """About 60 days of morning check-ins with some days missed, PEG once a week."""
    rng = random.Random(60)
    today = now.astimezone(tz).date()
    caregiver = db.session.scalar(select(CaregiverLink.caregiver_id).where(CaregiverLink.patient_id == patient.id))
    for day in range(60, 0, -1):
        if rng.random() < 0.1:
            continue  # a missed day, as in real life
        at = datetime.combine(today - timedelta(days=day), time(8, rng.randint(0, 59)), tz)
        weekly = day % 7 == 0
        _entry(patient, "checkin", _checkin_answers(rng, day, weekly), at, patient.user_id, weekly=weekly)
        if caregiver and day in (12, 5):
            raw = {"anything_new": "yes", "sleepiness": "alert", "breaths_per_min": "14", "breathing_trouble": "no"}
            _entry(patient, "checkin", raw, at + timedelta(hours=11), caregiver, reporter="caregiver")
    db.session.add(CheckinReminderPreference(patient_id=patient.id, remind_at=time(9, 0), enabled=True))


def _demo_photo(redness: int) -> photos.PreparedPhoto:
    """A drawn stand-in for a wound photo (skin tone, a stitched line, pinker while healing)."""
    image = Image.new("RGB", (900, 600), (226, 182, 160))
    draw = ImageDraw.Draw(image)
    draw.ellipse((240, 250, 660, 350), fill=(226 + 8 * redness, 170 - 18 * redness, 150 - 12 * redness))
    draw.line((270, 300, 630, 300), fill=(120, 60, 60), width=6)
    for x in range(290, 630, 40):
        draw.line((x, 285, x + 10, 315), fill=(40, 40, 70), width=3)
    out = io.BytesIO()
    image.save(out, "JPEG")
    return photos.prepare(out.getvalue())


def _seed_wound_checks(patient: Patient, tz: ZoneInfo, now: datetime) -> None:
    """Days 1-5 after implant: twice a day on days 1-3, settling from pink edges and swelling to calm."""
    if patient.implanted_on is None:
        return
    # Any leaking is a same-day call in the rules, so the demo heals without it (no case to explain).
    plan = [(1, 9, 1, "none", "stable"), (1, 19, 1, "none", "stable"), (2, 9, 1, "none", "stable"),
            (2, 19, 1, "none", "stable"), (3, 9, 1, "none", "stable"), (3, 19, 1, "none", "none"),
            (4, 9, 0, "none", "none"), (5, 9, 0, "none", "none")]
    redness = ("none", "edges_only")
    for day, hour, red, drain, swell in plan:
        at = datetime.combine(patient.implanted_on + timedelta(days=day), time(hour, 10), tz)
        if at > now:
            continue
        raw = {}
        for site in ("belly", "back"):
            raw.update({f"{site}.redness": redness[red], f"{site}.drainage": drain if site == "belly" else "none",
                        f"{site}.swelling": swell, f"{site}.pain": str(max(5 - day, 1))})
        entry = _entry(patient, "wound", raw, at, patient.user_id)
        if hour == 9:
            photo = _demo_photo(red)
            name = photos.store(photo)
            db.session.add(WoundPhoto(entry_id=entry.id, patient_id=patient.id, site="belly", stored_name=name,
                                      width=photo.width, height=photo.height, size_bytes=len(photo.data)))


def seed(clinic: Clinic, patients: dict[str, Patient]) -> None:
    """Add the demo diaries (called once, when the demo clinic is created)."""
    tz, now = ZoneInfo(clinic.timezone), utcnow()
    if MAINTENANCE in patients:
        _seed_checkins(patients[MAINTENANCE], tz, now)
    if POSTOP in patients:
        _seed_wound_checks(patients[POSTOP], tz, now)
