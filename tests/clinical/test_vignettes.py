"""Every clinical vignette (shared and ours) gets its expected tier from the red-flag rules."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from companion.escalation import vignettes, vocabulary
from companion.escalation.rules import evaluate

HERE = Path(__file__).resolve().parent
LOCAL = HERE / "vignettes.yaml"
SECOND = HERE / "vignettes-2.yaml"  # issue 12: windows, meningitis without a thermometer, baclofen, mixtures
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "vignettes.yaml"
SUPERSEDED = Path(__file__).with_name("superseded.yaml")  # shared vignettes issue 12 made stricter (see file)


def _params() -> list:
    """One pytest param per vignette id; only the shared file may be skipped, and only if absent."""
    params = []
    if SHARED.exists():
        params += [pytest.param(v, id=v.id) for v in vignettes.supersede(vignettes.load(SHARED), SUPERSEDED)]
    else:
        params.append(pytest.param(None, id="shared-vignettes", marks=pytest.mark.skip(
            reason=f"shared vignette file not found at {SHARED} (lives outside the repo)")))
    params += [pytest.param(v, id=v.id) for v in vignettes.load(LOCAL) + vignettes.load(SECOND)]
    return params


@pytest.mark.parametrize("vignette", _params())
def test_vignette(vignette: vignettes.Vignette) -> None:
    """The returned tier equals the expected tier (a superseded shared one: the stricter tier)."""
    (outcome,) = vignettes.run([vignette], evaluate)
    assert outcome.ok, vignettes.format_line(outcome)


def test_local_file_has_enough_distinct_vignettes() -> None:
    """At least 45 C-ids, none clashing with the shared P-ids, covering every tier."""
    local = vignettes.load(LOCAL)
    assert len(local) >= 45
    assert all(v.id.startswith("C") for v in local)
    assert {v.expect for v in local} == {"emergency", "urgent", "routine", "none"}
    if SHARED.exists():
        assert not {v.id for v in local} & {v.id for v in vignettes.load(SHARED)}


def test_second_file_covers_the_issue_12_classes() -> None:
    """At least 60 N-ids; every risk window meets every toxicity sign; both mixture orders; new keys used."""
    second = vignettes.load(SECOND)
    assert len(second) >= 60 and all(v.id.startswith("N") for v in second)
    assert {v.expect for v in second} == {"emergency", "urgent", "routine", "none"}
    for event in ("refill", "dose_increase", "implant", "mri"):
        inside = [v for v in second if 0 <= v.context.get(f"days_since_{event}", -1) <= 3]
        signs = {("drifts_off" if v.observations.get("sleepiness") == "drifts_off" else
                  "breathing" if v.observations.get("breathing_trouble") else
                  "rate10" if v.observations.get("breaths_per_min") == 10 else
                  "drowsy" if v.observations.get("sleepiness") == "slightly_drowsy" else "") for v in inside}
        assert {"drifts_off", "breathing", "rate10", "drowsy"} <= signs, (event, signs)
    firsts = {tuple(v.context["drugs"]) for v in second if len(v.context.get("drugs", ())) == 2}
    assert ("bupivacaine", "hydromorphone") in firsts and ("hydromorphone", "bupivacaine") in firsts
    used = {k for v in second for k in (*v.observations, *v.context)}
    assert {"feels_feverish", "drugs", "previous_drugs", "refill_overdue", "days_until_low_reservoir"} <= used
    assert "baclofen" in {v.context.get("drug") for v in second}


def test_format_line_and_summary() -> None:
    """The checker prints one aligned line per vignette and a pass/fail count."""
    ok = vignettes.Outcome("P01", "emergency", "emergency", ("breathing_slow", "hard_to_wake"), True)
    bad = vignettes.Outcome("C02", "none", "urgent", (), False)
    assert vignettes.format_line(ok) == (
        "P01  expect=emergency  got=emergency  ok  codes=breathing_slow,hard_to_wake")
    assert vignettes.format_line(bad) == "C02  expect=none       got=urgent     FAIL  codes=-"
    assert vignettes.summary([ok, bad, ok]) == "2 passed, 1 failed"


def test_run_reports_a_mismatch() -> None:
    """A wrong expectation is reported as not ok with the returned tier and codes."""
    v = vignettes.Vignette("X1", "none", {"blue_lips": True}, {})
    (outcome,) = vignettes.run([v], evaluate)
    assert (outcome.ok, outcome.returned, outcome.codes) == (False, "emergency", ("blue_lips",))


@pytest.mark.parametrize("text, message", [
    ("vignettes:\n  - {id: A, expect: none}\n  - {id: A, expect: none}\n", "duplicate"),
    ("vignettes:\n  - {id: A, expect: maybe}\n", "expect must be"),
    ("vignettes:\n  - {expect: none}\n", "needs an id"),
    ("vignettes:\n  - {id: A, expect: none, observations: [1]}\n", "mappings"),
    ("items: []\n", "top-level"),
    ("vignettes:\n  - {id: A, expect: none, observations: {stiff_nek: true}}\n",
     r"A: observations.stiff_nek: unknown key"),
    ("vignettes:\n  - {id: B, expect: none, observations: {sleepiness: drifts_of}}\n",
     r"B: observations.sleepiness: 'drifts_of' is not one of"),
    ("vignettes:\n  - {id: C, expect: none, observations: {withdrawal_signs: [sweat]}}\n",
     r"C: observations.withdrawal_signs: 'sweat' not in"),
    ("vignettes:\n  - {id: D, expect: none, context: {drugs: [morphine, baclofn]}}\n",
     r"D: context.drugs: 'baclofn' not in"),
    ("vignettes:\n  - {id: E, expect: none, context: {refill_overdue: 'yes'}}\n",
     r"E: context.refill_overdue: must be true or false"),
    ("vignettes:\n  - {id: F, expect: none, observations: {feels_feverish: 1, pain_now: 11}}\n",
     r"F: observations.feels_feverish: must be true or false; observations.pain_now: 11 is outside"),
    ("vignettes:\n  - {id: G, expect: none, context: {days_since_refill: 2.5}}\n",
     r"G: context.days_since_refill: must be a whole number"),
    ("vignettes:\n  - {id: H, expect: none\n", "not valid YAML"),
])
def test_load_rejects_bad_files(tmp_path: Path, text: str, message: str) -> None:
    """Malformed vignette files fail loudly, naming the vignette and the field."""
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        vignettes.load(path)


def test_every_documented_key_is_in_the_vocabulary() -> None:
    """Keys documented in the file headers are in the checker's vocabulary, and every vocabulary key is documented."""
    import re

    known = set(vocabulary.OBSERVATIONS) | set(vocabulary.CONTEXT)
    headers = "".join(p.read_text(encoding="utf-8").split("\nvignettes:", 1)[0]
                      for p in (SECOND, SHARED) if p.exists())
    documented = set(re.findall(r"^#\s+([a-z_]+):", headers, flags=re.M)) - {"observations", "context"}
    assert documented and documented <= known, documented - known
    assert all(key in headers for key in known), [k for k in known if k not in headers]


