"""Read-only look-ups: the current content, a patient's progress and answers, consent records and state."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from companion.accounts.models import Patient
from companion.consent import rules
from companion.consent.content_loader import STATIC_IMG_DIR, ContentVersion, Module, load_version
from companion.consent.models import ConsentRecord, ConsentSession, ModuleRead, TeachBackAnswer
from companion.extensions import db
from companion.i18n import language_of


def current_content(language: str = "en") -> ContentVersion:
    """The newest content version in a language (from CONSENT_CONTENT_DIR when set, else the packaged folder)."""
    return load_version(None, language, base_dir=current_app.config.get("CONSENT_CONTENT_DIR"))


def patient_content(patient: Patient) -> ContentVersion:
    """The newest content version in the language the patient reads (the one they sign in)."""
    return current_content(language_of(patient.user))


@dataclass(frozen=True)
class Progress:
    """A patient's reading and teach-back standing on one content version."""

    content: ContentVersion
    read: frozenset[str]
    results: dict[tuple[str, str], rules.QuestionResult]

    @property
    def read_count(self) -> int:
        """Modules of this version read."""
        return len(self.read & {m.id for m in self.content.modules})

    @property
    def gaps(self) -> list[rules.QuestionResult]:
        """Questions whose newest answer is wrong."""
        return rules.teach_back_gaps(self.results.values())

    @property
    def missed(self) -> list[rules.QuestionResult]:
        """Questions answered wrong at least once (topics to explain again), in module order."""
        order = {m.id: m.order for m in self.content.modules}
        return sorted((r for r in self.results.values() if r.ever_wrong), key=lambda r: order.get(r.module_id, 99))

    @property
    def resume(self) -> Module | None:
        """The module to continue with, or None when all are read."""
        module_id = rules.resume_module([m.id for m in self.content.modules], self.read, self.results.values())
        return self.content.module(module_id) if module_id else None

    @property
    def minutes_left(self) -> int:
        """Reading minutes of the modules not yet read."""
        return sum(m.reading_minutes for m in self.content.modules if m.id not in self.read)

    def result(self, module_id: str, question_id: str) -> rules.QuestionResult | None:
        """The patient's standing on one question."""
        return self.results.get((module_id, question_id))


def answer_facts(patient_id: int, version: str) -> list[rules.AnswerFact]:
    """Every teach-back answer a patient gave on one version, oldest first."""
    stmt = select(TeachBackAnswer).where(TeachBackAnswer.patient_id == patient_id,
                                         TeachBackAnswer.content_version == version).order_by(TeachBackAnswer.id)
    return [rules.AnswerFact(a.module_id, a.question_id, a.choice_id, a.correct, a.answered_at)
            for a in db.session.scalars(stmt)]


def progress(patient: Patient, content: ContentVersion | None = None) -> Progress:
    """Modules read and answers summarised for a patient on a content version (the newest by default)."""
    content = content or patient_content(patient)
    read = db.session.scalars(select(ModuleRead.module_id).where(
        ModuleRead.patient_id == patient.id, ModuleRead.content_version == content.version))
    return Progress(content, frozenset(read), rules.summarise_answers(answer_facts(patient.id, content.version)))


def readiness(patient: Patient, prog: Progress | None = None) -> rules.Readiness:
    """Modules unread, teach-back answers still wrong and whether a trial was done, on the newest content."""
    prog = prog or progress(patient)
    return rules.readiness(module_ids=[m.id for m in prog.content.modules], read=prog.read,
                           results=prog.results.values(), therapy_stage=patient.therapy_stage,
                           implanted=patient.implanted_on is not None)


def records_for(patient_id: int) -> list[ConsentRecord]:
    """A patient's signed consent records, newest first."""
    stmt = select(ConsentRecord).where(ConsentRecord.patient_id == patient_id)
    return list(db.session.scalars(stmt.order_by(ConsentRecord.signed_at.desc(), ConsentRecord.id.desc())))


def record_for(patient_id: int, record_id: int) -> ConsentRecord | None:
    """One record, only if it belongs to this patient."""
    return db.session.scalar(select(ConsentRecord).where(ConsentRecord.id == record_id,
                                                         ConsentRecord.patient_id == patient_id))


def superseded_ids(patient_id: int) -> set[int]:
    """Ids of a patient's records that a correction replaced."""
    stmt = select(ConsentRecord.supersedes_id).where(ConsentRecord.patient_id == patient_id,
                                                     ConsentRecord.supersedes_id.is_not(None))
    return set(db.session.scalars(stmt))


def signed_facts(records: list[ConsentRecord]) -> list[rules.SignedFact]:
    """The plain facts of records, for the pure rules."""
    replaced = {r.supersedes_id for r in records if r.supersedes_id}
    return [rules.SignedFact(r.id, r.signed_at, r.content_version, r.content_major, r.decision, r.id in replaced)
            for r in records]


def current_record(patient_id: int) -> ConsentRecord | None:
    """The newest record no correction has replaced."""
    records = records_for(patient_id)
    fact = rules.current_record(signed_facts(records))
    return next((r for r in records if fact and r.id == fact.record_id), None)


def consent_state(patient: Patient) -> str:
    """For the roster: not started / reading (N of M) / teach-back gaps / signed on DATE (version)."""
    content = current_content()
    prog = progress(patient, content)
    fact = rules.current_record(signed_facts(records_for(patient.id)))
    return rules.consent_state(module_ids=[m.id for m in content.modules], read=prog.read,
                               results=prog.results.values(), record=fact, latest_major=content.major,
                               tz_name=patient.clinic.timezone)


def needs_reconsent(patient: Patient) -> bool:
    """Whether the patient's current agreement used an older major content version."""
    fact = rules.current_record(signed_facts(records_for(patient.id)))
    return rules.needs_reconsent(fact, current_content().major)


def reconsent_list(clinic_id: int) -> list[tuple[Patient, ConsentRecord]]:
    """The clinic's patients whose current agreement used an older major content version, oldest first."""
    latest = current_content().major
    stmt = (select(ConsentRecord).join(Patient, Patient.id == ConsentRecord.patient_id)
            .where(Patient.clinic_id == clinic_id, ConsentRecord.content_major < latest))
    out = []
    for patient_id in dict.fromkeys(r.patient_id for r in db.session.scalars(stmt)):
        record = current_record(patient_id)
        if record and rules.needs_reconsent(signed_facts([record])[0], latest):
            out.append((record.patient, record))
    return sorted(out, key=lambda pr: pr[1].signed_at)


def open_session(patient_id: int) -> ConsentSession | None:
    """The patient's consent discussion that has not been signed yet."""
    stmt = select(ConsentSession).where(ConsentSession.patient_id == patient_id, ConsentSession.record_id.is_(None))
    return db.session.scalar(stmt.order_by(ConsentSession.id.desc()))


@lru_cache(maxsize=16)
def diagram_alt(filename: str) -> str:
    """The title and description of a diagram SVG, as alt text for an <img>."""
    path = Path(STATIC_IMG_DIR, filename)
    if not path.is_file():
        return ""
    root = ET.parse(path).getroot()
    ns = "{http://www.w3.org/2000/svg}"
    parts = [(root.findtext(f"{ns}{tag}") or "").strip() for tag in ("title", "desc")]
    return ". ".join(p.rstrip(".") for p in parts if p) + "."
