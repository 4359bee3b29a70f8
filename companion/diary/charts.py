"""Server-rendered SVG charts (pure: plain data in, SVG text out; presentation attributes, no style)."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from html import escape

WIDTH, HEIGHT = 340, 170
TOP, BOTTOM, RIGHT = 10, 30, 12
INK, MUTED, GRID, LINE, DOT = "#14201c", "#4a5753", "#d4ddd9", "#0b5c4a", "#0b5c4a"
LEVEL_FILLS = ("#e6f4ea", "#fff4dc", "#f6c7a8", "#a1130f")  # calm to alarming, never colour alone
MARK = "#7a4a00"  # refills and dose changes: dashed, labelled, so colour is never the only cue


def day_label(day: date) -> str:
    """A short date for an axis, like "Nov 3"."""
    return f"{day:%b} {day.day}"


def _svg(chart_id: str, title: str, desc: str, body: list[str], height: int = HEIGHT) -> str:
    """Wrap chart parts in an accessible SVG (its title and summary are read out; a table follows)."""
    return (
        f'<svg class="chart" id="{escape(chart_id)}" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        f'preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>' + "".join(body) + "</svg>"
    )


def _x(day: date | datetime, start: date, end: date, left: int, pad: bool = False) -> float:
    """The horizontal position of a day (or a moment within a day) between start and end.

    With `pad`, each day is a slot of its own (a date sits in the middle of its slot), so
    morning and evening checks of one day sit apart and the last day is not cut off.
    """
    span = max((end - start).days, 1) + (1 if pad else 0)
    if isinstance(day, datetime):
        offset = (day.date() - start).days + (day.hour + day.minute / 60) / 24
    else:
        offset = (day - start).days + (0.5 if pad else 0)
    return left + (WIDTH - left - RIGHT) * offset / span


def _text(x: float, y: float, label: str, anchor: str = "middle", fill: str = MUTED, size: int = 10) -> str:
    """A small axis label."""
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
            f'fill="{fill}">{escape(label)}</text>')


def _date_axis(start: date, end: date, left: int, bottom_y: float, pad: bool = False) -> list[str]:
    """First, middle and last date under the plot."""
    middle = start + (end - start) / 2
    anchors = ("middle", "middle", "middle") if pad else ("start", "middle", "end")
    return [_text(_x(day, start, end, left, pad), bottom_y + 20, day_label(day), anchor)
            for day, anchor in zip((start, middle, end), anchors)]


def _markers(markers: Sequence[tuple[date, str]], start: date, end: date, left: int, top: float, bottom_y: float,
             pad: bool = False) -> list[str]:
    """Dashed vertical lines with short labels (say a refill), staggered so neighbouring labels do not collide."""
    body = []
    for i, (day, label) in enumerate(sorted(m for m in markers if start <= m[0] <= end)):
        x = _x(day, start, end, left, pad)
        body.append(f'<line x1="{x:.1f}" y1="{top:.1f}" x2="{x:.1f}" y2="{bottom_y:.1f}" stroke="{MARK}" '
                    f'stroke-width="1.5" stroke-dasharray="4 3"/>')
        anchor = "end" if x > WIDTH - 60 else "start"
        body.append(_text(x + (-3 if anchor == "end" else 3), top + 9 + 10 * (i % 2), label, anchor, MARK, 9))
    return body


def _marker_note(markers: Sequence[tuple[date, str]], start: date, end: date) -> str:
    """The markers in words, for the chart's description."""
    shown = [f"{label} on {day_label(day)}" for day, label in sorted(markers) if start <= day <= end]
    return f" Marked: {'; '.join(shown)}." if shown else ""


