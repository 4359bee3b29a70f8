"""Pure diary rules: raw form answers to typed answers and vocabulary observations; due tasks."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

# Questionnaires are pure data built from the standard library only, so rules stay pure.
from companion.diary.questionnaire import NO, REPORTERS, YES, Question, Questionnaire
from companion.diary.questionnaires import CHECKIN, POST_REFILL, SITES, WOUND

Value = int | float | bool | str | list[str]
Raw = object  # str, or a list of str for multi items; anything else is coerced, never trusted

# Plausible body temperatures; the two ranges do not overlap, so a missing unit can be inferred.
TEMP_RANGES = {"C": (Decimal("34"), Decimal("43")), "F": (Decimal("93"), Decimal("109.4"))}
# "Worst first" when two incisions feed one key. Clear fluid ranks above blood: at the back
# incision it may be spinal fluid, while a little blood is common in the first days.
SEVERITY: dict[str, tuple[str, ...]] = {
    "wound_redness": ("none", "edges_only", "spreading"),
    "wound_drainage": ("none", "bloody", "clear", "cloudy_or_pus"),
    "wound_swelling": ("none", "stable", "increasing"),
    "sleepiness": ("alert", "slightly_drowsy", "drifts_off", "hard_to_wake"),
    "headache": ("none", "mild", "severe"),
    "nausea": ("none", "mild", "vomiting"),
}
MAX_RAW = 5000  # longer raw values are rejected before any parsing work
MORNING_DUE, EVENING_START, EVENING_DUE, CHECKIN_DUE = time(9), time(14), time(19), time(10)
WOUND_DAYS, TWICE_DAILY_DAYS, POST_REFILL_HOURS = 30, 3, (24, 48, 72)
# The first check comes a few hours after a refill: pocket fill and overdose show within hours [T18][T24].
# The clinic's choice; 4 h is the default.
FIRST_POST_REFILL_HOURS = 4


def post_refill_windows(first_hours: int = FIRST_POST_REFILL_HOURS) -> list[tuple[int, int]]:
    """(due, until) hours after a refill for each check: each lasts until the next one (the last for 24 h)."""
    hours = sorted({h for h in (first_hours, *POST_REFILL_HOURS) if 0 < h})
    return [(h, nxt) for h, nxt in zip(hours, [*hours[1:], hours[-1] + 24])]

_TRUE, _FALSE = {"yes", "y", "true", "on", "1"}, {"no", "n", "false", "off", "0"}
_INT = re.compile(r"[+-]?[0-9]{1,6}")
_DECIMAL = re.compile(r"[+-]?[0-9]{1,5}(?:[.,][0-9]{1,4})?")
_NUMBER = re.compile(rf"({_DECIMAL.pattern})\s*°?\s*([CcFf])?")  # a temperature, unit optional
# Direction overrides can make a note read differently to staff than it was written.
_BIDI = {0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}
def N_(text: str) -> str:
    """Mark a message for extraction; the page translates it where it is shown (this module stays pure)."""
    return text


class Message(str):
    """A message with values: the English text itself, plus its msgid and values for the page to translate."""

    msgid: str
    params: dict[str, str]

    def __new__(cls, msgid: str, **params: object) -> Message:
        """The English text, remembering the msgid and the values (as text) it was made from."""
        values = {key: str(value) for key, value in params.items()}
        message = super().__new__(cls, msgid % values)
        message.msgid, message.params = msgid, values
        return message


_MSG_ONE = N_("Please pick only one answer.")
_MSG_CHOICE = N_("Please pick one of the answers shown.")
_MSG_TOLD = N_("Please tell us what is new: pick what fits below, or write a note.")


@dataclass(frozen=True)
class Normalised:
    """Observations (vocabulary keys), clean answers (link ids) and errors (link id -> message)."""

    # Observations hold every answer that parsed, even beside errors: a typo elsewhere must
    # never hide a danger answer.
    observations: dict[str, Value]
    answers: dict[str, Value]
    errors: dict[str, str]

    @property
    def ok(self) -> bool:
        """True when nothing needs fixing."""
        return not self.errors


@dataclass(frozen=True)
class Task:
    """Something the patient should do now; `hours` names the post-refill check (24, 48, 72)."""

    kind: str  # "post_refill_check" | "wound_check" | "checkin"
    label: str
    due_at: datetime  # UTC
    hours: int | None = None


def clean_text(raw: str) -> str:
    """Trim, unify line ends, drop control and direction-override characters."""
    text = unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " "))
    return "".join(
        ch for ch in text
        if ch == "\n" or (unicodedata.category(ch) not in {"Cc", "Cs"} and ord(ch) not in _BIDI)
    ).strip()


def _as_str(raw: object) -> str:
    """Coerce one raw value to text (JSON replays may carry numbers or booleans)."""
    return (YES if raw else NO) if isinstance(raw, bool) else raw if isinstance(raw, str) else str(raw)


def _single(raw: Raw) -> tuple[str | None, str | None]:
    """One stripped value from a form field that may arrive as a list; (None, None) when blank."""
    values = raw if isinstance(raw, list | tuple) else [] if raw is None else [raw]
    distinct = list(dict.fromkeys(s for s in (_as_str(v).strip() for v in values) if s))
    if len(distinct) > 1:
        return None, _MSG_ONE
    if distinct and len(distinct[0]) > MAX_RAW:
        return None, N_("That answer is too long.")
    return (distinct[0] if distinct else None), None


def _range_msg(item: Question) -> str:
    """The plain message for a number outside its range, worded for buttons or a box."""
    low, high = f"{item.min:g}", f"{item.max:g}"
    if item.choices:
        return Message(N_("Please pick a number from %(low)s to %(high)s."), low=low, high=high)
    if item.kind == "integer":
        return Message(N_("Please enter a whole number from %(low)s to %(high)s."), low=low, high=high)
    return Message(N_("Please enter a number from %(low)s to %(high)s."), low=low, high=high)


def _decimal(text: str) -> float:
    """A decimal typed with a point or a comma."""
    return float(text.replace(",", "."))


def _to_celsius(number: Decimal, unit: str) -> float:
    """Convert to °C, rounded half-up to one decimal (100.4 °F -> 38.0)."""
    celsius = (number - 32) * 5 / 9 if unit == "F" else number
    return float(celsius.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _measure(item: Question, text: str, unit_raw: Raw) -> tuple[Value | None, str | None, str | None]:
    """Parse a temperature (the only item with units) and its unit; a missing unit is inferred."""
    match = _NUMBER.fullmatch(text)
    if not match:
        return None, N_("Please type the temperature as a number, like 37.2."), None
    number = Decimal(match[1].replace(",", "."))
    picked, error = _single(unit_raw)
    typed = match[2].upper() if match[2] else None
    if error or (picked and picked not in {c.code for c in item.unit_choices}):
        return None, N_("Please pick °C or °F."), None
    if typed and picked and typed != picked:
        return None, N_("The number and the unit do not match. Please check °C or °F."), None
    fits = [u for u, (lo, hi) in TEMP_RANGES.items() if lo <= number <= hi]
    unit = typed or picked or (fits[0] if fits else "C")
    if unit not in fits:
        if fits:
            return None, Message(N_("That looks like °%(unit)s. Please check the number or the unit."),
                                 unit=fits[0]), None
        (c_lo, c_hi), (f_lo, f_hi) = TEMP_RANGES["C"], TEMP_RANGES["F"]
        message = Message(N_("Please check the temperature. It should be from %(c_lo)s to %(c_hi)s °C (%(f_lo)s "
                             "to %(f_hi)s °F)."), c_lo=c_lo, c_hi=c_hi, f_lo=f_lo, f_hi=f_hi)
        return None, message, None
    return float(number), None, unit


def _raw(answers: Mapping[str, Raw], key: str) -> Raw:
    """A field's value; every value of a werkzeug MultiDict, whose get() returns only the first."""
    getlist = getattr(answers, "getlist", None)
    return getlist(key) if callable(getlist) else answers.get(key)


