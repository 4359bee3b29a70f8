"""The decision summary as a one-page PDF (fpdf2): leaning, values most important first, questions, dates."""
from __future__ import annotations

from fpdf.enums import XPos, YPos
from flask_babel import gettext as _

from companion.clock import utcnow
from companion.consent.decision_aid.queries import Summary
from companion.consent.pdf import _RecordPDF, use_unicode_font
from companion.consent.rules import local_date


def _doc() -> _RecordPDF:
    """An A4 page with a Unicode font when one is installed, kept to one page."""
    doc = _RecordPDF(format="A4")
    use_unicode_font(doc)
    doc.record_label = _("My decision summary")
    doc.set_title(_("My decision summary"))
    doc.set_author("Companion")
    doc.set_auto_page_break(False)
    doc.add_page()
    return doc


def _text(doc: _RecordPDF, text: str, size: float = 10, bold: bool = False, height: float = 5.5) -> None:
    """One wrapped paragraph."""
    doc.set_font(doc.body_font, "B" if bold else "", size)
    doc.multi_cell(0, height, doc.safe(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def render(patient, summary: Summary, scale: dict) -> bytes:
    """The PDF bytes of one patient's decision summary."""
    doc = _doc()
    aid, answer = summary.aid, summary.answer
    _text(doc, _("My decision summary: treatment for long-term pain"), size=15, bold=True, height=8)
    _text(doc, f"{patient.full_name} · {patient.clinic.name}")
    tz = patient.clinic.timezone
    saved = local_date(answer.saved_at, tz).isoformat() if answer else _("not saved yet")
    _text(doc, _("Answers saved: %(date)s. Information dated %(date2)s.", date=saved, date2=aid.version), size=9)
    doc.ln(2)
    _text(doc, _("Right now I lean toward"), size=12, bold=True, height=7)
    _text(doc, summary.leaning or (_("I am not sure yet") if summary.unsure else _("Not said")))
    doc.ln(2)
    _text(doc, _("How much each of these matters to me"), size=12, bold=True, height=7)
    for text, rating in summary.values:
        _text(doc, f"{text}: {scale[rating] if rating is not None else _('not answered')}")
    doc.ln(2)
    _text(doc, _("My questions for the care team"), size=12, bold=True, height=7)
    _text(doc, (answer.questions if answer and answer.questions else _("None written")))
    doc.ln(3)
    _text(doc, _("Options I compared: %(names)s.", names="; ".join(o.name for o in aid.options)), size=9)
    _text(doc, _("Printed %(date)s. This summary is for talking with your care team. It is not a consent form.",
                 date=local_date(utcnow(), tz).isoformat()), size=9)
    return bytes(doc.output())
