"""Red-flag rules: each family, tier order, sources, readability, purity and the offline data."""
from __future__ import annotations

import ast
import functools
import json
import random
import re
import sys
from pathlib import Path

import pytest
import textstat
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import companion.escalation.rules as rules
from companion.escalation import vignettes
from companion.escalation.rules import TIERS, client_emergency_rules, client_rules, evaluate
from companion.escalation.thresholds import DEFAULTS, tighten

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
RANK = {tier: len(TIERS) - i for i, tier in enumerate(TIERS)}
T, F = True, False
E, U, R = "emergency", "urgent", "routine"

# One probe per reason code: (code, tier, observations, context). A new code needs a probe here.
PROBES = [
    ("breathing_slow", E, {"breaths_per_min": 9}, {}),
    ("hard_to_wake", E, {"sleepiness": "hard_to_wake"}, {}),
    ("breathing_trouble_sleepy", E, {"breathing_trouble": T, "sleepiness": "slightly_drowsy"}, {}),
    ("breathing_trouble_sedative", E, {"breathing_trouble": T, "medications_taken": ["alcohol"]}, {}),
    ("breathing_trouble_after_change", E, {"breathing_trouble": T}, {"days_since_refill": 3}),
    ("blue_lips", E, {"blue_lips": T}, {}),
    ("seizure", E, {"seizure": T}, {}),
    ("fainted", E, {"fainted": T}, {}),
    ("suicidal_thoughts", E, {"suicidal_thoughts": T}, {}),
    ("sleepy_and_confused", E, {"sleepiness": "drifts_off", "confusion_new": T}, {}),
    ("sedative_with_sleepiness", E, {"sleepiness": "drifts_off", "medications_taken": ["alcohol"]}, {}),
    ("meningitis_signs", E, {"temperature_c": 38.0, "stiff_neck": T}, {}),
    ("cord_compression_signs", E, {"bladder_control_change_new": T}, {}),
    ("slow_breathing_sleepy", E, {"breaths_per_min": 10, "sleepiness": "slightly_drowsy"}, {}),
    ("sleepy_after_change", E, {"sleepiness": "drifts_off"}, {"days_since_mri": 3}),
    ("sedative_drowsy_after_change", E, {"sleepiness": "slightly_drowsy", "medications_taken": ["alcohol"]},
     {"days_since_implant": 0}),
    ("pocket_fill_with_sedation", E, {"pump_site_swelling_new": T, "sleepiness": "slightly_drowsy"},
     {"days_since_refill": 1}),
    ("meningitis_signs_confused", E, {"confusion_new": T, "stiff_neck": T}, {}),
    ("meningitis_signs_unmeasured", E, {"feels_feverish": T, "stiff_neck": T, "headache": "mild"}, {}),
    ("baclofen_withdrawal_severe", E, {"itching": T, "feels_feverish": T}, {"drugs": ["morphine", "baclofen"]}),
    ("clonidine_withdrawal", E, {"headache": "severe"}, {"drug": "clonidine", "refill_overdue": T}),
    ("slow_breathing_after_change", U, {"breaths_per_min": 10}, {"days_since_dose_increase": 2}),
    ("feverish_severe_headache", U, {"feels_feverish": T, "headache": "severe"}, {}),
    ("baclofen_withdrawal_signs", U, {"itching": T}, {"drug": "baclofen"}),
    ("pain_rise_pump_may_be_empty", U, {"pain_now": 7}, {"pain_baseline": 4, "refill_overdue": T}),
    ("withdrawal_after_switch", U, {"withdrawal_signs": ["sweating", "yawning"]},
     {"drug": "ziconotide", "previous_drugs": ["morphine"]}),
    ("pain_high_no_baseline", R, {"pain_now": 9}, {"days_since_implant": 1}),
    ("breathing_trouble", U, {"breathing_trouble": T, "sleepiness": "alert"}, {"days_since_refill": 4}),
    ("sleepy_drifts_off", U, {"sleepiness": "drifts_off"}, {}),
    ("sedative_drowsy", U, {"sleepiness": "slightly_drowsy", "medications_taken": ["sleep_medicine"]}, {}),
    ("sedative_after_change", U, {"medications_taken": ["benzodiazepine"]}, {"days_since_implant": 1}),
    ("stiff_neck_headache", U, {"stiff_neck": T, "headache": "severe"}, {}),
    ("mass_warning_signs", U, {"numbness_new": T}, {}),
    ("pain_rise_after_refill", U, {"pain_now": 6}, {"pain_baseline": 4, "days_since_refill": 3}),
    ("pain_rise_after_mri", U, {"pain_now": 6}, {"pain_baseline": 4, "days_since_mri": 0}),
    ("pain_rise_despite_dose_increases", U, {"pain_now": 6},
     {"pain_baseline": 4, "dose_increases_last_90_days": 2}),
    ("withdrawal_after_mri", U, {"withdrawal_signs": ["yawning"]}, {"days_since_mri": 2}),
    ("withdrawal_after_refill", U, {"withdrawal_signs": ["diarrhea"]}, {"days_since_refill": 1}),
    ("withdrawal_reservoir_low", U, {"withdrawal_signs": ["shaking", "anxiety"]},
     {"days_until_low_reservoir": 0}),
    ("withdrawal_signs", U, {"withdrawal_signs": ["shaking", "anxiety"]}, {"days_until_low_reservoir": 9}),
    ("ziconotide_neuropsychiatric", U, {"hallucinations": T}, {"drug": "ziconotide"}),
    ("confusion_or_hallucinations", U, {"confusion_new": T}, {"drug": "morphine"}),
    ("wound_infection_signs", U, {"wound_drainage": "cloudy_or_pus"}, {}),
    ("wound_open", U, {"wound_open": T}, {}),
    ("fever_after_implant", U, {"temperature_c": 38.1}, {"days_since_implant": 0}),
    ("fever_with_warm_wound", U, {"temperature_c": 38.1, "wound_warm": T}, {"days_since_implant": 500}),
    ("csf_leak_signs", U, {"clear_fluid_swelling": T}, {}),
    ("device_visible", U, {"device_visible": T}, {}),
    ("pump_moved", U, {"pump_moved": T}, {}),
    ("pocket_fill_suspected", U, {"pump_site_swelling_new": T}, {"days_since_refill": 0}),
    ("pump_site_swelling", U, {"pump_site_swelling_new": T}, {"days_since_refill": 4}),
    ("pump_alarm_critical", U, {"pump_alarm": "two_tone"}, {}),
    ("pump_alarm_low", U, {"pump_alarm": "single_tone"}, {}),
    ("pump_alarm_unsure", U, {"pump_alarm": "unsure"}, {}),
    ("urinary_retention", U, {"cannot_pass_urine": T}, {}),
    ("constipation_with_vomiting", U, {"constipation_days": 3, "nausea": "vomiting"}, {}),
    ("vomiting_after_refill", U, {"nausea": "vomiting"}, {"days_since_refill": 2}),
    ("drowsy_after_change", R, {"sleepiness": "slightly_drowsy"}, {"days_since_dose_increase": 0}),
    ("sedative_taken", R, {"medications_taken": ["muscle_relaxant"]}, {}),
    ("headache_severe", R, {"headache": "severe"}, {}),
    ("pain_above_baseline", R, {"pain_now": 7}, {"pain_baseline": 4.2}),
    ("withdrawal_like_signs", R, {"withdrawal_signs": ["sweating", "yawning"]}, {"drug": "bupivacaine"}),
    ("wound_warm", R, {"wound_warm": T}, {}),
    ("fever", R, {"temperature_c": 38.6}, {"days_since_implant": 91}),
    ("constipation", R, {"constipation_days": 3}, {}),
    ("vomiting", R, {"nausea": "vomiting"}, {"days_since_refill": 4}),
    ("leg_swelling", R, {"leg_swelling": T}, {}),
]

