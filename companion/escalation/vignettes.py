"""Load clinical vignettes from YAML and check a rules function against them."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import vocabulary
from .rules import TIERS


@dataclass(frozen=True)
class Vignette:
    """One reported situation and the tier the rules must return."""

    id: str
    expect: str
    observations: Mapping[str, Any] = field(default_factory=dict)
    context: Mapping[str, Any] = field(default_factory=dict)
    story: str = ""


@dataclass(frozen=True)
class Outcome:
    """What the rules returned for one vignette, and whether it matched."""

    id: str
    expected: str
    returned: str
    codes: tuple[str, ...]
    ok: bool


def _vignette(raw: object, where: str) -> Vignette:
    """Validate one YAML entry, naming the file and id in any error."""
    if not isinstance(raw, Mapping) or "id" not in raw:
        raise ValueError(f"{where}: each vignette needs an id")
    vid = str(raw["id"])
    if raw.get("expect") not in TIERS:
        raise ValueError(f"{where}: {vid}: expect must be one of {', '.join(TIERS)}")
    obs, ctx = raw.get("observations") or {}, raw.get("context") or {}
    if not isinstance(obs, Mapping) or not isinstance(ctx, Mapping):
        raise ValueError(f"{where}: {vid}: observations and context must be mappings")
    # A misspelt key or value would silently test nothing, so the vocabulary is closed.
    wrong = vocabulary.problems(obs, ctx)
    if wrong:
        raise ValueError(f"{where}: {vid}: " + "; ".join(wrong))
    return Vignette(vid, raw["expect"], dict(obs), dict(ctx), str(raw.get("story", "")))


def load(path: str | Path) -> list[Vignette]:
    """Read a vignette file (format of vignettes.yaml); raise ValueError on bad YAML, keys, values or ids."""
    with open(path, encoding="utf-8") as handle:
        try:
            data = yaml.safe_load(handle)
        except yaml.YAMLError as error:
            raise ValueError(f"{path}: not valid YAML: {error}") from error
    raw = data.get("vignettes") if isinstance(data, Mapping) else None
    if not isinstance(raw, list):
        raise ValueError(f"{path}: expected a top-level 'vignettes' list")
    vignettes = [_vignette(item, str(path)) for item in raw]
    seen: set[str] = set()
    for v in vignettes:
        if v.id in seen:
            raise ValueError(f"{path}: duplicate vignette id {v.id}")
        seen.add(v.id)
    return vignettes


def supersede(vignettes: list[Vignette], path: str | Path) -> list[Vignette]:
    """Vignettes of a file we may not edit (the shared one) whose expectation a later clinical revision made
    stricter: `path` lists id, was, expect and why. Only stricter, and an entry the file has caught up with (or
    that names a missing id) is an error, so the list cannot quietly outlive its reason."""
    with open(path, encoding="utf-8") as handle:
        entries = (yaml.safe_load(handle) or {}).get("superseded") or []
    by_id = {v.id: v for v in vignettes}
    out = {v.id: v for v in vignettes}
    for entry in entries:
        vid, was, stricter = str(entry.get("id")), entry.get("was"), entry.get("expect")
        if vid not in by_id:
            raise ValueError(f"{path}: {vid} is not in the vignette file")
        if by_id[vid].expect != was:
            raise ValueError(f"{path}: {vid} now expects {by_id[vid].expect}, not {was}: remove this entry")
        if stricter not in TIERS or TIERS.index(stricter) >= TIERS.index(was) or not entry.get("why"):
            raise ValueError(f"{path}: {vid} may only be made stricter, with a reason")
        out[vid] = Vignette(vid, stricter, by_id[vid].observations, by_id[vid].context, by_id[vid].story)
    return [out[v.id] for v in vignettes]


def run(vignettes: Iterable[Vignette], evaluate_fn: Callable[[Mapping, Mapping], Any]) -> list[Outcome]:
    """Evaluate each vignette; evaluate_fn returns an object with .tier and .reasons (with .code)."""
    outcomes = []
    for v in vignettes:
        result = evaluate_fn(v.observations, v.context)
        codes = tuple(r.code for r in result.reasons)
        outcomes.append(Outcome(v.id, v.expect, result.tier, codes, result.tier == v.expect))
    return outcomes


def format_line(outcome: Outcome) -> str:
    """One aligned line: id, expected, returned, ok or FAIL, and the reason codes."""
    status = "ok" if outcome.ok else "FAIL"
    codes = ",".join(outcome.codes) or "-"
    return (f"{outcome.id:<4} expect={outcome.expected:<9}  got={outcome.returned:<9}  "
            f"{status}  codes={codes}")


def summary(outcomes: Iterable[Outcome]) -> str:
    """Counts, e.g. "24 passed, 0 failed"."""
    results = [o.ok for o in outcomes]
    return f"{sum(results)} passed, {len(results) - sum(results)} failed"
