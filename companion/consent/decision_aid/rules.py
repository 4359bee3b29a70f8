"""Pure decision-aid rules: the icon array SVG, and reading the values exercise. Standard library only."""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

SCALE = (0, 1, 2, 3, 4)  # "not at all" .. "very much"
UNSURE = "unsure"
CELL_W, CELL_H = 12, 14
ON, MAYBE, OFF = "#12365f", "#ffffff", "#949494"  # navy; white outlined in navy; grey: each 3:1 or more against the others and white


def _figure(x: int, y: int, state: str) -> str:
    """One person: a head and shoulders, drawn at cell (x, y)."""
    fill = {"on": ON, "maybe": MAYBE, "off": OFF}[state]
    stroke = f' stroke="{ON}" stroke-width="1"' if state == "maybe" else ""
    ox, oy = x * CELL_W, y * CELL_H
    return (f'<g data-state="{state}" fill="{fill}"{stroke}>'
            f'<circle cx="{ox + 6}" cy="{oy + 3.5}" r="2.6"/>'
            f'<path d="M{ox + 1.5} {oy + 13} v-3.5 a4.5 4.5 0 0 1 9 0 v3.5 z"/></g>')


def icon_array(highlighted: int, label: str, maybe: int = 0, total: int = 100, per_row: int = 10) -> str:
    """An SVG of `total` people, the first `highlighted` filled and the next `maybe` outlined, named by `label`."""
    if highlighted < 0 or maybe < 0 or highlighted + maybe > total or total <= 0 or per_row <= 0:
        raise ValueError(f"cannot draw {highlighted}+{maybe} of {total}")
    rows = -(-total // per_row)
    figures = []
    for i in range(total):
        state = "on" if i < highlighted else "maybe" if i < highlighted + maybe else "off"
        figures.append(_figure(i % per_row, i // per_row, state))
    return (f'<svg class="icon-array" role="img" aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg" '
            f'viewBox="0 0 {per_row * CELL_W} {rows * CELL_H}" focusable="false"><title>{escape(label)}</title>'
            + "".join(figures) + "</svg>")


@dataclass(frozen=True)
class Answers:
    """The values exercise as the patient left it: a rating per value key, a leaning and questions."""

    ratings: dict[str, int]
    leaning: str
    questions: str


def clean_ratings(submitted: dict[str, str], keys: list[str]) -> tuple[dict[str, int], list[str]]:
    """Ratings on the scale for known keys; also the keys whose submitted value is not on the scale."""
    ratings, bad = {}, []
    for key in keys:
        raw = (submitted.get(key) or "").strip()
        if not raw:
            continue  # skipping a value is allowed: the summary shows it as not answered
        if raw in {str(n) for n in SCALE}:  # not isdigit(): "²" is a digit to Python but no rating
            ratings[key] = int(raw)
        else:
            bad.append(key)
    return ratings, bad


def ranked(ratings: dict[str, int], keys: list[str]) -> list[tuple[str, int | None]]:
    """Every value key with its rating, most important first; unanswered last, each group in content order."""
    order = {k: i for i, k in enumerate(keys)}
    answered = sorted((k for k in keys if k in ratings), key=lambda k: (-ratings[k], order[k]))
    return [(k, ratings[k]) for k in answered] + [(k, None) for k in keys if k not in ratings]