# Observation and context values for random inputs, including every borderline value.
_YES_NO = ("breathing_trouble blue_lips confusion_new hallucinations seizure fainted suicidal_thoughts "
           "headache_worse_upright leg_weakness_new numbness_new walking_harder_new cannot_pass_urine "
           "bladder_control_change_new bowel_control_change_new pain_character_new pump_site_swelling_new "
           "pump_moved red_streaks wound_open wound_warm device_visible clear_fluid_swelling leg_swelling "
           "itching feels_feverish").split()
VOCAB = {key: [T, F] for key in _YES_NO} | {
    "breaths_per_min": [0, 8, 9, 10, 11, 16], "stiff_neck": [T, F, 1], "mood": ["low"],
    "sleepiness": ["alert", "slightly_drowsy", "drifts_off", "hard_to_wake", "asleep?"],
    "temperature_c": [36.8, 37.9, 38, 38.0, 38.5, "38.5"], "headache": ["none", "mild", "severe"],
    "pain_now": [2, 5, 6, 8], "constipation_days": [0, 2, 3, 5], "nausea": ["none", "mild", "vomiting"],
    "withdrawal_signs": [[], ["yawning"], ["sweating", "gooseflesh"], ["anxiety", "shaking", "x"]],
    "pump_alarm": ["none", "single_tone", "two_tone", "unsure"],
    "wound_redness": ["none", "edges_only", "spreading"], "wound_swelling": ["none", "stable", "increasing"],
    "wound_drainage": ["none", "clear", "bloody", "cloudy_or_pus"],
    "medications_taken": [[], ["benzodiazepine"], ["alcohol", "gabapentinoid"], ["vitamin"], "alcohol"],
}
CONTEXT = {
    "drug": ["morphine", "hydromorphone", "fentanyl", "ziconotide", "bupivacaine", "clonidine", "baclofen"],
    "drugs": [["bupivacaine", "hydromorphone"], ["clonidine", "morphine"], ["baclofen"], ["ziconotide"], "baclofen"],
    "previous_drugs": [["morphine"], ["bupivacaine"]], "refill_overdue": [T, F, "yes"],
    "days_since_implant": [0, 3, 4, 89, 90, 91, 800], "days_since_refill": [-1, 0, 3, 4, 30],
    "days_since_dose_increase": [1, 3, 4, 60], "days_since_mri": [1, 3, 4, 200],
    "days_until_low_reservoir": [-2, 0, 1, 10], "pain_baseline": [3, 4, 6.1],
    "dose_increases_last_90_days": [0, 1, 2, 3],
}