def line_chart(chart_id: str, title: str, points: Sequence[tuple[date, float]], *, start: date, end: date,
               y_min: float = 0, y_max: float = 10, y_ticks: Sequence[tuple[float, str]] = ((0, "0"), (5, "5"),
               (10, "10")), left: int = 30, desc: str = "", markers: Sequence[tuple[date, str]] = ()) -> str:
    """A line with dots over a date range; gaps of more than 3 days break the line; optional dated markers."""
    plot_h = HEIGHT - TOP - BOTTOM
    bottom_y = TOP + plot_h

    def y(value: float) -> float:
        return bottom_y - plot_h * (min(max(value, y_min), y_max) - y_min) / max(y_max - y_min, 1e-9)

    body = []
    for value, label in y_ticks:
        body.append(f'<line x1="{left}" y1="{y(value):.1f}" x2="{WIDTH - RIGHT}" y2="{y(value):.1f}" '
                    f'stroke="{GRID}" stroke-width="1"/>')
        body.append(_text(left - 4, y(value) + 3.5, label, "end"))
    body += _date_axis(start, end, left, bottom_y)
    body += _markers(markers, start, end, left, TOP, bottom_y)
    ordered = sorted((d, v) for d, v in points if start <= d <= end)
    runs: list[list[tuple[date, float]]] = []
    for day, value in ordered:
        if runs and (day - runs[-1][-1][0]).days <= 3:
            runs[-1].append((day, value))
        else:
            runs.append([(day, value)])
    for run in runs:
        if len(run) > 1:
            path = " ".join(f"{_x(d, start, end, left):.1f},{y(v):.1f}" for d, v in run)
            body.append(f'<polyline points="{path}" fill="none" stroke="{LINE}" stroke-width="2" '
                        f'stroke-linejoin="round" stroke-linecap="round"/>')
    for day, value in ordered:
        body.append(f'<circle cx="{_x(day, start, end, left):.1f}" cy="{y(value):.1f}" r="3" fill="{DOT}"/>')
    if not ordered:
        body.append(_text(WIDTH / 2, TOP + plot_h / 2, "No entries yet", size=12))
    summary = desc or f"{len(ordered)} entries from {day_label(start)} to {day_label(end)}."
    return _svg(chart_id, title, summary + _marker_note(markers, start, end), body)


def level_chart(chart_id: str, title: str, rows: Sequence[tuple[str, Sequence[tuple[date | datetime, int]]]], *,
                start: date, end: date, levels: int = 3, left: int = 70, desc: str = "",
                markers: Sequence[tuple[date, str]] = ()) -> str:
    """One row per sign (say redness), a square per entry, darker and larger as the sign gets worse."""
    row_h = 30
    height = TOP + row_h * len(rows) + BOTTOM
    body = []
    for i, (label, values) in enumerate(rows):
        mid = TOP + row_h * i + row_h / 2
        body.append(_text(left - 6, mid + 3.5, label, "end", INK, 11))
        body.append(f'<line x1="{left}" y1="{mid:.1f}" x2="{WIDTH - RIGHT}" y2="{mid:.1f}" stroke="{GRID}"/>')
        for day, level in values:
            if not start <= (day.date() if isinstance(day, datetime) else day) <= end:
                continue
            level = min(max(level, 0), levels - 1)
            size = 8 + 6 * level / max(levels - 1, 1)
            fill = LEVEL_FILLS[round(level * (len(LEVEL_FILLS) - 1) / max(levels - 1, 1))]
            body.append(f'<rect x="{_x(day, start, end, left, True) - size / 2:.1f}" y="{mid - size / 2:.1f}" '
                        f'width="{size:.1f}" height="{size:.1f}" rx="2" fill="{fill}" stroke="{INK}" '
                        f'stroke-width="1"/>')
    body += _date_axis(start, end, left, TOP + row_h * len(rows), pad=True)
    body += _markers(markers, start, end, left, TOP, TOP + row_h * len(rows), pad=True)
    summary = desc or f"From {day_label(start)} to {day_label(end)}."
    return _svg(chart_id, title, summary + _marker_note(markers, start, end), body, height)


def adherence_chart(chart_id: str, title: str, days: Sequence[tuple[date, bool]], desc: str = "") -> str:
    """A strip of squares, one per day: filled when a check-in was done, outlined when not."""
    if not days:
        return _svg(chart_id, title, desc or "No days yet.", [], 40)
    per_row = 30 if len(days) > 31 else len(days)
    cell = (WIDTH - 2 * RIGHT) / per_row
    rows = -(-len(days) // per_row)
    height = TOP + rows * cell + BOTTOM
    body = []
    for i, (day, done) in enumerate(days):
        x, y = RIGHT + cell * (i % per_row), TOP + cell * (i // per_row)
        fill = LINE if done else "#ffffff"
        body.append(f'<rect x="{x + 1:.1f}" y="{y + 1:.1f}" width="{cell - 2:.1f}" height="{cell - 2:.1f}" '
                    f'rx="2" fill="{fill}" stroke="{LINE if done else MUTED}" stroke-width="1"/>')
    bottom = TOP + rows * cell
    body.append(_text(RIGHT, bottom + 16, day_label(days[0][0]), "start"))
    body.append(_text(WIDTH - RIGHT, bottom + 16, day_label(days[-1][0]), "end"))
    done = sum(1 for _, d in days if d)
    return _svg(chart_id, title, desc or f"Check-ins on {done} of {len(days)} days.", body, int(height))
