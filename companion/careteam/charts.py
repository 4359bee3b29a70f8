"""The record's charts: the diary's trend series drawn again with refills and dose changes on the time axis."""
from __future__ import annotations

from collections.abc import Sequence

from companion.diary import charts
from companion.diary.queries import SLEEPY_LABELS, WOUND_SIGNS, Trends


def record_charts(trends: Trends, markers: Sequence[tuple]) -> dict[str, str]:
    """SVGs for pain, PEG, sleepiness and wound signs with (date, label) markers (pure: data in, SVG out)."""
    marks = [(m[0], m[1]) for m in markers]
    days, start, end = trends.days, trends.start, trends.end
    return {
        "pain": charts.line_chart(f"rec-pain-{days}", f"Pain now, last {days} days (0 to 10)", trends.pain,
                                  start=start, end=end, markers=marks),
        "peg": charts.line_chart(f"rec-peg-{days}", f"PEG score, last {days} days (0 to 10)", trends.peg,
                                 start=start, end=end, markers=marks),
        "sleepiness": charts.line_chart(
            f"rec-sleepy-{days}", f"Sleepiness, last {days} days", trends.sleepiness, start=start, end=end, y_max=3,
            left=74, y_ticks=tuple(enumerate(SLEEPY_LABELS)), markers=marks),
        "wound": charts.level_chart(
            f"rec-wound-{days}", f"Wound signs, last {days} days",
            [(label, [(day, signs[key]) for day, signs in trends.wound if key in signs]) for key, label in WOUND_SIGNS],
            start=start, end=end, levels=4, markers=marks),
    }