def random_inputs(n: int = 4000, seed: int = 20240601) -> list[tuple[dict, dict]]:
    """Reproducible random observation/context pairs (sparse, like real check-ins)."""
    rng = random.Random(seed)
    return [({k: rng.choice(v) for k, v in VOCAB.items() if rng.random() < 0.12},
             {k: rng.choice(v) for k, v in CONTEXT.items() if rng.random() < 0.35}) for _ in range(n)]


@functools.cache
def all_inputs() -> list[tuple[dict, dict]]:
    """Probes, every vignette we can find, and random inputs."""
    found = [(obs, ctx) for _, _, obs, ctx in PROBES] + random_inputs()
    for path in (SHARED / "vignettes.yaml", ROOT / "tests" / "clinical" / "vignettes.yaml",
                 ROOT / "tests" / "clinical" / "vignettes-2.yaml"):
        if path.exists():
            found += [(dict(v.observations), dict(v.context)) for v in vignettes.load(path)]
    return found


@pytest.mark.parametrize("code, tier, obs, ctx", PROBES, ids=[p[0] for p in PROBES])
def test_each_rule_fires_with_its_tier(code: str, tier: str, obs: dict, ctx: dict) -> None:
    """Each probe yields its code at its tier, and the result tier is at least that."""
    result = evaluate(obs, ctx)
    assert {r.code: r.tier for r in result.reasons}.get(code) == tier, result.codes
    assert RANK[result.tier] >= RANK[tier]


