"""Demo consent data: the new patient read three modules (one wrong answer); Pat signed two years ago."""
import base64
import io
import math
from datetime import timedelta

from PIL import Image, ImageDraw
from sqlalchemy import select

from companion.accounts.models import User
from companion.clock import utcnow
from companion.consent import queries, services
from companion.extensions import db

NEW_PATIENT = "newpatient@demo.test"
SIGNED_PATIENT = "patient@demo.test"
NURSE = "nurse@demo.test"


def _drawn_signature() -> str:
    """A hand-drawn-looking signature as a PNG data URL (a looping pen line)."""
    image = Image.new("RGBA", (600, 160), (0, 0, 0, 0))
    points = [(40 + x * 1.0, 90 + 28 * math.sin(x / 17) * math.cos(x / 53) - 12 * math.sin(x / 5.5))
              for x in range(0, 520, 2)]
    ImageDraw.Draw(image).line(points, fill=(17, 17, 17, 255), width=4, joint="curve")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _answer(patient, content, module_id: str, wrong: set[str], when) -> None:
    """Answer every question of a module: right, except the question ids in `wrong`."""
    for q in content.module(module_id).questions:
        choice = next(c for c in q.choices if c.correct != (q.id in wrong))
        services.answer_question(patient, patient.user, content, module_id, q.id, choice.id, now=when)


def seed(clinic, patients) -> None:
    """Reading progress for the new patient, and a signed record dated before Pat's implant."""
    content = queries.current_content()
    now = utcnow()
    nurse = db.session.scalar(select(User).where(User.email == NURSE, User.clinic_id == clinic.id))
    new = patients.get(NEW_PATIENT)
    if new is not None:
        first_three = [m.id for m in content.modules[:3]]
        for day, module_id in enumerate(first_three):
            when = now - timedelta(days=3 - day, hours=2)
            # One wrong answer, in the benefits module: a realistic hope the nurse should revisit.
            _answer(new, content, module_id, {"realistic-hope"} if module_id == "benefits-and-limits" else set(), when)
            services.mark_read(new, content, module_id, now=when + timedelta(minutes=4))
    signed = patients.get(SIGNED_PATIENT)
    if signed is not None and nurse is not None:
        implant = signed.implanted_on
        signed_at = now - timedelta(days=744) if implant is None else \
            now.replace(hour=15, minute=30) - timedelta(days=(now.date() - implant).days + 14)
        for module in content.modules:
            _answer(signed, content, module.id, set(), signed_at - timedelta(days=7))
            services.mark_read(signed, content, module.id, now=signed_at - timedelta(days=7))
        services.record_question(nurse, signed, "Will I still need my pain pills?",
                                 "Many people need fewer pills, but some still take some. We will adjust together.",
                                 now=signed_at - timedelta(minutes=20))
        services.sign_consent(nurse, signed, services.ConsentInput(
            decision="agrees_implant", topics_discussed=list(content.risk_topics),
            patient_signature=services.Signature("drawn", _drawn_signature()),
            clinician_signature=services.Signature("typed", typed_name=nurse.display_name),
            content_version=content.version), now=signed_at)