def _parse(item: Question, answers: Mapping[str, Raw]) -> tuple[Value | None, str | None, str | None]:
    """Parse one item's raw answer into (value, error, unit); value None means not answered."""
    raw = _raw(answers, item.link_id)
    if item.kind == "multi":
        items = raw if isinstance(raw, list | tuple) else [] if raw is None else [raw]
        picked = list(dict.fromkeys(s for s in (_as_str(v).strip() for v in items) if s))
        known = [c for c in item.codes if c in picked]  # questionnaire order, duplicates gone
        return (known or None), (_MSG_CHOICE if len(known) < len(picked) else None), None
    text, error = _single(raw)
    if error or text is None:
        return None, error, None
    if item.kind == "text":
        clean = clean_text(text)
        if item.max is not None and len(clean) > item.max:
            return None, Message(N_("Please keep this under %(max)s characters. It has %(n)s."),
                                 max=f"{item.max:g}", n=len(clean)), None
        return (clean or None), None, None
    if item.kind == "boolean":
        word = text.lower()
        if word not in _TRUE | _FALSE:
            return None, N_("Please pick Yes or No."), None
        return word in _TRUE, None, None
    if item.kind == "choice":
        return (text, None, None) if text in item.codes else (None, _MSG_CHOICE, None)
    if item.kind == "decimal" and item.unit_choices:
        return _measure(item, text, _raw(answers, f"{item.link_id}.unit"))
    pattern, number = (_INT, int) if item.kind == "integer" else (_DECIMAL, _decimal)
    if not pattern.fullmatch(text) or not item.min <= number(text) <= item.max:  # type: ignore[operator]
        return None, _range_msg(item), None
    return number(text), None, None