@pytest.mark.parametrize("obs, ctx_low, ctx_high, low, high", [
    ({"breathing_trouble": T}, {"days_since_dose_increase": 4}, {"days_since_dose_increase": 3}, U, E),
    ({"nausea": "vomiting"}, {"days_since_refill": 4}, {"days_since_refill": 3}, R, U),
    ({"temperature_c": 38.2}, {"days_since_implant": 91}, {"days_since_implant": 90}, R, U),
    ({"pain_now": 7}, {"pain_baseline": 4, "days_since_mri": 4}, {"pain_baseline": 4, "days_since_mri": 3},
     R, U),
    ({"pain_now": 7}, {"pain_baseline": 4, "dose_increases_last_90_days": 1},
     {"pain_baseline": 4, "dose_increases_last_90_days": 2}, R, U),
    ({"medications_taken": ["alcohol"]}, {"days_since_implant": 4}, {"days_since_implant": 3}, R, U),
    ({"sleepiness": "slightly_drowsy"}, {"days_since_refill": 4}, {"days_since_refill": 3}, "none", R),
    ({"withdrawal_signs": ["yawning"]}, {"days_since_refill": 4}, {"days_since_refill": 3}, "none", U),
    ({"withdrawal_signs": ["yawning", "sweating"]}, {"drug": "ziconotide"}, {"drug": "morphine"}, R, U),
    ({"breathing_trouble": T}, {"days_since_refill": -1}, {"days_since_refill": 0}, U, E),
])
def test_context_raises_tier(obs: dict, ctx_low: dict, ctx_high: dict, low: str, high: str) -> None:
    """The same report is more severe inside the 72 h (or 90-day) window than just outside it."""
    assert (evaluate(obs, ctx_low).tier, evaluate(obs, ctx_high).tier) == (low, high)


def test_borderlines() -> None:
    """10 breaths is not below 10; 37.9 °C is not a fever; 2.0 points of pain rise counts."""
    assert evaluate({"breaths_per_min": 10}, {}).tier == "none"
    assert evaluate({"breaths_per_min": 9.9}, {}).tier == "emergency"
    assert evaluate({"temperature_c": 37.9}, {"days_since_implant": 5}).tier == "none"
    assert evaluate({"temperature_c": 38.0}, {"days_since_implant": 5}).tier == "urgent"
    assert evaluate({"pain_now": 6}, {"pain_baseline": 4.0}).tier == "routine"
    assert evaluate({"pain_now": 5.3}, {"pain_baseline": 3.3}).tier == "routine"  # float noise
    assert evaluate({"pain_now": 6}, {"pain_baseline": 4.01}).tier == "none"


def test_missing_unknown_and_mistyped_input_is_ignored() -> None:
    """Nothing asked means none; unknown keys and wrong types never count as a yes."""
    assert evaluate({}, {}).tier == "none" and evaluate({}, {}).reasons == ()
    odd = {"mood": "low", "blue_lips": "yes", "seizure": 1, "breaths_per_min": T}
    assert evaluate(odd, {"x": 1}).tier == "none"
    assert evaluate({"medications_taken": "alcohol"}, {}).tier == "none"
    assert evaluate({"breathing_trouble": T}, {"days_since_refill": "2"}).tier == "urgent"


def test_tier_is_the_maximum_and_reasons_are_sorted() -> None:
    """Result.tier is the worst reason's tier, reasons never get less severe, is_case matches."""
    assert TIERS == ("emergency", "urgent", "routine", "none")
    for obs, ctx in all_inputs():
        result = evaluate(obs, ctx)
        ranks = [RANK[r.tier] for r in result.reasons]
        assert ranks == sorted(ranks, reverse=True)
        assert RANK[result.tier] == max(ranks, default=RANK["none"])
        assert result.is_case == (result.tier in ("urgent", "emergency"))
        assert len(set(result.codes)) == len(result.codes)
        assert result.patient_texts == tuple(dict.fromkeys(
            r.patient_text for r in result.reasons if r.tier == result.tier))


