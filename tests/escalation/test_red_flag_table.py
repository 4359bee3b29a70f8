"""docs/red-flag-rules.md lists every rule code with the tier and source the rules give it."""
from __future__ import annotations

import re
from pathlib import Path

from companion.escalation.rules import evaluate
from tests.unit.test_escalation_rules import _CLIENT, PROBES, _client_tier, _phone_facts

DOC = Path(__file__).resolve().parents[2] / "docs" / "red-flag-rules.md"


def _table() -> list[list[str]]:
    """The rule rows of the doc's table as lists of cells."""
    found = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 7 and re.fullmatch(r"[a-z_ /]+", cells[0]) and cells[1] in ("emergency", "urgent", "routine"):
            found.append(cells)
    return found


def _rows() -> dict[str, tuple[str, str]]:
    """code -> (tier, source) from the doc's table; a row may name several codes joined by ' / '."""
    return {code: (cells[1], cells[4]) for cells in _table() for code in cells[0].split(" / ")}


def _offline(tier: str, obs: dict, ctx: dict) -> str:
    """What the phone shows offline for a probe: at once, only with the kept context, or nothing (routine)."""
    if tier == "routine":
        return "no (routine)"
    if _client_tier(_CLIENT, obs) == tier:
        return "yes"
    return "with kept context" if _client_tier(_CLIENT, _phone_facts(obs, ctx), context=True) == tier else "no"


def test_the_offline_column_says_what_the_phone_shows() -> None:
    """The Offline column matches the phone's rules on each rule's probe (issue 12: context rules offline too)."""
    said = {code: set(cells[5].split(" / ")) for cells in _table() for code in cells[0].split(" / ")}
    for code, tier, obs, ctx in PROBES:
        assert _offline(tier, obs, ctx) in said[code], (code, said[code])
        assert "no" not in said[code], f"{code}: an urgent or emergency rule the phone cannot show offline"


def test_every_rule_code_is_in_the_sign_off_table_with_its_tier_and_source() -> None:
    """A new rule, a changed tier or a changed source without updating the doc fails here."""
    rows = _rows()
    for code, tier, obs, ctx in PROBES:
        reason = {r.code: r for r in evaluate(obs, ctx).reasons}[code]
        assert code in rows, f"{code} missing from {DOC.name}"
        assert rows[code] == (tier, reason.source), (code, rows[code], (tier, reason.source))
    assert set(rows) == {p[0] for p in PROBES}
