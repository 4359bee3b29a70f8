"""The visit summary PDF (fpdf2): charts drawn as lines with refill markers, cases, refills, medicines (pure)."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from fpdf import FPDF

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")  # Unicode names when installed; Latin-1 core font otherwise
INK, MUTED, LINE, MARK, GRID = (20, 32, 28), (74, 87, 83), (11, 92, 74), (122, 74, 0), (212, 221, 217)
SLEEPY = ("Awake", "Drowsy", "Drifts off", "Hard to wake")


class _SummaryPDF(FPDF):
    """An FPDF page with the summary's footer and a font that may lack non-Latin letters."""

    body_font, unicode, footer_text = "Helvetica", False, ""

    def footer(self) -> None:
        """Print the footer text and page number at the bottom of every page."""
        self.set_y(-12)
        self.set_font(self.body_font, size=8)
        self.set_text_color(*MUTED)
        self.cell(0, 5, self.safe(f"{self.footer_text}   Page {self.page_no()}/{{nb}}"), align="C")

    def safe(self, text: str) -> str:
        """Text the chosen font can draw."""
        text = str(text)
        if self.unicode:
            return text
        text = text.replace("—", "-").replace("–", "-").replace("’", "'").replace("→", "->")
        return text.encode("latin-1", "replace").decode("latin-1")


def _new_pdf() -> _SummaryPDF:
    doc = _SummaryPDF(format="A4")
    if (FONT_DIR / "DejaVuSans.ttf").exists() and (FONT_DIR / "DejaVuSans-Bold.ttf").exists():
        doc.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
        doc.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        doc.body_font, doc.unicode = "DejaVu", True
    doc.set_auto_page_break(True, margin=16)
    doc.alias_nb_pages()
    return doc


def _heading(doc: _SummaryPDF, text: str) -> None:
    if doc.get_y() > doc.h - 40:
        doc.add_page()
    doc.ln(3)
    doc.set_font(doc.body_font, "B", 12)
    doc.set_text_color(*INK)
    doc.cell(0, 7, doc.safe(text), new_x="LMARGIN", new_y="NEXT")
    doc.set_font(doc.body_font, "", 9)


def _line(doc: _SummaryPDF, text: str) -> None:
    doc.set_x(doc.l_margin)
    doc.multi_cell(0, 5, doc.safe(text), new_x="LMARGIN", new_y="NEXT")


def _chart(doc: _SummaryPDF, title: str, points, start: date, end: date, markers, y_max: float,
           ticks: tuple[tuple[float, str], ...]) -> None:
    """A small line chart: grid, values, dashed markers for refills and dose changes, dates underneath."""
    left, width, height = doc.l_margin + 22, doc.w - doc.l_margin - doc.r_margin - 24, 32
    if doc.get_y() + height + 16 > doc.h - 16:
        doc.add_page()
    doc.set_font(doc.body_font, "B", 10)
    doc.cell(0, 6, doc.safe(title), new_x="LMARGIN", new_y="NEXT")
    top = doc.get_y() + 2
    span = max((end - start).days, 1)

    def x(day: date) -> float:
        return left + width * (day - start).days / span

    def y(value: float) -> float:
        return top + height - height * min(max(value, 0), y_max) / y_max

    doc.set_font(doc.body_font, "", 7)
    doc.set_draw_color(*GRID)
    doc.set_line_width(0.2)
    for value, label in ticks:
        doc.line(left, y(value), left + width, y(value))
        doc.set_xy(doc.l_margin, y(value) - 2)
        doc.cell(20, 4, doc.safe(label), align="R")
    doc.set_draw_color(*MARK)
    doc.set_text_color(*MARK)
    for i, (day, label) in enumerate(m for m in markers if start <= m[0] <= end):
        with doc.local_context(dash_pattern={"dash": 1.2, "gap": 0.8}):
            doc.line(x(day), top, x(day), top + height)
        doc.set_xy(x(day) + 0.5, top + 3.5 * (i % 2))
        doc.cell(24, 3.5, doc.safe(label))
    doc.set_text_color(*INK)
    doc.set_draw_color(*LINE)
    doc.set_fill_color(*LINE)
    doc.set_line_width(0.5)
    shown = sorted((d, v) for d, v in points if start <= d <= end)
    for (d1, v1), (d2, v2) in zip(shown, shown[1:]):
        if (d2 - d1).days <= 3:
            doc.line(x(d1), y(v1), x(d2), y(v2))
    for d, v in shown:
        doc.ellipse(x(d) - 0.7, y(v) - 0.7, 1.4, 1.4, style="F")
    doc.set_line_width(0.2)
    doc.set_text_color(*MUTED)
    for day, align, offset in ((start, "L", 0), (end, "R", -30)):
        doc.set_xy(x(day) + offset, top + height + 1)
        doc.cell(30, 4, f"{day:%d %b %Y}", align=align)
    if not shown:
        doc.set_xy(left, top + height / 2 - 2)
        doc.cell(width, 4, "No entries in this period", align="C")
    doc.set_text_color(*INK)
    doc.set_y(top + height + 7)