def _required_msg(item: Question) -> str:
    """What to say when a required item was left blank."""
    if item.kind == "integer":
        return _range_msg(item)
    return {"boolean": N_("Please pick Yes or No."), "choice": N_("Please pick one answer."),
            "multi": N_("Please tick at least one.")}.get(item.kind, N_("Please fill this in."))


def _code(value: Value | None) -> list[str]:
    """An answer as the string codes enable_when compares against."""
    values = [] if value is None else value if isinstance(value, list) else [value]
    return [(YES if v else NO) if isinstance(v, bool) else str(v) for v in values]


def _put(observations: dict[str, Value], key: str, value: Value) -> None:
    """Record an observation; when two items feed one key, keep the worse answer."""
    old = observations.get(key)
    if old is None:
        observations[key] = value
    elif key in SEVERITY:
        observations[key] = max(old, value, key=SEVERITY[key].index)  # type: ignore[arg-type]
    elif isinstance(value, bool):
        observations[key] = bool(old) or value
    elif isinstance(value, int | float) and isinstance(old, int | float):
        observations[key] = max(old, value)


def _normalise(
    questionnaire: Questionnaire, answers: Mapping[str, Raw], *, reporter: str,
    weekly_due: bool = False, skip_groups: Collection[str] = (),
) -> Normalised:
    """Validate every item; keep whatever parsed, even for items that were not shown."""
    if reporter not in REPORTERS:
        raise ValueError(f"unknown reporter {reporter!r}")
    clean: dict[str, Value] = {}
    observations: dict[str, Value] = {}
    errors: dict[str, str] = {}
    enabled: dict[str, bool] = {}
    for item in questionnaire.items:
        value, error, unit = _parse(item, answers)
        enabled[item.link_id] = not item.enable_when or any(
            enabled[ref] and want in _code(clean.get(ref)) for ref, want in item.enable_when
        )
        if error:
            errors[item.link_id] = error
        if value is not None:  # a multi answer keeps its known codes beside an error
            clean[item.link_id] = value
            if unit:
                clean[f"{item.link_id}.unit"] = unit
            if item.observation:
                obs = _to_celsius(Decimal(str(value)), unit) if unit else value
                _put(observations, item.observation, obs)
        elif (not error and item.required and enabled[item.link_id] and reporter in item.audience
              and (item.frequency == "daily" or weekly_due) and item.group not in skip_groups):
            errors[item.link_id] = _required_msg(item)
    return Normalised(observations, clean, errors)


def normalise_checkin(
    answers: Mapping[str, Raw], *, reporter: str, weekly_due: bool = False,
) -> Normalised:
    """Normalise a daily check-in; the PEG items are required only when `weekly_due`."""
    result = _normalise(CHECKIN, answers, reporter=reporter, weekly_due=weekly_due)
    core = {item.link_id for item in CHECKIN.items if item.group in {"today", "week"}}
    told = any(k not in core for k in (*result.answers, *result.errors))
    # "Yes, something is new" with nothing else would leave the care team guessing.
    if result.answers.get("anything_new") is True and not told:
        result.errors["anything_new"] = _MSG_TOLD
    return result