@functools.cache
def _reasons() -> list[rules.Reason]:
    """Every reason produced for all inputs."""
    return [r for obs, ctx in all_inputs() for r in evaluate(obs, ctx).reasons]


def test_sources_are_in_the_reference_source_key() -> None:
    """Every reason cites only keys listed in the source sections of the two clinical references."""
    path, path2 = SHARED / "clinical-reference.md", SHARED / "clinical-reference-2.md"
    if not (path.exists() and path2.exists()):
        pytest.skip(f"clinical references not found in {SHARED}")
    section = path.read_text(encoding="utf-8").split("## Source key", 1)[1]
    known = set(re.findall(r"\[(S\d+[a-z]?)\]", section))
    known |= set(re.findall(r"\*\*(T\d+[a-z]?)\*\*", path2.read_text(encoding="utf-8").split("## Source list", 1)[1]))
    assert {"S14", "T1", "T60"} <= known
    for reason in _reasons():
        keys = [k.strip() for k in reason.source.split(",")]
        assert keys and set(keys) <= known, (reason.code, reason.source)


def test_rule_docstrings_cite_sources() -> None:
    """Each rule has a one-line docstring citing at least one [Sx] or [Tx] key."""
    for rule in rules.RULES:
        assert rule.__doc__ and re.search(r"\[[ST]\d+", rule.__doc__), rule.__name__


def test_patient_text_says_what_to_do() -> None:
    """One fixed text per code, ending in the tier's action, with no phone numbers."""
    texts: dict[str, set[str]] = {}
    for reason in _reasons():
        texts.setdefault(reason.code, set()).add(reason.patient_text)
        action = {"emergency": "Call emergency services now.", "urgent": "Call your clinic now.",
                  "routine": "Your care team will look at this. No need to call."}[reason.tier]
        assert action in reason.patient_text, reason.code
        assert not re.search(r"\d", reason.patient_text), reason.code
        assert reason.staff_text and reason.staff_text != reason.patient_text
    assert all(len(v) == 1 for v in texts.values()), texts


def test_patient_text_readability() -> None:
    """All distinct patient texts together read at Flesch-Kincaid grade 8 or below."""
    reasons = _reasons()
    assert {r.code for r in reasons} == {p[0] for p in PROBES}  # every code has a probe, and vice versa
    texts = sorted({r.patient_text for r in reasons})
    assert textstat.flesch_kincaid_grade(" ".join(texts)) <= 8


def test_tightened_thresholds_change_outcomes() -> None:
    """A clinic's tighter numbers make borderline reports escalate."""
    tight = tighten(DEFAULTS, {"breaths_per_min_min": 12, "fever_c": 37.5, "infection_window_days": 365,
                               "refill_window_days": 7, "constipation_days": 2, "pain_rise_points": 1,
                               "withdrawal_signs_min": 1, "dose_increases_for_mass": 1})
    cases = [({"breaths_per_min": 11}, {}, "none", "emergency"),
             ({"temperature_c": 37.6}, {"days_since_implant": 10}, "none", "urgent"),
             ({"temperature_c": 38.5}, {"days_since_implant": 200}, "routine", "urgent"),
             ({"nausea": "vomiting"}, {"days_since_refill": 6}, "routine", "urgent"),
             ({"constipation_days": 2}, {}, "none", "routine"),
             ({"pain_now": 5}, {"pain_baseline": 4}, "none", "routine"),
             ({"withdrawal_signs": ["sweating"]}, {}, "none", "urgent"),
             ({"pain_now": 7}, {"pain_baseline": 4, "dose_increases_last_90_days": 1}, "routine", "urgent")]
    for obs, ctx, default_tier, tight_tier in cases:
        assert (evaluate(obs, ctx).tier, evaluate(obs, ctx, tight).tier) == (default_tier, tight_tier), obs
    with pytest.raises(ValueError):
        evaluate({"breaths_per_min": 9}, {}, {"breaths_per_min_min": 8})


@pytest.mark.parametrize("path", sorted((ROOT / "companion" / "escalation" / "rules").glob("*.py"))
                         + [ROOT / "companion" / "escalation" / "thresholds.py",
                            ROOT / "companion" / "escalation" / "vocabulary.py"], ids=lambda p: p.name)
