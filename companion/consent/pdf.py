"""The signed consent record as a PDF (fpdf2): names, date, version, hash, decision, topics, questions, signatures."""
from __future__ import annotations

import io
from pathlib import Path
from zoneinfo import ZoneInfo

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from companion.consent import rules
from companion.consent.content_loader import ContentError, load_version
from companion.consent.models import ConsentRecord

# DejaVu covers names in most scripts; without it the PDF falls back to a Latin-1 core font.
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


class _RecordPDF(FPDF):
    """A4 pages with a footer naming the record on every page."""

    record_label = ""

    def footer(self) -> None:
        """Record id and page number at the foot of each page."""
        self.set_y(-12)
        self.set_font(self.body_font, size=8)
        self.cell(0, 6, self.safe(f"{self.record_label} · page {self.page_no()}/{{nb}}"), align="C")

    body_font = "Helvetica"
    unicode = False

    def safe(self, text: str) -> str:
        """Text the chosen font can draw."""
        return text if self.unicode else text.encode("latin-1", "replace").decode("latin-1")


def use_unicode_font(doc: _RecordPDF) -> None:
    """Switch the document to DejaVu when it is installed (names in most scripts)."""
    if (FONT_DIR / "DejaVuSans.ttf").is_file() and (FONT_DIR / "DejaVuSans-Bold.ttf").is_file():
        doc.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
        doc.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        doc.body_font, doc.unicode = "DejaVu", True


def _new_pdf(record: ConsentRecord) -> _RecordPDF:
    """A PDF with a Unicode font when one is installed."""
    doc = _RecordPDF(format="A4")
    use_unicode_font(doc)
    doc.record_label = f"Consent record {record.id}"
    doc.set_title(f"Consent record {record.id}")
    doc.set_author("Companion")
    doc.set_auto_page_break(True, margin=18)
    doc.add_page()
    return doc


def _heading(doc: _RecordPDF, text: str) -> None:
    """A section heading."""
    doc.ln(3)
    doc.set_font(doc.body_font, "B", 12)
    doc.multi_cell(0, 7, doc.safe(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.set_font(doc.body_font, "", 10)


def _line(doc: _RecordPDF, text: str, bold_label: str = "") -> None:
    """One wrapped line of text, optionally led by a bold label."""
    if bold_label:
        doc.set_font(doc.body_font, "B", 10)
        doc.multi_cell(0, 5.5, doc.safe(bold_label), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        doc.set_font(doc.body_font, "", 10)
    doc.multi_cell(0, 5.5, doc.safe(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _module_titles(version: str) -> dict[str, str]:
    """Module titles of the signed version, if that version is still packaged."""
    try:
        return {m.id: m.title for m in load_version(version).modules}
    except ContentError:
        return {}


def _signature(doc: _RecordPDF, label: str, kind: str, png: bytes | None, typed: str, signed: str) -> None:
    """A signature: the drawn picture, or the typed name, with when it was given."""
    _heading(doc, label)
    if kind == "drawn" and png:
        if doc.get_y() > doc.h - 60:
            doc.add_page()
        doc.image(io.BytesIO(png), w=70, keep_aspect_ratio=True, h=30)
        doc.ln(1)
        _line(doc, f"Signed on screen, {signed}")
    else:
        _line(doc, f"Typed name: {typed}  (typed instead of drawn, {signed})")


def render(record: ConsentRecord) -> bytes:
    """The PDF bytes of one signed consent record."""
    doc = _new_pdf(record)
    tz = record.patient.clinic.timezone
    signed = record.signed_at.astimezone(ZoneInfo(tz))
    signed_text = signed.strftime("%Y-%m-%d %H:%M %Z")
    doc.set_font(doc.body_font, "B", 16)
    doc.multi_cell(0, 9, doc.safe("Consent record: intrathecal drug pump therapy"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.set_font(doc.body_font, "", 10)
    _line(doc, record.patient.clinic.name)
    _heading(doc, "Summary")
    facts = [("Patient", f"{record.patient_name} ({record.patient_record_number})"),
             ("Clinician", f"{record.clinician_name} ({record.clinician_role})"),
             ("Date signed", signed_text),
             ("Decision", rules.DECISIONS.get(record.decision, record.decision)),
             ("Information version", record.content_version),
             ("Content hash (SHA-256)", record.content_hash),
             ("Interpreter", record.interpreter_language if record.interpreter_used else "none"),
             ("Legal representative", record.representative_name if record.representative_present else "none")]
    if record.supersedes_id:
        facts.append(("Corrects record", f"{record.supersedes_id}: {record.correction_reason}"))
    if record.readiness_gaps:  # signed although not everything was ready: what, and the clinician's reason
        gaps = record.readiness_gaps
        missing = [f"{len(gaps.get('unread_modules', []))} module(s) unread",
                   f"{len(gaps.get('wrong_answers', []))} teach-back answer(s) wrong",
                   "trial done" if gaps.get("trial_done") else "no trial done"]
        facts.append(("Not ready", "; ".join(missing)))
        facts.append(("Reason to go ahead", record.readiness_reason))
    for label, value in facts:
        doc.set_font(doc.body_font, "B", 10)
        doc.cell(48, 5.5, doc.safe(label))
        doc.set_font(doc.body_font, "", 10)
        doc.multi_cell(0, 5.5, doc.safe(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    titles = _module_titles(record.content_version)
    _heading(doc, f"Modules read ({len(record.modules_read)})")
    _line(doc, "; ".join(titles.get(m, m) for m in record.modules_read) or "none")
    _heading(doc, "Teach-back answers")
    for a in record.answers or []:
        mark = "right" if a["correct"] else "WRONG"
        extra = " (wrong at first)" if a["correct"] and a.get("ever_wrong") else ""
        _line(doc, f"Answer: {a['answer']} [{mark}{extra}]", bold_label=a["question"])
    if not record.answers:
        _line(doc, "none")
    _heading(doc, "Risks discussed")
    _line(doc, "\n".join(f"- {rules.risk_topic_label(t)}" for t in record.topics_discussed) or "none")
    _heading(doc, "Questions the patient asked")
    for q in record.questions or []:
        _line(doc, f"Answer: {q['answer']}", bold_label=f"Q: {q['question']}")
    if not record.questions:
        _line(doc, "none recorded")
    patient_label = "Signature of the patient" + (
        f" (signed by legal representative {record.representative_name})" if record.representative_present else "")
    _signature(doc, patient_label, record.patient_signature_kind, record.patient_signature_png,
               record.patient_typed_name, signed_text)
    _signature(doc, "Signature of the clinician", record.clinician_signature_kind, record.clinician_signature_png,
               record.clinician_typed_name, signed_text)
    doc.ln(4)
    doc.set_font(doc.body_font, "", 8)
    _line(doc, f"Record {record.id}, record hash (SHA-256) {record.record_hash}. Signed records are never changed; "
               "a correction is a new record.")
    return bytes(doc.output())
