"""The daily check-in: pain, weekly PEG, and red-flag questions behind "anything new?"."""
from __future__ import annotations

from dataclasses import replace

from companion.diary.questionnaire import YES, Choice, Question, Questionnaire
from companion.diary.questionnaires.common import (
    BLUE_LIPS,
    BREATHING_TROUBLE,
    BREATHS_PER_MIN,
    PAIN_SCALE,
    SLEEPINESS,
    TEMPERATURE,
    YES_NO,
    scale,
)

# Red-flag items stay hidden on an ordinary day, so it takes pain + "No" + send (3 taps;
# 6 in the PEG week).
NEW = (("anything_new", YES),)
INTERFERE = scale("(not at all)", "(completely)")


def flag(link_id: str, text: str, group: str, help: str = "") -> Question:
    """A yes/no red-flag item shown after "Yes, something is new"; its link id is its vocabulary key."""
    return Question(
        link_id, text, "boolean", YES_NO, enable_when=NEW, help=help, group=group, observation=link_id,
    )


def peg(link_id: str, text: str, choices: tuple[Choice, ...]) -> Question:
    """One of the three weekly PEG items (0-10); answers only, the vocabulary has no PEG key."""
    return Question(
        link_id, text, "integer", choices, required=True, min=0, max=10,
        group="week", frequency="weekly", audience=("patient",),
    )


