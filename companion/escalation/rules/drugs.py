"""Drug-specific withdrawal rules: intrathecal baclofen and clonidine (any drug of a mixture)."""
from __future__ import annotations

from collections.abc import Iterator

from .base import WITHDRAWAL_SIGNS, Facts, Reason, reason

# Clonidine rebound: nervousness, agitation, headache, tremor, sweating, then a BP surge [T49][T46].
CLONIDINE_SIGNS = ("sweating", "restlessness", "anxiety", "shaking")


def baclofen_signs(f: Facts) -> list[str]:
    """The early baclofen withdrawal signs reported: itching, spasms, tingling, a stop alarm [T2][T4][T5]."""
    signs = [name for name, hit in (
        ("itching", f.yes("itching")), ("tingling", f.yes("numbness_new")),
        ("two-tone alarm", f.o.get("pump_alarm") == "two_tone"),
        ("light-headed or fainted", f.yes("fainted"))) if hit]
    return signs + sorted(f.items("withdrawal_signs", WITHDRAWAL_SIGNS))


def baclofen_withdrawal(f: Facts) -> Iterator[Reason]:
    """Baclofen withdrawal signs are urgent; with fever or confusion an emergency (boxed warning) [T1][T2][T7]."""
    if "baclofen" not in f.drugs:
        return
    early, severe = baclofen_signs(f), [name for name, hit in (
        ("fever", f.feverish()), ("confusion", f.yes("confusion_new") or f.yes("hallucinations"))) if hit]
    empty = " The pump may be empty." if f.pump_may_be_empty() else ""
    if (early and severe) or len(severe) == 2:
        yield reason("baclofen_withdrawal_severe", "emergency", "These signs can mean your baclofen has "
                     "stopped. This can quickly become life-threatening. Take your pump card.",
                     f"{', '.join(early + severe)} on intrathecal baclofen: treat as withdrawal (and rule out "
                     f"infection) as a medical emergency; interrogate, image, refill.{empty}",
                     "T1, T2, T3, T7, T13")
    elif early or severe:
        yield reason("baclofen_withdrawal_signs", "urgent", "These signs can mean your baclofen is not "
                     "getting through.", f"{', '.join(early + severe)} on intrathecal baclofen: early "
                     f"withdrawal (or infection if fever) until the pump is checked.{empty}", "T2, T4, T5, T8",
                     "If you get a fever or feel confused, call emergency services.")


def clonidine_withdrawal(f: Facts) -> Iterator[Reason]:
    """Clonidine stopped (alarm or empty pump) with headache, agitation or sweating: rebound crisis [T46][T49]."""
    if "clonidine" not in f.drugs:
        return
    stopped = f.o.get("pump_alarm") == "two_tone" or f.pump_may_be_empty()
    signs = sorted(f.items("withdrawal_signs", CLONIDINE_SIGNS))
    if f.o.get("headache") == "severe":
        signs.append("severe headache")
    if stopped and signs:
        yield reason("clonidine_withdrawal", "emergency", "These signs can mean your clonidine has stopped. "
                     "This can raise your blood pressure to a dangerous level.",
                     f"{', '.join(signs)} with the pump stopped or empty: clonidine withdrawal, risk of "
                     "hypertensive crisis and stress cardiomyopathy; check BP.", "T46, T47, T48, T49")