def test_rules_and_thresholds_are_pure(path: Path) -> None:
    """rules/ imports only the standard library, its siblings and ..thresholds; thresholds only stdlib."""
    stdlib = sys.stdlib_module_names
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            assert all(a.name.split(".")[0] in stdlib for a in node.names), (path.name, ast.dump(node))
        elif isinstance(node, ast.ImportFrom):
            assert node.level or (node.module or "").split(".")[0] in stdlib, (path.name, node.module)
            assert node.level <= 1 or node.module in ("thresholds", "vocabulary"), (path.name, node.module)
            assert node.level == 0 or path.name not in ("thresholds.py", "vocabulary.py"), "stdlib only"


def _num(x: object) -> bool:
    """A JS number: int or float but not bool."""
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _same(x: object, y: object) -> bool:
    """JS strict equality (===) for JSON values."""
    if isinstance(x, bool) or isinstance(y, bool):
        return x is y
    return x == y if _num(x) and _num(y) else type(x) is type(y) and x == y


def _holds(data: dict, cond: dict) -> bool:
    """Pure-Python mirror of the phone's interpreter for one condition; missing key is false (ne: true)."""
    if cond["op"] == "ne":
        return cond["key"] not in data or not _same(data[cond["key"]], cond["value"])
    if cond["op"] == "subset":
        return cond["key"] not in data or (isinstance(data[cond["key"]], list)
                                           and all(x in cond["value"] for x in data[cond["key"]]))
    if cond["key"] not in data:
        return False
    a, op, b = data[cond["key"]], cond["op"], cond["value"]
    if op == "only":
        return isinstance(a, list) and bool(a) and all(x in b for x in a)
    if op in ("lt", "le", "gt", "ge"):
        return _num(a) and _num(b) and {"lt": a < b, "le": a <= b, "gt": a > b, "ge": a >= b}[op]
    checks = {"eq": lambda: _same(a, b), "in": lambda: isinstance(b, list) and any(_same(a, x) for x in b),
              "contains": lambda: isinstance(a, list) and any(_same(x, b) for x in a)}
    return checks[op]()


def _client_codes(data_rules: list[dict], data: dict) -> set[str]:
    """The codes of the entries whose AND list holds."""
    return {r["code"] for r in data_rules if all(_holds(data, c) for c in r["when"])}


def test_client_rules_are_plain_json_with_known_ops() -> None:
    """The offline data survives JSON and uses only the agreed ops and emergency tier."""
    data = client_emergency_rules()
    assert json.loads(json.dumps(data)) == data
    assert {c["op"] for r in data for c in r["when"]} <= {"eq", "lt", "le", "gt", "ge", "in", "contains"}
    assert {r["tier"] for r in data} == {"emergency"}
    assert {"key": "breaths_per_min", "op": "lt", "value": 10} in data[0]["when"]


@pytest.mark.parametrize("thresholds", [None, {"breaths_per_min_min": 12, "fever_c": 37.5,
                                                "refill_window_days": 7}])
def test_client_rules_match_evaluate(thresholds: dict | None) -> None:
    """Offline data says emergency exactly when evaluate() does, with and without context."""
    tight = tighten(DEFAULTS, thresholds or {})
    data = client_emergency_rules(tight)
    for obs, ctx in all_inputs():
        no_ctx = evaluate(obs, {}, tight)
        matched = _client_codes(data, obs)
        assert bool(matched) == (no_ctx.tier == "emergency"), (obs, matched, no_ctx.codes)
        assert {r.code for r in no_ctx.reasons if r.tier == "emergency"} <= matched, obs
        with_ctx = evaluate(obs, ctx, tight)
        assert bool(_client_codes(data, {**ctx, **obs})) == (with_ctx.tier == "emergency"), (obs, ctx)


