"""One table of warning signs (tier, patient wording, source) that the card, course and screens follow."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Sign:
    """One warning sign: the tier the rules give it, how the card and course name it, and a probe input.

    `probe` is (observations, context) that the rules must grade at `tier`, so the wording can never
    promise a different tier than the rules. `course` is the bold phrase of the warning-signs module.
    """

    id: str
    tier: str  # "emergency" | "urgent"
    card: str  # the short line on the emergency card (help, offline and 503 pages)
    course: str  # the bold lead of the course bullet, without the trailing full stop
    source: str
    probe: tuple[Mapping[str, Any], Mapping[str, Any]] = field(default=({}, {}))
    on_card: bool = True  # the card keeps to the commonest signs; the course lists them all


# The English strings are wrapped with _() where they are shown (templates), so Babel finds them here too.
def _(text: str) -> str:
    """Mark a string for translation (the template translates it at render time)."""
    return text


SIGNS: tuple[Sign, ...] = (
    Sign("slow_breathing", "emergency", _("Breathing is slow, shallow or hard, with sleepiness"), "Slow breathing",
         "S14, S67", ({"breathing_trouble": True, "sleepiness": "slightly_drowsy"}, {})),
    Sign("hard_to_wake", "emergency", _("You cannot stay awake, or someone cannot wake you"), "Very deep sleep",
         "S70, S14", ({"sleepiness": "hard_to_wake"}, {})),
    Sign("blue_lips", "emergency", _("Lips or fingertips look blue or grey"), "Blue or grey lips", "S67",
         ({"blue_lips": True}, {})),
    Sign("sleepy_confused", "emergency", _("New confusion while very sleepy"), "Confusion with sleepiness",
         "S67, S70", ({"sleepiness": "drifts_off", "confusion_new": True}, {})),
    Sign("legs", "emergency", _("New weakness in one or both legs, or walking is suddenly harder"),
         "New weakness in one or both legs", "S26, S60", ({"leg_weakness_new": True}, {})),
    Sign("bladder_bowel", "emergency", _("New loss of bladder or bowel control"),
         "New loss of bladder or bowel control", "S26, S60", ({"bowel_control_change_new": True}, {})),
    Sign("meningitis", "emergency", _("A fever or a bad headache with a stiff neck or new confusion"),
         "A stiff neck or bad headache with fever or confusion", "S33, T60, T61",
         ({"feels_feverish": True, "stiff_neck": True, "headache": "mild"}, {})),
    Sign("seizure", "emergency", _("A seizure, or fainting"), "A seizure or fainting", "S33, S14",
         ({"seizure": True}, {})),
    Sign("suicidal", "emergency", _("Thoughts of ending your life"), "Thoughts of suicide", "S33",
         ({"suicidal_thoughts": True}, {})),
    Sign("sleepy_after_change", "emergency", _("Falling asleep mid-talk in the 3 days after a refill or dose change"),
         "Falling asleep while talking in the 3 days after a pump change", "S70, S31, T21",
         ({"sleepiness": "drifts_off"}, {"days_since_refill": 1})),
    Sign("alarm", "urgent", _("Your pump beeps or makes an alarm sound"), "Any pump alarm", "S11, S18, T6",
         ({"pump_alarm": "single_tone"}, {})),
    Sign("withdrawal", "urgent", _("Sweating, shaking, goose bumps or cramps, like withdrawal"), "Signs of withdrawal",
         "S75, S76", ({"withdrawal_signs": ["sweating", "shaking"]}, {})),
    Sign("wound", "urgent", _("A cut that is red and spreading, leaking or opening"), "Signs of wound infection",
         "S59, S62", ({"wound_redness": "spreading"}, {})),
    Sign("fever_after_surgery", "urgent", _("A fever in the 3 months after surgery"),
         "A fever in the first 3 months after surgery", "S57, S62", ({"temperature_c": 38.2}, {"days_since_implant": 30})),
    Sign("stiff_neck", "urgent", _("A stiff neck with a headache, feeling feverish or throwing up"),
         "A stiff neck with a headache", "S33, T60", ({"stiff_neck": True, "headache": "mild"}, {})),
    Sign("confusion", "urgent", _("New confusion, or seeing or hearing things that are not there"),
         "Changes in thinking or mood", "S33, S67", ({"confusion_new": True}, {})),
    Sign("cannot_pee", "urgent", _("You cannot pass urine at all"), "Not able to pass urine", "S4",
         ({"cannot_pass_urine": True}, {})),
    Sign("cut_open", "urgent", _("A cut that opens, or the pump or tube showing"),
         "A cut that opens, or the pump or tube showing", "S18, S16", ({"device_visible": True}, {}), on_card=False),
    Sign("csf_leak", "urgent", _("A headache that is better lying down"), "A headache that eases when you lie down",
         "S56, S55", ({"headache": "mild", "headache_worse_upright": True}, {}), on_card=False),
    Sign("pump_swelling", "urgent", _("New swelling over the pump, or the pump has moved"),
         "New swelling over the pump, or the pump has moved", "S58, S24", ({"pump_site_swelling_new": True}, {}),
         on_card=False),
    Sign("numbness", "urgent", _("New numbness or tingling, or pain that feels different"),
         "New numbness or tingling, or pain that feels different", "S26, S43", ({"numbness_new": True}, {}),
         on_card=False),
    Sign("baclofen", "urgent", _("On baclofen: itching with no rash, or spasms coming back"),
         "On baclofen: itching with no rash, or spasms coming back", "T2, T4, T5",
         ({"itching": True}, {"drug": "baclofen"})),
)


# Reasons that mean possible opioid overdose: the emergency screen then gives the naloxone guidance [T18][T19].
OVERDOSE_CODES = frozenset({
    "breathing_slow", "slow_breathing_sleepy", "hard_to_wake", "breathing_trouble_sleepy", "breathing_trouble_sedative",
    "breathing_trouble_after_change", "blue_lips", "sleepy_and_confused", "sleepy_after_change",
    "sedative_with_sleepiness", "sedative_drowsy_after_change", "pocket_fill_with_sedation"})
OPIOIDS = ("morphine", "hydromorphone", "fentanyl", "sufentanil")


def naloxone_applies(codes, drug_names=()) -> bool:
    """Whether to give the naloxone lines: an overdose reason, and an opioid in the pump (or drugs unknown)."""
    names = [str(n).lower() for n in drug_names]
    return bool(OVERDOSE_CODES & set(codes)) and (not names or any(o in n for n in names for o in OPIOIDS))


def signs(tier: str, card: bool = False) -> tuple[Sign, ...]:
    """The signs of one tier, in the table's order (most dangerous first); only the card's when card=True."""
    return tuple(s for s in SIGNS if s.tier == tier and (s.on_card or not card))


def disagreements(evaluate) -> list[str]:
    """Each sign whose probe the rules grade at another tier than the table says (empty when all agree)."""
    found = []
    for sign in SIGNS:
        got = evaluate(*sign.probe).tier
        if got != sign.tier:
            found.append(f"{sign.id}: table says {sign.tier}, rules say {got}")
    return found
