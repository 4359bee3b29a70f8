"""Rules for the spine and brain: meningitis, cord compression, inflammatory mass, pain, withdrawal."""
from __future__ import annotations

from collections.abc import Iterator

from .base import NO_WITHDRAWAL_DRUGS, SAFETY_NET, WITHDRAWAL_SIGNS, Facts, Reason, patient, reason

_PAIN_HIGH = 9  # first entries: no baseline yet, so only the top of the scale is a review item [S72]
_CORD_SIGNS = ("leg_weakness_new", "walking_harder_new", "bladder_control_change_new",
               "bowel_control_change_new")


def meningitis(f: Facts) -> Iterator[Reason]:
    """Two of headache, stiff neck, fever (measured or felt), confusion: meningitis [S33][S45][T60][T61]."""
    severe, stiff, confused = f.o.get("headache") == "severe", f.yes("stiff_neck"), f.yes("confusion_new")
    any_headache = f.o.get("headache") in ("mild", "severe")
    felt = f.yes("feels_feverish") and not f.fever()
    if f.fever() and (severe or stiff or confused):
        yield reason("meningitis_signs", "emergency", "Fever with a bad headache, stiff neck or confusion "
                     "can be a serious infection near the brain.",
                     "Fever with meningism or altered mental status: possible meningitis "
                     "(follows deep SSI; median 2.2 months after implant).", "S33, S45")
    elif confused and (stiff or severe):
        yield reason("meningitis_signs_confused", "emergency", "A stiff neck or bad headache with new "
                     "confusion can be a serious infection near the brain, even without a fever.",
                     "Meningism or severe headache with altered mental status: 2 of 4 (95% of adult "
                     "bacterial meningitis have 2 of headache, stiff neck, fever, confusion).", "T60, T61, S33")
    elif felt and stiff and any_headache:
        yield reason("meningitis_signs_unmeasured", "emergency", "A stiff neck, a headache and feeling hot "
                     "and shivery together can be a serious infection near the brain.",
                     "Headache, stiff neck and felt fever (no thermometer): classic triad.", "T60, T61, T55")
    elif stiff and (any_headache or felt or f.o.get("nausea") == "vomiting"):
        yield reason("stiff_neck_headache", "urgent", "A stiff neck with a headache, fever or throwing up "
                     "needs a check today.", "Meningism with headache, felt fever or vomiting (no measured "
                     "fever): afebrile meningitis or CSF leak; 2 of 4 meningitis features.",
                     "S33, S56, T60", "If you get a fever or feel confused, call emergency services.")
    elif felt and severe:
        yield reason("feverish_severe_headache", "urgent", "A bad headache while feeling feverish needs a "
                     "check today.", "Severe headache with felt fever (not measured): 2 of 4 meningitis "
                     "features.", "T60, T61", "If your neck gets stiff or you feel confused, call "
                     "emergency services.")
    elif severe and not f.yes("headache_worse_upright"):
        yield reason("headache_severe", "routine", "A bad headache needs watching.",
                     "Severe headache without fever, meningism or postural pattern.", "S15",
                     "If you get a fever or a stiff neck, call your clinic.")


def cord_compression(f: Facts) -> Iterator[Reason]:
    """New leg weakness, gait change or bladder/bowel control change: cord compression [S26][S60]."""
    signs = [k for k in _CORD_SIGNS if f.yes(k)]
    if f.yes("cannot_pass_urine") and f.yes("numbness_new"):
        signs.append("urinary retention with new numbness")  # bladder dysfunction plus a sensory sign
    if signs:
        yield reason("cord_compression_signs", "emergency", "New weak legs, harder walking, or new trouble "
                     "holding urine or stool can mean pressure on the spinal cord.",
                     f"{', '.join(signs)}: catheter-tip mass or cord compression; needs immediate "
                     "diagnosis.", "S26, S60")


def inflammatory_mass(f: Facts) -> Iterator[Reason]:
    """New numbness or pain that changes in kind are early inflammatory-mass signs [S26][S43]."""
    signs = [k for k in ("numbness_new", "pain_character_new") if f.yes(k)]
    if signs:
        yield reason("mass_warning_signs", "urgent", "New numbness, or pain that feels different, needs "
                     "a check.", f"{', '.join(signs)}: early catheter-tip inflammatory mass signs "
                     "(inference); consider imaging.", "S26, S43")


