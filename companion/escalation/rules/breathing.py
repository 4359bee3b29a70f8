"""Rules for overdose and other immediately dangerous signs: breathing, sedation, sedatives."""
from __future__ import annotations

from collections.abc import Iterator

from .base import NALOXONE_STEPS, SAFETY_NET, SEDATIVES, SLEEPY, VERY_SLEEPY, Facts, Reason, reason


def breathing_slow(f: Facts) -> Iterator[Reason]:
    """Counted breathing below the threshold is respiratory depression [S14]."""
    bpm = f.num("breaths_per_min")
    if bpm is not None and bpm < f.t["breaths_per_min_min"]:
        yield reason("breathing_slow", "emergency", "Breathing this slowly can mean too much pain medicine.",
                     f"RR {bpm:g}/min, below {f.t['breaths_per_min_min']:g}: opioid respiratory "
                     f"depression until proven otherwise. {NALOXONE_STEPS}", "S14, T18", "Do not leave them alone.")


def breathing_at_limit(f: Facts) -> Iterator[Reason]:
    """A rate at the top of the danger band: emergency with any sedation, urgent in a window [S14][S70]."""
    bpm = f.num("breaths_per_min")
    if bpm is None or bpm < f.t["breaths_per_min_min"] or not f.rate_at_or_below_limit():
        return  # below the limit breathing_slow speaks
    if f.sleepy():
        yield reason("slow_breathing_sleepy", "emergency", "Slow breathing while sleepy can mean too much "
                     "medicine.", f"RR {bpm:g}/min (top of the 8-10 danger band) with sedation: two signs "
                     f"of toxicity together. {NALOXONE_STEPS}", "S14, S70, T18", "Do not leave them alone.")
    elif f.recent():
        yield reason("slow_breathing_after_change", "urgent", "Breathing this slowly so soon after a pump "
                     "change needs a check.", f"RR {bpm:g}/min, top of the 8-10 danger band, inside the "
                     f"72 h window after: {', '.join(f.recent())}; recount and watch.", "S14, S31", SAFETY_NET)


def hard_to_wake(f: Facts) -> Iterator[Reason]:
    """Minimal or no response (POSS 4) calls for stopping the opioid and naloxone [S70][S14]."""
    if f.o.get("sleepiness") == "hard_to_wake":
        yield reason("hard_to_wake", "emergency", "Being very hard to wake can mean too much pain medicine.",
                     f"Cannot be kept awake (POSS 4 equivalent): overdose until proven otherwise. {NALOXONE_STEPS}",
                     "S70, S14, T18", "Do not leave them alone.")


def breathing_trouble(f: Facts) -> Iterator[Reason]:
    """Hard or slow breathing is an emergency with sleepiness, sedatives or within 72 h [S67][S31]."""
    if not f.yes("breathing_trouble"):
        return
    if f.o.get("sleepiness") in SLEEPY:
        yield reason("breathing_trouble_sleepy", "emergency",
                     "Trouble breathing while sleepy can mean too much pain medicine.",
                     "Dyspnoea or hypoventilation with sedation: respiratory depression.", "S67, S14")
    elif f.items("medications_taken", SEDATIVES):
        yield reason("breathing_trouble_sedative", "emergency",
                     "You have trouble breathing and took other medicine or alcohol. This is not safe.",
                     "Dyspnoea after a CNS depressant taken with the IT drug (boxed warning).", "S31, S67")
    elif f.recent():
        yield reason("breathing_trouble_after_change", "emergency",
                     "Trouble breathing so soon after a pump change can mean too much medicine.",
                     f"Dyspnoea inside the 72 h risk window after: {', '.join(f.recent())}.", "S14, S31")
    else:
        yield reason("breathing_trouble", "urgent", "Trouble breathing needs a check today.",
                     "Dyspnoea while alert, no sedatives, outside the risk windows: assess the same day; "
                     "escalate if sedation or slow breathing appears.", "S67",
                     "If you get sleepy or your lips turn blue, call emergency services.")


