"""The wallet card fits its 85.6 x 54 mm pages even with three drugs and the longest MRI note."""
from datetime import date

from fpdf import FPDF

from companion.pump import card_pdf, schedule

CARD = {"patient_name": "Alexandra Montgomery-Featherstone", "model": "Prometra II 40 mL",
        "implanted_on": date(2024, 11, 23), "clinic_name": "Demo Pain Clinic", "clinic_phone": "+1 555 010 2000",
        "out_of_hours_phone": "+1 555 010 2999", "mri_note": schedule.PUMP_MODELS["prometra_ii_40"].mri_patient_note,
        "drugs": [{"name": name, "concentration": "0.025", "concentration_unit": "mcg/mL", "daily_dose": "2.4",
                   "daily_dose_unit": "mcg/day"} for name in ("Ziconotide", "Hydromorphone", "Bupivacaine")]}


def test_each_side_ends_inside_the_card():
    for side in (card_pdf._front, card_pdf._back):
        pdf = FPDF(unit="mm", format=(card_pdf.WIDTH, card_pdf.HEIGHT))
        pdf.set_margins(4, 4, 4)
        pdf.set_auto_page_break(False)
        side(pdf, CARD)
        assert pdf.page == 1 and pdf.get_y() <= card_pdf.HEIGHT - 3, side.__name__


def test_text_outside_latin1_is_replaced_not_dropped():
    assert card_pdf._latin1("2 µg/mL — ok") == "2 mcg/mL - ok"
    assert card_pdf.render(dict(CARD, patient_name="Zoë Ōkubo")).startswith(b"%PDF")