def pain_rise(f: Facts) -> Iterator[Reason]:
    """Pain 2+ over baseline: review [S72]; urgent after refill/MRI, dose rises or empty pump [S24][S43][S12]."""
    if not f.pain_rise():
        now, base = f.num("pain_now"), f.num("pain_baseline", "c")
        if now is not None and base is None and now >= _PAIN_HIGH:
            yield reason("pain_high_no_baseline", "routine", "Your pain is very high.", f"NRS {now:g} with no "
                         "7-day baseline yet (first entries): review analgesia and trial response.", "S72")
        return
    increases = f.num("dose_increases_last_90_days", "c") or 0
    what = "Your pain is higher than usual."
    if f.within("refill") or f.within("mri"):
        event = "refill" if f.within("refill") else "mri"
        yield reason(f"pain_rise_after_{event}", "urgent", what, f"Pain return inside 72 h of {event}: "
                     "pocket fill, mixing error, or pump not restarted.", "S24, S76, S22")
    elif f.pump_may_be_empty():
        yield reason("pain_rise_pump_may_be_empty", "urgent", what, "Pain return at or after the projected "
                     "low-reservoir date or with the refill overdue: reservoir may be empty.", "S12, S18, T6")
    elif increases >= f.t["dose_increases_for_mass"]:
        yield reason("pain_rise_despite_dose_increases", "urgent", what, f"Pain rising despite "
                     f"{increases:g} dose increases in 90 days: consider inflammatory mass.", "S26, S43")
    else:
        yield reason("pain_above_baseline", "routine", what, "NRS at least 2 points over the 7-day "
                     "mean (clinically important change).", "S72")


def withdrawal(f: Facts) -> Iterator[Reason]:
    """Withdrawal signs: therapy stopped, any drug of a mix or before a switch [S75][S76][S22][T50]."""
    n = len(f.items("withdrawal_signs", WITHDRAWAL_SIGNS))
    empty = f.pump_may_be_empty()
    after_change = f.within("refill") or f.within("mri")  # any new sign then counts [S76]
    if n == 0 or (n < f.t["withdrawal_signs_min"] and not (after_change or empty)):
        return
    what = patient("These signs can mean your pump medicine is not getting through.")
    left = f.num("days_until_low_reservoir", "c")
    current = f.drugs
    switched_from = sorted(d for d in f.previous_drugs - current if d not in NO_WITHDRAWAL_DRUGS)
    if f.within("mri"):
        yield reason("withdrawal_after_mri", "urgent", what, "Withdrawal inside 72 h of MRI: pump may not "
                     "have restarted (interrogate; Prometra valve reset).", "S21, S22, S26")
    elif f.within("refill"):
        yield reason("withdrawal_after_refill", "urgent", what, "Withdrawal-like signs inside 72 h of refill, "
                     "whatever the drug: mixing or programming error, pocket fill, or withdrawal from a drug "
                     "just stopped.", "S76, S24, T50")
    elif empty:
        gone = f"{-left:g} d after the projected low-reservoir date" if left is not None and left <= 0 else (
            "refill overdue")
        yield reason("withdrawal_reservoir_low", "urgent", what, f"Withdrawal signs, {gone}: reservoir may "
                     "be empty.", "S12, S18, T6")
    elif switched_from:
        yield reason("withdrawal_after_switch", "urgent", "These signs can come from stopping your old pump "
                     "medicine.", f"{n} withdrawal signs after a switch from {', '.join(switched_from)} "
                     "(ziconotide does not prevent opioid withdrawal).", "T50, T51, T52")
    elif current and current <= set(NO_WITHDRAWAL_DRUGS):
        yield reason("withdrawal_like_signs", "routine", "These signs are likely not from your pump "
                     "medicine.", f"{n} withdrawal-like signs; {', '.join(sorted(current))}: no withdrawal "
                     "syndrome.", "S76")
    else:
        early = f", {left:g} d before the projected low date (computed, not measured)" if left else ""
        rise = ", with pain above baseline" if f.pain_rise() else ""
        yield reason("withdrawal_signs", "urgent", what, f"{n} withdrawal signs{early}{rise}: catheter "
                     "failure, motor stall or early emptying (overinfusion).", "S75, S23, S13")


def confusion_or_hallucinations(f: Facts) -> Iterator[Reason]:
    """New confusion or hallucinations need a same-day call; on ziconotide a boxed warning [S33][S67]."""
    hits = [k for k in ("confusion_new", "hallucinations") if f.yes(k)]
    if hits and "ziconotide" in f.drugs:
        yield reason("ziconotide_neuropsychiatric", "urgent", "New confusion or seeing things can be a "
                     "side effect of your pump medicine.", f"{', '.join(hits)} on ziconotide "
                     "(confusion 33%, hallucinations 12%).", "S33", SAFETY_NET)
    elif hits:
        yield reason("confusion_or_hallucinations", "urgent", "New confusion, or seeing things that are "
                     "not there, needs a check today.", f"{', '.join(hits)}: opioid toxicity, infection.",
                     "S67, S8", SAFETY_NET)
