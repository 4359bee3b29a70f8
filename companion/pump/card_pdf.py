"""The pump card as a wallet-size PDF (85.6 x 54 mm, front and back), drawn with fpdf2."""
from flask_babel import gettext as _
from fpdf import FPDF

from companion.i18n import html_lang

WIDTH, HEIGHT = 85.6, 54.0  # ID-1, the size of a bank card
_REPLACE = {"\u2014": "-", "\u2013": "-", "\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"',
            "\u00b5": "mc", "\u2264": "<=", "\u2265": ">="}


def _latin1(text: str) -> str:
    """What the built-in PDF fonts can print."""
    for bad, good in _REPLACE.items():
        text = text.replace(bad, good)
    return text.encode("latin-1", "replace").decode("latin-1")


def _drug_line(drug: dict) -> str:
    """'Morphine 10 mg/mL, 5 mg a day'."""
    return (f"{drug['name']} {drug['concentration']} {drug['concentration_unit']}, "
            f"{drug['daily_dose']} {drug['daily_dose_unit']}")


def render(card: dict) -> bytes:
    """Front: who, pump and drugs. Back: clinic numbers and MRI rule."""
    pdf = FPDF(unit="mm", format=(WIDTH, HEIGHT))
    pdf.set_margins(4, 4, 4)
    pdf.set_auto_page_break(False)
    pdf.set_title(_("Pump card"))
    pdf.set_lang(html_lang())  # the card is printed in the patient's language
    _front(pdf, card)
    _back(pdf, card)
    return bytes(pdf.output())


def _front(pdf: FPDF, card: dict) -> None:
    pdf.add_page()
    pdf.set_fill_color(11, 92, 74)
    pdf.rect(0, 0, WIDTH, 9, style="F")
    pdf.set_text_color(255, 255, 255)
    pdf.set_font("Helvetica", "B", 9)
    pdf.set_xy(4, 2.2)
    pdf.cell(0, 5, _latin1(_("IMPLANTED DRUG PUMP - SPINAL MEDICINE")))
    pdf.set_text_color(20, 32, 28)
    pdf.set_xy(4, 11)
    pdf.set_font("Helvetica", "B", 9)
    pdf.cell(0, 4.5, _latin1(card["patient_name"]), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 7)
    lines = [_("Pump: %(model)s", model=card["model"] or _("see clinic"))]
    if card.get("implanted_on"):
        lines.append(_("Implanted: %(date)s", date=card["implanted_on"].isoformat()))
    lines += [_drug_line(d) for d in card["drugs"]] or [_("Drug: ask the clinic")]
    if card.get("holds_baclofen"):
        lines.append(_("Baclofen must never stop suddenly."))
    if card.get("naloxone_at_home") is not None:
        lines.append(_("Naloxone at home: yes") if card["naloxone_at_home"] else _("Naloxone at home: no"))
    for line in lines:
        pdf.multi_cell(0, 3.6, _latin1(line), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 7)
    pdf.set_xy(4, HEIGHT - 8)
    pdf.multi_cell(0, 3.4, _latin1(_("Show this card to any doctor or the emergency department.")))


def _back(pdf: FPDF, card: dict) -> None:
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 7.5)
    pdf.cell(0, 4, _latin1(_("Pump clinic: %(name)s", name=card["clinic_name"])), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 7)
    pdf.cell(0, 3.6, _latin1(_("Clinic: %(phone)s", phone=card["clinic_phone"])), new_x="LMARGIN", new_y="NEXT")
    if card.get("out_of_hours_phone"):
        pdf.cell(0, 3.6, _latin1(_("Out of hours: %(phone)s", phone=card["out_of_hours_phone"])), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    pdf.set_font("Helvetica", "B", 7)
    pdf.cell(0, 3.6, "MRI", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 6.2)
    pdf.multi_cell(0, 2.9, _latin1(_(card["mri_note"])), new_x="LMARGIN", new_y="NEXT")