def visit_summary(data) -> bytes:
    """The PDF bytes of a visit summary for `data` (an exports.queries.ExportData with `days` set)."""
    p, zone = data.patient, ZoneInfo(data.patient["timezone"])
    doc = _new_pdf()
    doc.footer_text = f"{p['full_name']} · {p['record_number']} · {p['clinic_name']}"
    doc.add_page()
    doc.set_font(doc.body_font, "B", 16)
    doc.cell(0, 9, doc.safe(f"Visit summary: {p['full_name']}"), new_x="LMARGIN", new_y="NEXT")
    doc.set_font(doc.body_font, "", 9)
    born = p["birth_date"].isoformat() if p.get("birth_date") else "not recorded"
    _line(doc, f"Record {p['record_number']} · born {born} · {p['clinic_name']} ({p['clinic_phone']})")
    _line(doc, f"Last {data.days} days: {data.start:%d %b %Y} to {data.end:%d %b %Y}. "
               f"Made {data.generated_at.astimezone(zone):%d %b %Y %H:%M} ({p['timezone']}).")
    if data.pump:
        drugs = "; ".join(f"{d['name']} {d['concentration']} {d['concentration_unit']}, {d['daily_dose']} "
                          f"{d['daily_dose_unit']}" for d in data.pump["drugs"]) or "no confirmed regimen"
        _line(doc, f"Pump: {data.pump['model'] or 'model not recorded'} · {drugs}")

    _heading(doc, "Trends (dashed lines: refills and dose changes)")
    ticks = ((0, "0"), (5, "5"), (10, "10"))
    _chart(doc, "Pain now (0 to 10, daily average)", data.series.get("pain", []), data.start, data.end,
           data.markers, 10, ticks)
    _chart(doc, "Weekly PEG score (0 to 10)", data.series.get("peg", []), data.start, data.end, data.markers, 10,
           ticks)
    _chart(doc, "Sleepiness (worst of the day)", data.series.get("sleepiness", []), data.start, data.end,
           data.markers, 3, tuple(enumerate(SLEEPY)))
    checkins = sum(1 for e in data.entries if e["kind"] == "checkin")
    _line(doc, f"{checkins} check-ins and {sum(1 for e in data.entries if e['kind'] == 'wound')} wound checks "
               f"in this period.")

    _heading(doc, "Cases")
    for c in data.cases:
        state = "OPEN" if c["open"] else f"resolved: {c['resolution'].replace('_', ' ')}"
        note = f" — {c['resolution_note']}" if c["resolution_note"] else ""
        _line(doc, f"{c['opened_at'].astimezone(zone):%d %b %Y %H:%M}  {c['tier'].upper()} ({state}): "
                   f"{'; '.join(c['reasons'])}{note}")
    if not data.cases:
        _line(doc, "No cases in this period.")

    _heading(doc, "Refills and dose changes")
    for r in data.refills:
        drugs = ", ".join(f"{d['name']} {d['concentration']} {d['unit']}/mL at {d['daily_dose']} {d['unit']}/day"
                          for d in r["drugs"])
        due = f"; next due {r['due_on']:%d %b %Y}" if r["due_on"] else ""
        extra = " (dose increase)" if r["is_dose_increase"] else ""
        pending = " [waiting for second check]" if r["status"] != "confirmed" else ""
        _line(doc, f"{r['filled_on']:%d %b %Y}  {r['kind'].replace('_', ' ')}{extra}{pending}: {drugs}; "
                   f"{r['fill_volume_ml']} mL{due}")
        for text in [*r.get("findings", []), r.get("override", "")]:
            if text:
                _line(doc, f"    {text}")
    if not data.refills:
        _line(doc, "No refills in this period.")

    _heading(doc, "Medicines")
    for m in data.medicines:
        _line(doc, f"{m['name']}" + ("  [SEDATING: adds breathing risk with the pump drug]" if m["sedating"] else ""))
    if not data.medicines:
        _line(doc, "No other medicines recorded.")
    return bytes(doc.output())
