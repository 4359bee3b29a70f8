"""The only writer of consent data: reading progress, teach-back answers, session questions, signed records."""
from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field
from datetime import datetime

from PIL import Image, UnidentifiedImageError

from companion.accounts.models import Patient, User
from companion.accounts.permissions import can_treat_patient
from companion.audit import services as audit
from companion.clock import utcnow
from companion.consent import queries, rules
from companion.consent.content_loader import ContentVersion
from companion.consent.models import ConsentRecord, ConsentSession, ModuleRead, SessionQuestion, TeachBackAnswer
from companion.extensions import db
from companion.i18n import language_of


class ConsentError(ValueError):
    """A consent action that cannot be done; `field` names the form field to show it beside."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


def mark_read(patient: Patient, content: ContentVersion, module_id: str, *, now: datetime | None = None) -> ModuleRead:
    """Record that the patient finished a module (once per version; repeats are harmless)."""
    content.module(module_id)  # KeyError for an unknown module
    existing = db.session.scalar(db.select(ModuleRead).filter_by(
        patient_id=patient.id, content_version=content.version, module_id=module_id))
    if existing:
        return existing
    read = ModuleRead(patient_id=patient.id, content_version=content.version, module_id=module_id,
                      read_at=now or utcnow())
    db.session.add(read)
    db.session.commit()
    return read


def answer_question(patient: Patient, user: User, content: ContentVersion, module_id: str, question_id: str,
                    choice_id: str, *, now: datetime | None = None) -> TeachBackAnswer:
    """Keep one teach-back answer (every try is kept) and say whether it was right."""
    module = content.module(module_id)
    question = next((q for q in module.questions if q.id == question_id), None)
    if question is None:
        raise KeyError(question_id)
    choice = next((c for c in question.choices if c.id == choice_id), None)
    if choice is None:
        raise ConsentError("Please choose one answer.", "choice")
    answer = TeachBackAnswer(patient_id=patient.id, answered_by_id=user.id, content_version=content.version,
                             module_id=module_id, question_id=question_id, choice_id=choice.id,
                             correct=choice.correct, answered_at=now or utcnow())
    db.session.add(answer)
    db.session.commit()
    return answer


def _session_for(clinician: User, patient: Patient, content: ContentVersion, now: datetime) -> ConsentSession:
    """The open consent discussion, opened now if there is none."""
    session = queries.open_session(patient.id)
    if session is None:
        session = ConsentSession(patient_id=patient.id, opened_by_id=clinician.id, opened_at=now,
                                 content_version=content.version)
        db.session.add(session)
        db.session.flush()
        audit.record("consent_session_opened", patient_id=patient.id, object_type="consent_session",
                     object_id=session.id, user=clinician)
    return session


def record_question(clinician: User, patient: Patient, question: str, answer: str,
                    *, now: datetime | None = None) -> SessionQuestion:
    """Add a question the patient asked, and the answer given, to the open consent discussion."""
    _require_clinician(clinician, patient)
    now = now or utcnow()
    session = _session_for(clinician, patient, queries.current_content(), now)
    row = SessionQuestion(session_id=session.id, question=question.strip(), answer=answer.strip(),
                          recorded_by_id=clinician.id, recorded_at=now)
    db.session.add(row)
    db.session.flush()
    audit.record("consent_question_recorded", patient_id=patient.id, object_type="consent_session",
                 object_id=session.id, user=clinician)
    db.session.commit()
    return row


@dataclass
class Signature:
    """One signature as submitted: drawn (PNG data URL) or a typed name."""

    kind: str
    data_url: str = ""
    typed_name: str = ""


@dataclass
class ConsentInput:
    """Everything the clinician submits when both sign."""

    decision: str
    topics_discussed: list[str] = field(default_factory=list)
    interpreter_used: bool = False
    interpreter_language: str = ""
    representative_present: bool = False
    representative_name: str = ""
    patient_signature: Signature = field(default_factory=lambda: Signature("typed"))
    clinician_signature: Signature = field(default_factory=lambda: Signature("typed"))
    content_version: str = ""
    supersedes_id: int | None = None
    correction_reason: str = ""
    readiness_reason: str = ""


def _require_clinician(user: User, patient: Patient) -> None:
    """Only a nurse or physician of the patient's clinic may run consent."""
    if not can_treat_patient(user, patient):
        raise PermissionError("only the patient's clinicians may record consent")


def signature_png(data_url: str, field_name: str) -> bytes:
    """Validated PNG bytes of a drawn signature: a real, non-blank PNG within the size limits."""
    try:
        png = rules.decode_signature(data_url)
        with Image.open(io.BytesIO(png)) as image:
            image.load()
            if image.format != "PNG":
                raise ValueError("The signature must be a PNG picture.")
            rgba = image.convert("RGBA")
    except (ValueError, UnidentifiedImageError, OSError) as error:
        message = str(error) if isinstance(error, ValueError) and str(error).startswith("The ") else \
            "The signature picture is damaged."
        raise ConsentError(message, field_name) from None
    # A blank canvas is fully transparent (or all white): nothing was drawn.
    alpha_box = rgba.getchannel("A").getbbox()
    ink_box = Image.eval(rgba.convert("L"), lambda v: 255 - v).getbbox()
    if alpha_box is None or ink_box is None:
        raise ConsentError("Please sign in the box, or type the name instead.", field_name)
    return png


