"""Red-flag rules: observations and context in, a tier with reasons out (standard library only)."""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from ..thresholds import Threshold, values
from .base import CASE_TIERS, RANK, TIERS, Facts, Reason, Result
from .breathing import (alarming_signs, breathing_at_limit, breathing_slow, breathing_trouble, hard_to_wake,
                        sedating_medicines, sedation)
from .client import client_emergency_rules, client_rules, client_urgent_rules
from .drugs import baclofen_withdrawal, clonidine_withdrawal
from .nervous import (confusion_or_hallucinations, cord_compression, inflammatory_mass, meningitis, pain_rise,
                      withdrawal)
from .site import csf_leak, device, fever, pump_alarm, side_effects, wound

__all__ = ["CASE_TIERS", "RULES", "TIERS", "Reason", "Result", "client_emergency_rules", "client_rules",
           "client_urgent_rules", "evaluate"]

Rule = Callable[[Facts], Iterator[Reason]]
# Order only breaks ties inside a tier: the most life-threatening families come first.
RULES: list[Rule] = [
    breathing_slow, breathing_at_limit, hard_to_wake, breathing_trouble, alarming_signs, sedation,
    sedating_medicines, meningitis, baclofen_withdrawal, clonidine_withdrawal, cord_compression,
    inflammatory_mass, pain_rise, withdrawal, confusion_or_hallucinations,
    wound, fever, csf_leak, device, pump_alarm, side_effects,
]


def evaluate(observations: Mapping, context: Mapping,
             thresholds: Mapping[str, Threshold] | None = None) -> Result:
    """Run every rule; the tier is the most severe reason's, reasons sorted most severe first."""
    facts = Facts(observations or {}, context or {}, values(thresholds))
    found = [found_reason for rule in RULES for found_reason in rule(facts)]
    found.sort(key=lambda r: -RANK[r.tier])  # stable, so rule order holds within a tier
    return Result(found[0].tier if found else "none", tuple(found))
