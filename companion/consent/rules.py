"""Pure consent decisions: reading progress, teach-back gaps, consent state, re-consent, signature checks."""
from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterable, Sequence
from zoneinfo import ZoneInfo

DECISIONS: dict[str, str] = {
    "agrees_trial": "Agrees to a trial",
    "agrees_implant": "Agrees to the implant",
    "declines": "Declines",
    "more_time": "Wants more time",
}
# Agreeing needs every risk topic discussed; declining or asking for time does not.
AGREEMENTS = frozenset({"agrees_trial", "agrees_implant"})

RISK_TOPIC_LABELS: dict[str, str] = {
    "infection": "Infection",
    "bleeding": "Bleeding",
    "csf_leak_headache": "Spinal fluid leak and headache",
    "nerve_injury": "Nerve injury",
    "catheter_problems": "Catheter kink, move, break or leak",
    "pump_failure": "Pump failure",
    "battery_replacement": "Battery replacement surgery every 5-7 years",
    "overdose_breathing": "Too much drug: slow breathing, deep sleepiness",
    "withdrawal": "Too little drug: withdrawal",
    "inflammatory_mass": "Inflammatory mass at the catheter tip",
    "hormone_changes": "Hormone changes",
    "ziconotide_effects": "Ziconotide: mood and confusion effects",
    "refill_pocket_fill": "Drug injected under the skin at refill (pocket fill)",
    "missed_refill": "Missed refill",
    "sedating_medicines": "Sleeping pills, sedatives, alcohol, extra opioids",
    "mri": "MRI depends on the pump model",
    "travel": "Travel, airport security, diving",
}

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
DATA_URL_PREFIX = "data:image/png;base64,"
MAX_SIGNATURE_BYTES = 150_000  # two signatures must fit Flask's 500 kB form limit
MAX_SIGNATURE_SIDE = 3000


@dataclass(frozen=True)
class AnswerFact:
    """One teach-back answer as stored: which question, which choice, right or wrong, when."""

    module_id: str
    question_id: str
    choice_id: str
    correct: bool
    answered_at: datetime


@dataclass(frozen=True)
class QuestionResult:
    """Where a patient stands on one question: latest answer, and whether any answer was wrong."""

    module_id: str
    question_id: str
    choice_id: str
    correct: bool
    ever_wrong: bool
    attempts: int
    answered_at: datetime


@dataclass(frozen=True)
class SignedFact:
    """The facts of a signed consent record that the state and re-consent rules read."""

    record_id: int
    signed_at: datetime
    version: str
    major: int
    decision: str
    superseded: bool


def risk_topic_label(topic: str) -> str:
    """A readable name for a risk topic id (unknown ids are made readable)."""
    return RISK_TOPIC_LABELS.get(topic, topic.replace("_", " ").capitalize())


def summarise_answers(answers: Iterable[AnswerFact]) -> dict[tuple[str, str], QuestionResult]:
    """The latest answer to each question, counting attempts and remembering any wrong one."""
    out: dict[tuple[str, str], QuestionResult] = {}
    for a in sorted(answers, key=lambda a: a.answered_at):
        key = (a.module_id, a.question_id)
        before = out.get(key)
        out[key] = QuestionResult(a.module_id, a.question_id, a.choice_id, a.correct,
                                  ever_wrong=(not a.correct) or bool(before and before.ever_wrong),
                                  attempts=(before.attempts if before else 0) + 1, answered_at=a.answered_at)
    return out


def teach_back_gaps(results: Iterable[QuestionResult]) -> list[QuestionResult]:
    """Questions whose latest answer is wrong: the topics to explain again."""
    return [r for r in results if not r.correct]


def resume_module(module_ids: Sequence[str], read: Iterable[str], results: Iterable[QuestionResult]) -> str | None:
    """Where to pick up: the unread module answered most recently, else the first unread one."""
    read = set(read)
    unread = [m for m in module_ids if m not in read]
    if not unread:
        return None
    recent = sorted((r for r in results if r.module_id in unread), key=lambda r: r.answered_at)
    return recent[-1].module_id if recent else unread[0]


def current_record(records: Iterable[SignedFact]) -> SignedFact | None:
    """The newest signed record that no correction has replaced."""
    live = [r for r in records if not r.superseded]
    return max(live, key=lambda r: (r.signed_at, r.record_id)) if live else None