def _signature_parts(sig: Signature, prefix: str) -> tuple[str, bytes | None, str]:
    """(kind, png, typed name) for one signer, or ConsentError beside the right field."""
    if sig.kind == "drawn":
        return "drawn", signature_png(sig.data_url, f"{prefix}_signature"), ""
    if sig.kind == "typed":
        name = " ".join(sig.typed_name.split())
        if len(name) < 2:
            raise ConsentError("Please type the full name.", f"{prefix}_typed_name")
        return "typed", None, name[:200]
    raise ConsentError("Please choose how to sign.", f"{prefix}_sign_method")


def _check(data: ConsentInput, content: ContentVersion, patient: Patient) -> dict:
    """Refuse an incomplete or inconsistent consent before anything is written; returns the readiness gaps."""
    if data.content_version != content.version:
        raise ConsentError("The information changed while this page was open. Please reload it.", "decision")
    if data.decision not in rules.DECISIONS:
        raise ConsentError("Please choose the patient's decision.", "decision")
    if data.decision in rules.AGREEMENTS and rules.missing_topics(content.risk_topics, data.topics_discussed):
        raise ConsentError("Every risk must be discussed before the patient agrees.", "topics")
    if data.interpreter_used and not data.interpreter_language.strip():
        raise ConsentError("Please enter the interpreter's language.", "interpreter_language")
    if data.representative_present and not data.representative_name.strip():
        raise ConsentError("Please enter the representative's name.", "representative_name")
    if data.supersedes_id is not None:
        old = queries.record_for(patient.id, data.supersedes_id)
        if old is None or data.supersedes_id in queries.superseded_ids(patient.id):
            raise ConsentError("That record cannot be corrected.", "correction_reason")
        if not data.correction_reason.strip():
            raise ConsentError("Please say what this correction changes.", "correction_reason")
    gaps = queries.readiness(patient, queries.progress(patient, content)).gaps(data.decision)
    if gaps and len(data.readiness_reason.strip()) < 5:
        raise ConsentError("Modules are unread, teach-back answers are wrong or no trial was done: "
                           "write why the patient signs now.", "readiness_reason")
    return gaps


def _answers_snapshot(patient: Patient, content: ContentVersion) -> tuple[list[str], list[dict]]:
    """The modules read and each question's newest answer, in words, as they stand at signing."""
    prog = queries.progress(patient, content)
    answers = []
    for module in content.modules:
        for q in module.questions:
            result = prog.result(module.id, q.id)
            if result is None:
                continue
            chosen = next(c for c in q.choices if c.id == result.choice_id)
            answers.append({"module_id": module.id, "question_id": q.id, "question": q.text,
                            "answer": chosen.text, "correct": result.correct, "ever_wrong": result.ever_wrong,
                            "attempts": result.attempts, "answered_at": result.answered_at.isoformat()})
    return [m.id for m in content.modules if m.id in prog.read], answers


def _record_hash(values: dict) -> str:
    """SHA-256 over the record's content (signatures included), so any later change shows."""
    plain = {k: (hashlib.sha256(v).hexdigest() if isinstance(v, bytes) else v) for k, v in values.items()}
    return hashlib.sha256(json.dumps(plain, sort_keys=True, default=str).encode()).hexdigest()


def sign_consent(clinician: User, patient: Patient, data: ConsentInput, *, now: datetime | None = None) -> ConsentRecord:
    """Both have signed: write the immutable consent record, close the discussion, audit it, in one transaction."""
    _require_clinician(clinician, patient)
    content = queries.patient_content(patient)  # its hash is of the language the patient read
    gaps = _check(data, content, patient)
    p_kind, p_png, p_typed = _signature_parts(data.patient_signature, "patient")
    c_kind, c_png, c_typed = _signature_parts(data.clinician_signature, "clinician")
    now = now or utcnow()
    session = _session_for(clinician, patient, content, now)
    modules_read, answers = _answers_snapshot(patient, content)
    values = dict(
        patient_id=patient.id, clinic_id=patient.clinic_id, signed_at=now, clinician_id=clinician.id,
        patient_name=patient.full_name, patient_record_number=patient.record_number,
        clinician_name=clinician.display_name, clinician_role=clinician.role,
        content_version=content.version, content_major=content.major, content_hash=content.content_hash,
        modules_read=modules_read, answers=answers,
        topics_discussed=[t for t in content.risk_topics if t in set(data.topics_discussed)],
        questions=[{"question": q.question, "answer": q.answer, "recorded_at": q.recorded_at.isoformat()}
                   for q in session.questions],
        interpreter_used=data.interpreter_used,
        interpreter_language=data.interpreter_language.strip() if data.interpreter_used else "",
        representative_present=data.representative_present,
        representative_name=data.representative_name.strip() if data.representative_present else "",
        decision=data.decision, patient_signature_kind=p_kind, patient_signature_png=p_png,
        patient_typed_name=p_typed, clinician_signature_kind=c_kind, clinician_signature_png=c_png,
        clinician_typed_name=c_typed, supersedes_id=data.supersedes_id,
        correction_reason=data.correction_reason.strip() if data.supersedes_id else "",
        readiness_gaps=gaps or None, readiness_reason=data.readiness_reason.strip() if gaps else "",
        language=language_of(patient.user),  # the PDF is printed in it; part of the record hash
    )
    record = ConsentRecord(**values, record_hash=_record_hash(values))
    db.session.add(record)
    db.session.flush()
    session.record_id = record.id
    audit.record("consent_signed", patient_id=patient.id, object_type="consent_record", object_id=record.id,
                 user=clinician, decision=data.decision, version=content.version, supersedes=data.supersedes_id,
                 readiness_gaps=bool(gaps))
    db.session.commit()
    return record
