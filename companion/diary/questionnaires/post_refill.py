"""The short sleep-and-breathing check a few hours, then 24, 48 and 72 hours after a refill or dose increase."""
from __future__ import annotations

from dataclasses import replace

from companion.diary.questionnaire import Choice, Question, Questionnaire
from companion.diary.questionnaires.common import BLUE_LIPS, BREATHING_TROUBLE, BREATHS_PER_MIN, SLEEPINESS, YES_NO

# Same link ids as the check-in, so both feed the same vocabulary keys; two taps and send.
POST_REFILL = Questionnaire(
    id="post-refill-check",
    version="1",
    title="Sleep and breathing check",
    items=(
        replace(SLEEPINESS, required=True),
        replace(BREATHING_TROUBLE, required=True),
        BLUE_LIPS,
        BREATHS_PER_MIN,
        # Drug injected beside the reservoir (pocket fill) shows as new swelling or pain over the pump [T24].
        Question("pump_site_swelling_new", "New swelling or pain over the pump?", "boolean", YES_NO,
                 group="pump", observation="pump_site_swelling_new"),
    ),
    groups=(Choice("breathing", "Sleep and breathing"), Choice("pump", "Your pump")),
)
