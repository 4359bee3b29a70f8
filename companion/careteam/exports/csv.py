"""The diary as CSV: one row per entry, the trend values in fixed columns, every answer in words (pure)."""
from __future__ import annotations

import csv as std_csv
import io
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from companion.clock import in_zone

COLUMNS = ("entry_id", "kind", "recorded_at_local", "recorded_at_utc", "received_at_utc", "reported_by", "tier",
           "pain_now", "peg_score", "sleepiness", "breaths_per_min", "temperature_c", "wound_redness",
           "wound_drainage", "wound_swelling", "photos", "questionnaire", "answers")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    """A safe cell: spreadsheet formulas are neutralised (CSV injection), None is empty."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) and not _number(text) else text


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _answers(items: Sequence[dict]) -> str:
    parts = []
    for item in items:
        unit = f" °{item['unit']}" if item.get("unit") else ""
        parts.append(f"{item['text']}: {item['label']}{unit}")
    return " | ".join(parts)


def diary_csv(entries: Sequence[dict], timezone: str) -> str:
    """CSV text of diary entries (plain dicts from exports.queries.entry_dict), oldest first."""
    zone = ZoneInfo(timezone or "UTC")
    out = io.StringIO()
    writer = std_csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for e in entries:
        writer.writerow([_cell(v) for v in (
            e["id"], e["kind"], in_zone(e["recorded_at"], zone).strftime("%Y-%m-%d %H:%M"),
            e["recorded_at"].isoformat(), e["received_at"].isoformat(), e["reporter"], e["tier"], e["pain_now"],
            e["peg_score"], e["sleepiness"], e["breaths_per_min"], e["temperature_c"], e["wound_redness"],
            e["wound_drainage"], e["wound_swelling"], e["photos"],
            f"{e['questionnaire_id']} {e['questionnaire_version']}", _answers(e["items"]))])
    return out.getvalue()
