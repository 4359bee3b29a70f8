"""Items and choice sets shared by the check-in, the post-refill check and the wound check."""
from __future__ import annotations

from companion.diary.questionnaire import NO, YES, Choice, Question

YES_NO = (Choice(NO, "No"), Choice(YES, "Yes"))


def scale(low: str, high: str) -> tuple[Choice, ...]:
    """A 0-10 scale whose end points carry their meaning in the label."""
    ends = {0: f"0 {low}", 10: f"10 {high}"}
    return tuple(Choice(str(n), ends.get(n, str(n))) for n in range(11))


PAIN_SCALE = scale("(no pain)", "(worst pain you can imagine)")

SLEEPINESS = Question(
    "sleepiness",
    "How awake are you right now? (Caregivers: how awake is the person you care for?)",
    "choice",
    (
        Choice("alert", "Awake and alert"),
        Choice("slightly_drowsy", "A bit drowsy, but easy to keep awake"),
        Choice("drifts_off", "Falls asleep while talking"),
        Choice("hard_to_wake", "Very hard to wake up"),
    ),
    help="Pick the one that fits best. If someone cannot wake up, call emergency services now.",
    group="breathing",
    observation="sleepiness",
)

BREATHING_TROUBLE = Question(
    "breathing_trouble",
    "Trouble breathing, or breathing that is slow or shallow?",
    "boolean",
    YES_NO,
    group="breathing",
    observation="breathing_trouble",
)

BLUE_LIPS = Question(
    "blue_lips",
    "Lips or fingertips look blue or grey?",
    "boolean",
    YES_NO,
    group="breathing",
    observation="blue_lips",
)

# Only someone else can count breaths reliably, so only caregivers are asked.
BREATHS_PER_MIN = Question(
    "breaths_per_min",
    "If you counted their breaths, how many were there in one minute?",
    "integer",
    help="Watch the chest go up and down for one full minute. Count each rise as one breath.",
    min=0,
    max=60,
    group="breathing",
    observation="breaths_per_min",
    audience=("caregiver",),
)

TEMPERATURE = Question(
    "temperature",
    "Your temperature, if you took it",
    "decimal",
    help="Type the number on your thermometer, then pick °C or °F.",
    # The range is in °C; the rules hold the matching °F range.
    min=34,
    max=43,
    unit_choices=(Choice("C", "°C"), Choice("F", "°F")),
    group="fever",
    observation="temperature_c",
)
