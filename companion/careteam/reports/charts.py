"""Server-rendered SVG bar charts for the quality report (pure; the diary charts' look; a table follows each)."""
from __future__ import annotations

from collections.abc import Sequence
from html import escape

from companion.diary.charts import GRID, INK, LINE, MUTED

WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 340, 170, 34, 8, 14, 30


def number(value: float | None, unit: str = "") -> str:
    """A figure without trailing zeros ("5", "2.5"), "—" when there is none."""
    if value is None:
        return "—"
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return f"{text}{unit}"


def bar_chart(chart_id: str, title: str, labels: Sequence[str], values: Sequence[float | None], *,
              unit: str = "", y_max: float | None = None) -> str:
    """One bar per period with its value written above it (no value: a gap marked "—")."""
    top = y_max or max([v for v in values if v is not None] or [1]) or 1
    slot = (WIDTH - LEFT - RIGHT) / max(len(values), 1)
    bottom_y = HEIGHT - BOTTOM
    body = [f'<line x1="{LEFT}" y1="{bottom_y}" x2="{WIDTH - RIGHT}" y2="{bottom_y}" stroke="{GRID}"/>',
            f'<text x="{LEFT - 4}" y="{TOP + 4}" text-anchor="end" font-size="10" fill="{MUTED}">'
            f'{escape(number(top))}</text>',  # units are in the title
            f'<text x="{LEFT - 4}" y="{bottom_y}" text-anchor="end" font-size="10" fill="{MUTED}">0</text>']
    for i, (label, value) in enumerate(zip(labels, values)):
        x = LEFT + i * slot
        if value is not None:
            height = (bottom_y - TOP) * min(value, top) / top
            body.append(f'<rect x="{x + slot * 0.15:.1f}" y="{bottom_y - height:.1f}" width="{slot * 0.7:.1f}" '
                        f'height="{height:.1f}" fill="{LINE}"/>')
        y = bottom_y - (bottom_y - TOP) * min(value or 0, top) / top - 3
        body.append(f'<text x="{x + slot / 2:.1f}" y="{y:.1f}" text-anchor="middle" font-size="9" fill="{INK}">'
                    f'{escape(number(value))}</text>')
        if len(labels) <= 6 or (len(labels) - 1 - i) % 2 == 0:  # every other week, ending on this one
            body.append(f'<text x="{x + slot / 2:.1f}" y="{bottom_y + 14}" text-anchor="middle" font-size="9" '
                        f'fill="{MUTED}">{escape(label[-3:] if "W" in label else label[-5:])}</text>')
    desc = "; ".join(f"{label}: {number(value, unit)}" for label, value in zip(labels, values))
    return (f'<svg class="chart" id="{escape(chart_id)}" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" '
            f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" xmlns="http://www.w3.org/2000/svg">'
            f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
            f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>' + "".join(body) + "</svg>")