def _phone_facts(obs: dict, ctx: dict) -> dict:
    """What the phone matches against: the answers, the kept context with `drug` in `drugs`, and pain_rise."""
    facts = {**ctx, **obs}
    if isinstance(ctx.get("drug"), str):  # as Facts.drugs: `drugs` (when a list) plus `drug`
        listed = ctx["drugs"] if isinstance(ctx.get("drugs"), list) else []
        facts["drugs"] = list(dict.fromkeys([*listed, ctx["drug"]]))
    now, base = obs.get("pain_now"), ctx.get("pain_baseline")
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (now, base)):
        facts["pain_rise"] = round(now - base, 6)
    return facts


def _client_tier(data_rules: list[dict], data: dict, context: bool = False) -> str | None:
    """The most severe tier among the phone's matching entries (context entries skipped with no kept context)."""
    tiers = {r["tier"] for r in data_rules if (context or not r.get("uses_context"))
             and all(_holds(data, c) for c in r["when"])
             and not any(all(_holds(data, c) for c in unless) for unless in r.get("unless", ()))}
    return next((t for t in ("emergency", "urgent") if t in tiers), None)


@pytest.mark.parametrize("thresholds", [None, {"breaths_per_min_min": 12, "fever_c": 37.5, "withdrawal_signs_min": 1,
                                                "constipation_days": 2}])
def test_offline_rules_agree_with_evaluate_on_urgent_and_emergency(thresholds: dict | None) -> None:
    """On every vignette and the random inputs, the phone says urgent or emergency exactly when evaluate() does."""
    tight = tighten(DEFAULTS, thresholds or {})
    data = client_rules(tight)
    assert {c["op"] for r in data for c in r["when"]} <= {"eq", "lt", "le", "gt", "ge", "in", "contains", "ne",
                                                            "only", "subset"}
    for obs, _ in all_inputs():
        server = evaluate(obs, {}, tight).tier
        assert _client_tier(data, obs) == (server if server in ("emergency", "urgent") else None), (obs, server)


@pytest.mark.parametrize("thresholds", [None, {"breaths_per_min_min": 12, "fever_c": 37.5, "withdrawal_signs_min": 1,
                                                "refill_window_days": 7, "pain_rise_points": 1,
                                                "dose_increases_for_mass": 1, "infection_window_days": 120}])
def test_offline_rules_with_the_kept_context_agree_with_evaluate(thresholds: dict | None) -> None:
    """Every vignette (context ones included) and the random inputs with random context: the phone with its kept
    context says urgent or emergency exactly when evaluate() does with the same context (issue 12)."""
    tight = tighten(DEFAULTS, thresholds or {})
    data = client_rules(tight)
    for obs, ctx in all_inputs():
        server = evaluate(obs, ctx, tight).tier
        phone = _client_tier(data, _phone_facts(obs, ctx), context=True)
        assert phone == (server if server in ("emergency", "urgent") else None), (obs, ctx, server, phone)




_VALUES = st.sampled_from
_OBS = st.fixed_dictionaries({}, optional={k: _VALUES(v) for k, v in VOCAB.items()})


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(obs=_OBS)
def test_offline_rules_agree_with_evaluate_on_hypothesis_inputs(obs: dict) -> None:
    """Hypothesis: any mix of vocabulary answers gets the same urgent/emergency verdict offline and online."""
    server = evaluate(obs, {}).tier
    assert _client_tier(_CLIENT, obs) == (server if server in ("emergency", "urgent") else None), (obs, server)


_CLIENT = client_rules()


_CTX = st.fixed_dictionaries({}, optional={k: _VALUES(v) for k, v in CONTEXT.items()})


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(obs=_OBS, ctx=_CTX)
def test_offline_rules_with_context_agree_on_hypothesis_inputs(obs: dict, ctx: dict) -> None:
    """Hypothesis: any answers with any kept context get the same urgent/emergency verdict offline and online."""
    server = evaluate(obs, ctx).tier
    phone = _client_tier(_CLIENT, _phone_facts(obs, ctx), context=True)
    assert phone == (server if server in ("emergency", "urgent") else None), (obs, ctx, server, phone)