@pytest.mark.parametrize("text, words", [
    ("vignettes:\n  - {id: N99, expect: none, observations: {stiff_nek: true}}\n",
     ["N99", "observations.stiff_nek", "unknown key"]),
    ("vignettes:\n  - {id: N98, expect: none, observations: {headache: severe_}}\n",
     ["N98", "observations.headache"]),
    ("vignettes: [\n", ["not valid YAML"]),
])
def test_triage_check_command_exits_non_zero_on_a_bad_file(app, tmp_path: Path, text: str,
                                                           words: list[str]) -> None:
    """`flask triage check` names the vignette and field of a typo and exits non-zero."""
    path = tmp_path / "typo.yaml"
    path.write_text(text, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["triage", "check", str(path)])
    assert result.exit_code != 0
    assert all(w in result.output for w in words), result.output


def test_triage_check_command_passes_the_second_file(app) -> None:
    """The issue 12 file runs clean through the command the CI uses."""
    result = app.test_cli_runner().invoke(args=["triage", "check", str(SECOND)])
    assert result.exit_code == 0, result.output
    assert f"{len(vignettes.load(SECOND))} passed, 0 failed" in result.output


def test_a_superseding_entry_may_only_be_stricter_and_goes_when_the_file_catches_up(tmp_path) -> None:
    base = [vignettes.Vignette("P1", "urgent", {"sleepiness": "drifts_off"}, {})]
    for entry, message in (({"id": "P1", "was": "urgent", "expect": "routine", "why": "x"}, "only be made stricter"),
                           ({"id": "P1", "was": "emergency", "expect": "emergency", "why": "x"}, "remove this entry"),
                           ({"id": "P9", "was": "urgent", "expect": "emergency", "why": "x"}, "not in the vignette")):
        path = tmp_path / "s.yaml"
        path.write_text(yaml.safe_dump({"superseded": [entry]}))
        with pytest.raises(ValueError, match=message):
            vignettes.supersede(base, path)
