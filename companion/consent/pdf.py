"""The signed consent record as a PDF (fpdf2): names, date, version, hash, decision, topics, questions, signatures."""
from __future__ import annotations

import io
from pathlib import Path
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from flask_babel import gettext as _
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
        self.cell(0, 6, self.safe(_("%(record)s · page %(page)s/%(pages)s", record=self.record_label, page=self.page_no(), pages="{nb}")), align="C")

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
    """A PDF with a Unicode font when one is installed, in the language the record was signed in."""
    doc = _RecordPDF(format="A4")
    use_unicode_font(doc)
    doc.record_label = _("Consent record %(id)s", id=record.id)
    doc.set_title(doc.record_label)
    doc.set_lang(record.language or "en")
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
        _line(doc, _("Signed on screen, %(when)s", when=signed))
    else:
        _line(doc, _("Typed name: %(name)s  (typed instead of drawn, %(when)s)", name=typed, when=signed))


def render(record: ConsentRecord) -> bytes:
    """The PDF bytes of one signed consent record, in the language it was signed in (whoever downloads it)."""
    with force_locale(record.language or "en"):
        return _render(record)


def _render(record: ConsentRecord) -> bytes:
    """The record's pages, in the current locale."""
    doc = _new_pdf(record)
    tz = record.patient.clinic.timezone
    signed = record.signed_at.astimezone(ZoneInfo(tz))
    signed_text = signed.strftime("%Y-%m-%d %H:%M %Z")
    doc.set_font(doc.body_font, "B", 16)
    doc.multi_cell(0, 9, doc.safe(_("Consent record: intrathecal drug pump therapy")), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.set_font(doc.body_font, "", 10)
    _line(doc, record.patient.clinic.name)
    _heading(doc, _("Summary"))
    facts = [(_("Patient"), f"{record.patient_name} ({record.patient_record_number})"),
             (_("Clinician"), f"{record.clinician_name} ({record.clinician_role})"),
             (_("Date signed"), signed_text),
             (_("Decision"), _(rules.DECISIONS.get(record.decision, record.decision))),
             (_("Information version"), record.content_version),
             (_("Content hash (SHA-256)"), record.content_hash),
             (_("Interpreter"), record.interpreter_language if record.interpreter_used else _("none")),
             (_("Legal representative"), record.representative_name if record.representative_present else _("none"))]
    if record.supersedes_id:
        facts.append((_("Corrects record"), f"{record.supersedes_id}: {record.correction_reason}"))
    if record.readiness_gaps:  # signed although not everything was ready: what, and the clinician's reason
        gaps = record.readiness_gaps
        missing = [_("%(n)s module(s) unread", n=len(gaps.get("unread_modules", []))),
                   _("%(n)s teach-back answer(s) wrong", n=len(gaps.get("wrong_answers", []))),
                   _("trial done") if gaps.get("trial_done") else _("no trial done")]
        facts.append((_("Not ready"), "; ".join(missing)))
        facts.append((_("Reason to go ahead"), record.readiness_reason))
    for label, value in facts:
        doc.set_font(doc.body_font, "B", 10)
        doc.cell(48, 5.5, doc.safe(label))
        doc.set_font(doc.body_font, "", 10)
        doc.multi_cell(0, 5.5, doc.safe(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    titles = _module_titles(record.content_version)
    _heading(doc, _("Modules read (%(n)s)", n=len(record.modules_read)))
    _line(doc, "; ".join(titles.get(m, m) for m in record.modules_read) or _("none"))
    _heading(doc, _("Teach-back answers"))
    for a in record.answers or []:
        mark = _("right") if a["correct"] else _("WRONG")
        extra = _(" (wrong at first)") if a["correct"] and a.get("ever_wrong") else ""
        _line(doc, _("Answer: %(answer)s [%(mark)s%(extra)s]", answer=a["answer"], mark=mark, extra=extra),
              bold_label=a["question"])
    if not record.answers:
        _line(doc, _("none"))
    _heading(doc, _("Risks discussed"))
    _line(doc, "\n".join(f"- {_(rules.risk_topic_label(t))}" for t in record.topics_discussed) or _("none"))
    _heading(doc, _("Questions the patient asked"))
    for q in record.questions or []:
        _line(doc, _("Answer: %(answer)s", answer=q["answer"]), bold_label=_("Q: %(question)s", question=q["question"]))
    if not record.questions:
        _line(doc, _("none recorded"))
    patient_label = _("Signature of the patient") + (
        _(" (signed by legal representative %(name)s)", name=record.representative_name)
        if record.representative_present else "")
    _signature(doc, patient_label, record.patient_signature_kind, record.patient_signature_png,
               record.patient_typed_name, signed_text)
    _signature(doc, _("Signature of the clinician"), record.clinician_signature_kind, record.clinician_signature_png,
               record.clinician_typed_name, signed_text)
    doc.ln(4)
    doc.set_font(doc.body_font, "", 8)
    _line(doc, _("Record %(id)s, record hash (SHA-256) %(hash)s. Signed records are never changed; "
                 "a correction is a new record.", id=record.id, hash=record.record_hash))
    return bytes(doc.output())