ITEMS: tuple[Question, ...] = (
    Question(
        "pain_now", "How bad is your pain right now?", "integer", PAIN_SCALE, required=True,
        help="0 means no pain. 10 means the worst pain you can imagine.",
        min=0, max=10, group="today", observation="pain_now", audience=("patient",),
    ),
    peg("peg.pain_avg", "In the past week, what was your pain on average?", PAIN_SCALE),
    peg("peg.enjoyment", "In the past week, how much did pain get in the way of enjoying life?", INTERFERE),
    peg("peg.activity", "In the past week, how much did pain get in the way of your daily activities?",
        INTERFERE),
    Question(
        "anything_new", "Anything new or worrying since yesterday?", "boolean",
        (Choice("no", "No, nothing new"), Choice(YES, "Yes")), required=True,
        help="If you pick Yes, we will ask a few short questions.", group="today",
    ),
    # Breathing and sleepiness first: they are the signs of an overdose.
    replace(SLEEPINESS, enable_when=NEW),
    replace(BREATHING_TROUBLE, enable_when=NEW),
    replace(BLUE_LIPS, enable_when=NEW),
    BREATHS_PER_MIN,
    flag("confusion_new", "New confusion, or muddled thinking?", "mind"),
    flag("hallucinations", "Seeing or hearing things that are not there?", "mind"),
    flag("seizure", "A seizure (a fit)?", "mind"),
    flag("fainted", "Fainted or passed out?", "mind"),
    flag(
        "suicidal_thoughts", "Thoughts of ending your life?", "mind",
        "If you feel you might act on these thoughts, call emergency services now.",
    ),
    flag("leg_weakness_new", "New weakness in one or both legs?", "nerves"),
    flag("numbness_new", "New numbness or tingling?", "nerves"),
    flag("walking_harder_new", "Walking is harder than before?", "nerves"),
    flag("bladder_control_change_new", "New leaking of pee, or trouble holding it?", "nerves"),
    flag("bowel_control_change_new", "New trouble holding your poop (bowel control)?", "nerves"),
    flag("cannot_pass_urine", "Not able to pee at all?", "nerves"),
    replace(TEMPERATURE, enable_when=NEW),
    # Most people have no thermometer at hand; feeling feverish counts toward meningitis signs [T60][T61].
    flag("feels_feverish", "Do you feel feverish, or hot and shivery?", "fever",
         "Answer this even if you did not take your temperature."),
    Question(
        "headache", "Headache?", "choice",
        (Choice("none", "No headache"), Choice("mild", "Mild headache"), Choice("severe", "Bad headache")),
        enable_when=NEW, group="fever", observation="headache",
    ),
    Question(
        "headache_worse_upright", "Is the headache worse when you sit or stand, and better lying down?",
        "boolean", YES_NO, enable_when=(("headache", "mild"), ("headache", "severe")),
        group="fever", observation="headache_worse_upright",
    ),
    flag("stiff_neck", "Stiff neck (hard to touch your chin to your chest)?", "fever"),
    Question(
        "withdrawal_signs", "Do you have any of these?", "multi",
        (
            Choice("sweating", "Sweating"),
            Choice("yawning", "Yawning a lot"),
            Choice("runny_nose", "Runny nose"),
            Choice("gooseflesh", "Goose bumps"),
            Choice("shaking", "Shaking"),
            Choice("restlessness", "Feeling restless"),
            Choice("stomach_cramps", "Stomach cramps"),
            Choice("diarrhea", "Diarrhea (loose, watery poop)"),
            Choice("muscle_spasms", "Muscle spasms or twitches"),
            Choice("anxiety", "Feeling anxious"),
        ),
        enable_when=NEW,
        help="Tick all that fit. These can be signs that the pump is not giving enough medicine.",
        group="withdrawal", observation="withdrawal_signs",
    ),
    flag("pain_character_new", "Does your pain feel different, or is it in a new place?", "withdrawal"),
    Question(
        "pump_alarm", "Did you hear the pump make an alarm sound?", "choice",
        (
            Choice("none", "No alarm"),
            Choice("single_tone", "A single tone"),
            Choice("two_tone", "Two tones"),
            Choice("unsure", "I heard something, but I am not sure what"),
        ),
        enable_when=NEW,
        help=(
            "On some pumps (such as SynchroMed), a single tone is one beep that lasts about 1 second. "
            "It can mean the pump is low on medicine or its battery is running down. "
            "Two tones is a two-note sound that lasts about 3 seconds. "
            "It means the pump has stopped or will stop soon. "
            "For any alarm, call your care team the same day."
        ),
        group="pump", observation="pump_alarm",
    ),
    flag("pump_site_swelling_new", "A new lump or swelling over the pump?", "pump"),
    flag("pump_moved", "Does the pump feel like it has moved or flipped?", "pump"),
    Question(
        "constipation_days", "How many days since your last poop (bowel movement)?", "integer",
        enable_when=NEW, help="Type 0 if you went today.", min=0, max=30,
        group="body", observation="constipation_days",
    ),
    Question(
        "nausea", "Do you feel sick to your stomach?", "choice",
        (Choice("none", "No"), Choice("mild", "A little sick"), Choice("vomiting", "Throwing up (vomiting)")),
        enable_when=NEW, group="body", observation="nausea",
    ),
    flag("itching", "Itchy skin?", "body"),
    flag("leg_swelling", "Swollen feet, ankles or legs?", "body"),
    # Asked every day, not only on "something new": a nightly sleeping pill still adds to the pump drug.
    Question(
        "medications_taken", "Since your last check-in, did you take any of these?", "multi",
        (
            Choice("sleep_medicine", "Sleeping pills"),
            Choice("benzodiazepine", "Calming pills such as diazepam or lorazepam"),
            Choice("gabapentinoid", "Gabapentin or pregabalin"),
            Choice("opioid_pill_or_patch", "Extra opioid pain pills or patches"),
            Choice("alcohol", "Alcohol"),
            Choice("muscle_relaxant", "Muscle relaxants"),
        ),
        help=(
            "Tick all that fit, even if a doctor gave them to you. "
            "Some of these can slow your breathing when taken with the pump medicine."
        ),
        group="medicines", observation="medications_taken",
    ),
    Question(
        "note", "Anything else you want your care team to know?", "text",
        help=(
            "Your care team may not read this right away. "
            "If you feel very unwell, call them or emergency services."
        ),
        max=1000, group="note",
    ),
)

CHECKIN = Questionnaire(
    id="daily-checkin",
    version="1",
    title="Daily check-in",
    items=ITEMS,
    groups=(
        Choice("today", "Today"),
        Choice("week", "Your past week"),
        Choice("breathing", "Sleep and breathing"),
        Choice("mind", "Thinking and mood"),
        Choice("nerves", "Legs, feeling and bladder"),
        Choice("fever", "Fever and headache"),
        Choice("withdrawal", "Pain and withdrawal signs"),
        Choice("pump", "Your pump"),
        Choice("body", "Stomach and skin"),
        Choice("medicines", "Other medicines"),
        Choice("note", "Anything else"),
    ),
)