def alarming_signs(f: Facts) -> Iterator[Reason]:
    """Blue lips [S67], seizure [S33][S91], fainting [S14] and suicidal thoughts [S33] are emergencies."""
    if f.yes("blue_lips"):
        yield reason("blue_lips", "emergency", "Blue or gray lips mean the body is not getting enough air.",
                     "Cyanosis: hypoxaemia, likely respiratory depression.", "S67")
    if f.yes("seizure"):
        yield reason("seizure", "emergency", "A seizure needs help right away.",
                     "Seizure: consider meningitis, withdrawal convulsions, drug toxicity.", "S33, S91")
    if f.yes("fainted"):
        yield reason("fainted", "emergency", "Fainting can be a sign of a serious problem.",
                     "Syncope: light-headedness progressing to loss of consciousness in overdose.", "S14")
    if f.yes("suicidal_thoughts"):
        yield reason("suicidal_thoughts", "emergency", "You matter, and help is there right now.",
                     "Suicidal ideation (ziconotide boxed warning: depression and suicide risk).", "S33",
                     "Do not stay alone.")


def sedation(f: Facts) -> Iterator[Reason]:
    """Drifting off mid-talk is unacceptable sedation (POSS 3); with new confusion, overdose [S70][S67]."""
    level = f.o.get("sleepiness")
    if level in VERY_SLEEPY and f.yes("confusion_new"):
        yield reason("sleepy_and_confused", "emergency", "Being very sleepy and confused can mean too "
                     "much medicine.", "New confusion with POSS 3-4: CNS depression.", "S67, S70")
    elif level == "drifts_off" and f.recent():
        yield reason("sleepy_after_change", "emergency", "Falling asleep while talking so soon after a "
                     "pump change can mean too much medicine.", "Drifts off mid-conversation (POSS 3) "
                     f"inside the 72 h window after: {', '.join(f.recent())}: a toxicity sign in a risk "
                     "window moves up a tier.", "S70, S31, T21", "Do not leave them alone.")
    elif level == "drifts_off":
        yield reason("sleepy_drifts_off", "urgent", "Falling asleep while talking can mean too much "
                     "medicine.", "Drifts off mid-conversation (POSS 3 equivalent; caregiver or self "
                     "report is unvalidated): unacceptable sedation.", "S70", SAFETY_NET)
    elif level == "slightly_drowsy" and f.recent():
        yield reason("drowsy_after_change", "routine", "Some drowsiness can happen after a pump change.",
                     f"POSS 2 inside the 72 h window after: {', '.join(f.recent())}; acceptable, "
                     "watch the trend.", "S70, S31", SAFETY_NET)


def sedating_medicines(f: Facts) -> Iterator[Reason]:
    """Sedatives with the pump drug multiply respiratory risk, more so when sleepy [S31][S4][S67]."""
    meds, level = f.items("medications_taken", SEDATIVES), f.o.get("sleepiness")
    if not meds:
        return
    taken = ", ".join(sorted(meds))
    if level in VERY_SLEEPY:
        yield reason("sedative_with_sleepiness", "emergency", "You doze off while talking and took other "
                     "medicine or alcohol. This is not safe.", f"POSS 3-4 after {taken}.", "S31, S67")
    elif level == "slightly_drowsy" and f.recent():
        yield reason("sedative_drowsy_after_change", "emergency", "Feeling drowsy after other medicine or "
                     "alcohol so soon after a pump change is not safe.", f"Drowsy after {taken} inside the "
                     f"72 h window after: {', '.join(f.recent())}.", "S31, S67, T23")
    elif level == "slightly_drowsy":
        yield reason("sedative_drowsy", "urgent", "Feeling drowsy after other medicine or alcohol needs "
                     "a check.", f"Drowsy after {taken}: risk of progression.", "S31, S67", SAFETY_NET)
    elif f.recent():
        yield reason("sedative_after_change", "urgent", "Other medicine or alcohol so soon after a pump "
                     "change adds risk.", f"{taken} inside the 72 h window after: "
                     f"{', '.join(f.recent())}.", "S31, S4", SAFETY_NET)
    else:
        yield reason("sedative_taken", "routine", "Other medicine or alcohol adds to your pump medicine.",
                     f"Concomitant {taken}; PACC: minimise or avoid sedatives.", "S4, S31", SAFETY_NET)
