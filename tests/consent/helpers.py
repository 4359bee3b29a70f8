"""Shared helpers for the consent tests: signature images, answers and a signed record."""
import base64
import io

from PIL import Image

from companion.consent import queries, services
from companion.consent.rules import DATA_URL_PREFIX


def signature_url(blank: bool = False, size=(300, 100)) -> str:
    """A PNG data URL like signature_pad sends (transparent, with a stroke unless blank)."""
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    if not blank:
        for x in range(20, 200):
            image.putpixel((x, 50 + (x % 7)), (17, 17, 17, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return DATA_URL_PREFIX + base64.b64encode(buffer.getvalue()).decode()


def answer(patient, module_id: str, question_id: str, right: bool):
    """Answer one question right or wrong as the patient."""
    content = queries.current_content()
    q = next(q for q in content.module(module_id).questions if q.id == question_id)
    choice = next(c for c in q.choices if c.correct == right)
    return services.answer_question(patient, patient.user, content, module_id, question_id, choice.id)


def consent_input(**overrides) -> services.ConsentInput:
    """A complete agreement: every risk discussed, drawn patient signature, typed clinician name."""
    content = queries.current_content()
    values = dict(decision="agrees_trial", topics_discussed=list(content.risk_topics),
                  patient_signature=services.Signature("drawn", signature_url()),
                  clinician_signature=services.Signature("typed", typed_name="Nurse Example"),
                  content_version=content.version,
                  readiness_reason="Discussed the gaps; the patient chose to go ahead.")  # most tests read nothing
    values.update(overrides)
    return services.ConsentInput(**values)


def sign_form_data(**overrides) -> dict:
    """The signing form as a browser posts it."""
    content = queries.current_content()
    data = {"decision": "agrees_trial", "topics": list(content.risk_topics), "content_version": content.version,
            "patient_sign_method": "drawn", "patient_signature": signature_url(),
            "clinician_sign_method": "typed", "clinician_typed_name": "Nurse Example",
            "readiness_reason": "Discussed the gaps; the patient chose to go ahead."}
    data.update(overrides)
    return data