def needs_reconsent(record: SignedFact | None, latest_major: int) -> bool:
    """An agreement signed on an older major content version must be renewed."""
    return record is not None and record.decision in AGREEMENTS and record.major < latest_major


def local_date(at: datetime, tz_name: str) -> date:
    """The calendar date of an instant in the clinic's time zone."""
    return at.astimezone(ZoneInfo(tz_name)).date()


def consent_state(*, module_ids: Sequence[str], read: Iterable[str], results: Iterable[QuestionResult],
                  record: SignedFact | None, latest_major: int, tz_name: str) -> str:
    """not started / reading (N of M) / teach-back gaps / signed on DATE (version) [; re-consent needed]."""
    if record is not None:
        state = f"signed on {local_date(record.signed_at, tz_name).isoformat()} ({record.version})"
        return state + "; re-consent needed" if needs_reconsent(record, latest_major) else state
    read_now = set(read) & set(module_ids)
    results = list(results)
    if teach_back_gaps(results):
        return "teach-back gaps"
    if read_now or results:
        return f"reading ({len(read_now)} of {len(module_ids)})"
    return "not started"


TRIAL_DONE_STAGES = frozenset({"trial", "post_implant", "maintenance"})
IMPLANTED_STAGES = frozenset({"post_implant", "maintenance"})


@dataclass(frozen=True)
class Readiness:
    """What is not yet in place before an agreement: unread modules, teach-back answers still wrong, a trial."""

    unread: tuple[str, ...]
    wrong: tuple[tuple[str, str], ...]  # (module id, question id) whose newest answer is wrong
    trial_done: bool

    def gaps(self, decision: str) -> dict:
        """The gaps that need a written reason before this decision is signed ({} when none, or not an agreement)."""
        if decision not in AGREEMENTS:
            return {}
        no_trial = decision == "agrees_implant" and not self.trial_done
        if not (self.unread or self.wrong or no_trial):
            return {}
        return {"unread_modules": list(self.unread), "wrong_answers": [f"{m}/{q}" for m, q in self.wrong],
                "trial_done": self.trial_done}


def readiness(*, module_ids: Sequence[str], read: Iterable[str], results: Iterable[QuestionResult],
              therapy_stage: str, implanted: bool) -> Readiness:
    """The patient's readiness to agree: modules unread (in order), wrong answers, and whether a trial was done."""
    done = set(read)
    wrong = tuple((r.module_id, r.question_id) for r in teach_back_gaps(results))
    return Readiness(tuple(m for m in module_ids if m not in done), wrong,
                     implanted or therapy_stage in TRIAL_DONE_STAGES)


def consent_need(*, therapy_stage: str, implanted: bool, record: SignedFact | None, latest_major: int) -> str:
    """The roster's consent need: "missing" (trial or implant without the agreement), "outdated", or ""."""
    implanted = implanted or therapy_stage in IMPLANTED_STAGES
    needed = {"agrees_implant"} if implanted else set(AGREEMENTS) if therapy_stage == "trial" else set()
    if not needed:
        return ""
    if record is None or record.decision not in needed:
        return "missing"
    return "outdated" if needs_reconsent(record, latest_major) else ""


def missing_topics(required: Sequence[str], discussed: Iterable[str]) -> list[str]:
    """Risk topics not yet marked as discussed, in the content's order."""
    done = set(discussed)
    return [t for t in required if t not in done]


def decode_signature(data_url: str) -> bytes:
    """The PNG bytes of a signature data URL; ValueError with a plain reason if it is not one."""
    if not data_url or not data_url.startswith(DATA_URL_PREFIX):
        raise ValueError("The signature must be a PNG picture.")
    encoded = data_url[len(DATA_URL_PREFIX):]
    if len(encoded) > MAX_SIGNATURE_BYTES * 4 // 3 + 4:
        raise ValueError("The signature picture is too large.")
    try:
        png = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("The signature picture is damaged.") from None
    if not png.startswith(PNG_MAGIC) or len(png) < 33 or png[12:16] != b"IHDR":
        raise ValueError("The signature must be a PNG picture.")
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    if not (0 < width <= MAX_SIGNATURE_SIDE and 0 < height <= MAX_SIGNATURE_SIDE):
        raise ValueError("The signature picture has the wrong size.")
    return png
