"""docs/red-flag-rules.md lists every rule code with the tier and source the rules give it."""
from __future__ import annotations

import re
from pathlib import Path

from companion.escalation.rules import evaluate
from tests.unit.test_escalation_rules import PROBES

DOC = Path(__file__).resolve().parents[2] / "docs" / "red-flag-rules.md"


def _rows() -> dict[str, tuple[str, str]]:
    """code -> (tier, source) from the doc's table; a row may name several codes joined by ' / '."""
    rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 6 and re.fullmatch(r"[a-z_ /]+", cells[0]) and cells[1] in ("emergency", "urgent", "routine"):
            for code in cells[0].split(" / "):
                rows[code] = (cells[1], cells[4])
    return rows


def test_every_rule_code_is_in_the_sign_off_table_with_its_tier_and_source() -> None:
    """A new rule, a changed tier or a changed source without updating the doc fails here."""
    rows = _rows()
    for code, tier, obs, ctx in PROBES:
        reason = {r.code: r for r in evaluate(obs, ctx).reasons}[code]
        assert code in rows, f"{code} missing from {DOC.name}"
        assert rows[code] == (tier, reason.source), (code, rows[code], (tier, reason.source))
    assert set(rows) == {p[0] for p in PROBES}