def normalise_wound(
    answers: Mapping[str, Raw], *, sites: Collection[str] = ("belly", "back"), reporter: str = "patient",
) -> Normalised:
    """Normalise a wound check: per-site answers kept, the worse site feeds each observation."""
    known = {c.code for c in SITES}
    if not set(sites) <= known:
        raise ValueError(f"unknown sites {set(sites) - known}")
    return _normalise(WOUND, answers, reporter=reporter, skip_groups=known - set(sites))


def normalise_post_refill(answers: Mapping[str, Raw], *, reporter: str) -> Normalised:
    """Normalise the short sleepiness and breathing check after a refill or dose increase."""
    return _normalise(POST_REFILL, answers, reporter=reporter)


def pain_baseline(previous_pains: Sequence[int]) -> float | None:
    """Mean pain_now over the entries the caller picked (the previous 7 days); None if none."""
    valid = [p for p in previous_pains if isinstance(p, int) and not isinstance(p, bool) and 0 <= p <= 10]
    return sum(valid) / len(valid) if valid else None


def peg_score(answers: Mapping[str, Value]) -> float | None:
    """The PEG score: mean of the three weekly items, or None unless all three were answered."""
    values = [answers.get(k) for k in ("peg.pain_avg", "peg.enjoyment", "peg.activity")]
    numbers = [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
    return sum(numbers) / 3 if len(numbers) == 3 else None


def peg_due(today: date, last_peg_on: date | None) -> bool:
    """The PEG items are asked once a week: never answered, or at least 7 days ago."""
    return last_peg_on is None or (today - last_peg_on).days >= 7


def summary_for_yesterday(prev_answers: Mapping[str, Value] | None) -> dict[str, Value]:
    """Values to prefill from yesterday's clean answers: preferences only, never pain or symptoms."""
    # A prefilled answer can be sent unread, hiding a change or repeating a red flag that passed.
    unit = (prev_answers or {}).get("temperature.unit")
    return {"temperature.unit": unit} if unit in {"C", "F"} else {}


def _utc(moment: datetime) -> datetime:
    """An aware datetime; naive ones are taken to be UTC, as stored."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def _wound_task(local: datetime, surgery: date, last_check: datetime | None) -> Task | None:
    """Today's wound check slot if not yet done: twice a day on days 1-3, daily to day 30."""
    day = (local.date() - surgery).days
    if not 1 <= day <= WOUND_DAYS:
        return None
    evening = day <= TWICE_DAILY_DAYS and local.time() >= EVENING_START
    start = datetime.combine(local.date(), EVENING_START if evening else time(0), local.tzinfo)
    if last_check is not None and _utc(last_check) >= start:
        return None
    part = "Evening wound" if evening else "Morning wound" if day <= TWICE_DAILY_DAYS else "Wound"
    due = datetime.combine(local.date(), EVENING_DUE if evening else MORNING_DUE, local.tzinfo)
    return Task("wound_check", f"{part} check (day {day} after surgery)", due.astimezone(timezone.utc))


def due_tasks(
    now: datetime, *, tz: str, implanted_on: date | None = None, revision_on: date | None = None,
    last_wound_check_at: datetime | None = None, refill_or_dose_increase_at: datetime | None = None,
    completed_post_refill_checks: Collection[int] = frozenset(), last_checkin_on: date | None = None,
    first_post_refill_hours: int = FIRST_POST_REFILL_HOURS,
) -> list[Task]:
    """What is due now, safety checks first: post-refill check, wound check, today's check-in."""
    local = _utc(now).astimezone(ZoneInfo(tz))
    tasks: list[Task] = []
    if refill_or_dose_increase_at is not None:
        start = _utc(refill_or_dose_increase_at)
        for hours, until in post_refill_windows(first_post_refill_hours):
            due = start + timedelta(hours=hours)
            # A missed check gives way to the next one rather than piling up.
            if hours not in completed_post_refill_checks and due <= local < start + timedelta(hours=until):
                label = f"Sleep and breathing check ({hours} hours after your refill or dose change)"
                tasks.append(Task("post_refill_check", label, due.astimezone(timezone.utc), hours))
    surgery = max((d for d in (implanted_on, revision_on) if d is not None), default=None)
    wound = _wound_task(local, surgery, last_wound_check_at) if surgery else None
    if wound:
        tasks.append(wound)
    if last_checkin_on is None or last_checkin_on < local.date():
        due = datetime.combine(local.date(), CHECKIN_DUE, local.tzinfo)
        tasks.append(Task("checkin", "Daily check-in", due.astimezone(timezone.utc)))
    return tasks
