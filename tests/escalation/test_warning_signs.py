"""The warning-sign table agrees with the rules, and the card, course and screens follow the table (issue 12)."""
from __future__ import annotations

import re

import pytest
from flask import render_template

from companion.consent.content_loader import CONTENT_DIR, available_versions
from companion.escalation import warning_signs
from companion.escalation.rules import evaluate
from companion.escalation.warning_signs import SIGNS, Sign, disagreements, signs
from tests.conftest import login

# The current (newest) course version follows the table; older versions stay as they were signed.
COURSE = CONTENT_DIR / available_versions()[-1].replace(".", "-") / "10-warning-signs.md"
SECTIONS = {"emergency": "## Call emergency services now", "urgent": "## Call your clinic today"}


def course_disagreements(markdown: str) -> list[str]:
    """Bold leads of each tier section of the course that the table does not give that tier, and the reverse."""
    found = []
    for tier, heading in SECTIONS.items():
        section = markdown.split(heading, 1)[1].split("\n## ", 1)[0]
        leads = {lead.rstrip(".,") for lead in re.findall(r"^- \*\*(.+?)\*\*", section, flags=re.M)}
        wanted = {s.course for s in signs(tier)}
        found += [f"course says {tier} for {lead!r}; the table does not" for lead in sorted(leads - wanted)]
        found += [f"course leaves {lead!r} out of {tier}" for lead in sorted(wanted - leads)]
    return found


def card_lines(html: str, tier: str) -> list[str]:
    """The lines of the emergency card's list for one tier."""
    block = html.split(f'data-tier="{tier}">', 1)[1].split("</ul>", 1)[0]
    return [re.sub(r"<[^>]+>", "", li).strip() for li in re.findall(r"<li[^>]*>(.*?)</li>", block, flags=re.S)]


def test_every_sign_in_the_table_gets_its_tier_from_the_rules() -> None:
    """Each sign's probe input returns the table's tier, so no wording promises a different tier."""
    assert disagreements(evaluate) == []
    assert {s.tier for s in SIGNS} == {"emergency", "urgent"} and len({s.id for s in SIGNS}) == len(SIGNS)


def test_a_planted_disagreement_in_the_table_fails(monkeypatch) -> None:
    """If the table called not passing urine an emergency (as the old course did), the check says so."""
    planted = tuple(Sign(s.id, "emergency", s.card, s.course, s.source, s.probe) if s.id == "cannot_pee" else s
                    for s in SIGNS)
    monkeypatch.setattr(warning_signs, "SIGNS", planted)
    assert disagreements(evaluate) == ["cannot_pee: table says emergency, rules say urgent"]


def test_the_course_module_lists_exactly_the_table_per_tier() -> None:
    """The warning-signs module puts every sign under the tier the table (and so the rules) gives it."""
    assert course_disagreements(COURSE.read_text(encoding="utf-8")) == []


def test_a_planted_disagreement_in_the_course_fails() -> None:
    """Moving 'Not able to pass urine' to the emergency list (the old wording) is caught."""
    text = COURSE.read_text(encoding="utf-8").replace("- **Not able to pass urine.**\n", "")
    text = text.replace("- **A seizure or fainting.**", "- **A seizure or fainting.**\n- **Not able to pass urine.**")
    assert course_disagreements(text) == ["course says emergency for 'Not able to pass urine'; the table does not",
                                          "course leaves 'Not able to pass urine' out of urgent"]


@pytest.mark.parametrize("path", ["/help", "/offline"])
def test_the_card_on_help_and_offline_follows_the_table(client, world, path: str) -> None:
    """The card lists the table's card lines under each tier: one or both legs, bladder/bowel, meningitis, suicide."""
    login(client, world.patient_a_user)
    html = client.get(path).get_data(as_text=True)
    for tier in ("emergency", "urgent"):
        assert card_lines(html, tier) == [s.card for s in signs(tier, card=True)]
    emergency = " ".join(card_lines(html, "emergency"))
    assert "one or both legs" in emergency and "bladder or bowel" in emergency
    assert "stiff neck" in emergency and "ending your life" in emergency and "weakness in both legs" not in emergency


def test_the_503_card_follows_the_table(client, world, monkeypatch) -> None:
    """The outage page shows the same card (rendered from the same macro and table)."""
    login(client, world.patient_a_user)
    with client.application.test_request_context("/"):
        html = render_template("errors/unavailable.html", bare=True, title="x", retry="/", **_globals())
    assert card_lines(html, "emergency") == [s.card for s in signs("emergency", card=True)]


def _globals() -> dict:
    """The clinic numbers the templates expect (anonymous defaults)."""
    from companion.template_globals import clinic_context

    return clinic_context()


def _screen(app, world, observations: dict, drugs=("Morphine",)) -> str:
    """The outcome partial for these observations."""
    from flask_login import login_user

    from companion.escalation import services
    from companion.extensions import db

    result = services.assess(world.patient_a, observations=observations, context={}, source_type="diary_entry",
                             source_id=hash(str(observations)) % 10000, reported_by_user=world.patient_a_user)
    db.session.commit()
    with app.test_request_context("/"):
        login_user(world.patient_a_user)
        card = {"model": "", "drugs": [{"name": d, "concentration": "1", "concentration_unit": "mg/mL"}
                                       for d in drugs]}
        return render_template("escalation/_outcome.html", assessment=result, pump_card=card, **_globals())


def test_a_seizure_screen_never_says_keep_them_awake(app, world) -> None:
    """Seizure: side position and nothing in the mouth; an overdose screen still says keep them awake."""
    seizure = _screen(app, world, {"seizure": True})
    assert "Keep them awake" not in seizure and "on their side" in seizure
    assert "Keep them awake" in _screen(app, world, {"sleepiness": "hard_to_wake"})


def test_naloxone_guidance_on_an_opioid_overdose_screen_only(app, world) -> None:
    """Give it if at hand and trained, still call: the pump keeps infusing and naloxone wears off sooner."""
    overdose = _screen(app, world, {"breaths_per_min": 6})
    assert "data-naloxone" in overdose and "Still call emergency services" in overdose and "wears off" in overdose
    assert "data-naloxone" not in _screen(app, world, {"seizure": True})
    baclofen = _screen(app, world, {"sleepiness": "hard_to_wake"}, drugs=("Baclofen",))
    assert "data-naloxone" not in baclofen and "data-baclofen" in baclofen and "must not stop" in baclofen
    assert "data-baclofen" not in overdose


def test_no_very_sleepy_safety_net_for_someone_who_reported_sleepiness() -> None:
    """The urgent safety net never tells a sleepy person 'if you get very sleepy'."""
    for level in ("slightly_drowsy", "drifts_off"):
        for ctx in ({}, {"days_since_refill": 2}, {"days_since_refill": 9}):
            for extra in ({}, {"medications_taken": ["alcohol"]}, {"nausea": "vomiting"}):
                result = evaluate({"sleepiness": level, **extra}, ctx)
                assert not any("very sleepy" in t for t in result.patient_texts), (level, ctx, extra)
