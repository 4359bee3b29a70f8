"""The wound check after implant or revision, asked for each incision; link ids are `<site>.<item>`."""
from __future__ import annotations

from typing import Any

from companion.diary.questionnaire import Choice, Question, Questionnaire
from companion.diary.questionnaires.common import PAIN_SCALE, TEMPERATURE, YES_NO

SITES: tuple[Choice, ...] = (
    Choice("belly", "The cut over your pump (belly)"),
    Choice("back", "The cut on your back"),
)


def site_items(site: str) -> tuple[Question, ...]:
    """The items for one incision; three picks are required, the rest are tick boxes."""

    def q(name: str, text: str, kind: str, choices: tuple[Choice, ...] = (), **kw: Any) -> Question:
        return Question(f"{site}.{name}", text, kind, choices, group=site, **kw)

    return (
        q("redness", "Is the skin around the cut red?", "choice", (
            Choice("none", "No redness"),
            Choice("edges_only", "A little pink or red along the edges"),
            Choice("spreading", "Red, and the redness is spreading"),
        ), required=True, observation="wound_redness",
            help="Some pink along the edges is normal in the first week."),
        q("red_streaks", "Red streaks going away from the cut?", "boolean", YES_NO,
          observation="red_streaks"),
        q("drainage", "Is anything leaking from the cut?", "choice", (
            Choice("none", "Nothing"),
            Choice("clear", "Clear or watery fluid"),
            Choice("bloody", "Blood or pink fluid"),
            Choice("cloudy_or_pus", "Cloudy, yellow or green fluid, or pus"),
        ), required=True, observation="wound_drainage"),
        q("open", "Has the cut come open, even a little?", "boolean", YES_NO, observation="wound_open"),
        q("swelling", "Is there swelling?", "choice", (
            Choice("none", "No swelling"),
            Choice("stable", "Some swelling, same as before or less"),
            Choice("increasing", "Swelling that is getting bigger"),
        ), required=True, observation="wound_swelling"),
        q("warm", "Does the skin feel hot to touch?", "boolean", YES_NO, observation="wound_warm"),
        q("fluid_bump", "A soft bump along the cut that feels full of fluid?", "boolean", YES_NO,
          observation="clear_fluid_swelling"),
        q("device_visible", "Can you see the pump or its tube through the skin?", "boolean", YES_NO,
          observation="device_visible"),
        q("pain", "How much does the cut hurt?", "integer", PAIN_SCALE, min=0, max=10,
          help="0 means no pain. 10 means the worst pain you can imagine."),
    )


WOUND = Questionnaire(
    id="wound-check",
    version="1",
    title="Wound check",
    items=(*site_items("belly"), *site_items("back"), TEMPERATURE),
    groups=(*SITES, Choice("fever", "Your temperature")),
)
