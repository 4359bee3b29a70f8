"""Rules for the surgical sites, the pump and common drug side effects."""
from __future__ import annotations

from collections.abc import Iterator

from .base import SAFETY_NET, Facts, Reason, patient, reason

_DRAINAGE = ("clear", "bloody", "cloudy_or_pus")  # "drainage of any colour" is abnormal [S18][S59]
_ALARMS = {
    "two_tone": ("pump_alarm_critical", patient("This alarm means your pump has stopped or will stop soon."),
                 "Critical two-tone alarm: empty reservoir, end of service, motor stall, memory error."),
    "single_tone": ("pump_alarm_low", patient("This alarm often means your pump is low or needs service."),
                    "Non-critical single tone: low reservoir, ERI, non-critical memory error."),
    "unsure": ("pump_alarm_unsure", patient("Any sound from your pump needs a check."),
               "Alarm type unknown: interrogate the pump."),
}


def wound(f: Facts) -> Iterator[Reason]:
    """Spreading redness, streaks, drainage, opening or growing swelling need care today [S59][S62][S18]."""
    drainage = f.o.get("wound_drainage")
    checks = (("spreading redness", f.o.get("wound_redness") == "spreading"),
              ("red streaks", f.yes("red_streaks")),
              (f"{drainage} drainage", drainage in _DRAINAGE),
              ("increasing swelling", f.o.get("wound_swelling") == "increasing"))
    signs = [name for name, hit in checks if hit]
    if signs:
        yield reason("wound_infection_signs", "urgent", "These changes to your wound can mean infection.",
                     f"{', '.join(signs)}: SSI or device infection; clear fluid may be CSF.", "S59, S62, S18")
    if f.yes("wound_open"):
        yield reason("wound_open", "urgent", "A wound that is opening needs care today. Cover it with a "
                     "clean dressing.", "Dehiscence: risk of device infection and erosion.", "S18, S62")
    if f.yes("wound_warm") and not signs and not f.fever():
        yield reason("wound_warm", "routine", "A warm wound can be part of healing.",
                     "Isolated warmth without other SSI signs.", "S61",
                     "If it gets red, more swollen or leaks, call your clinic.")


def fever(f: Facts) -> Iterator[Reason]:
    """Fever (measured or felt) inside the implant SSI window or with a warm wound is urgent [S57][S62][T60]."""
    if not f.feverish():
        return
    days, temp = f.num("days_since_implant", "c"), f.num("temperature_c")
    measured = f"T {temp:g} °C" if f.fever() and temp is not None else "Feels feverish (not measured)"
    if days is not None and 0 <= days <= f.t["infection_window_days"]:
        yield reason("fever_after_implant", "urgent", "A fever in the months after surgery can mean "
                     "infection.", f"{measured} on day {days:g} after implant: inside the deep SSI "
                     "window (NHSN 90 d).", "S57, S62")
    elif f.yes("wound_warm"):
        yield reason("fever_with_warm_wound", "urgent", "A fever with a warm wound can mean infection.",
                     f"{measured} with wound warmth: possible late device infection.", "S59, S62")
    elif not (f.o.get("headache") == "severe" or f.yes("stiff_neck") or f.yes("confusion_new")):
        # with meningeal signs the meningitis rule speaks; a calmer note here would confuse
        yield reason("fever", "routine", "A fever can have many causes.", f"{measured} outside the "
                     "implant SSI window (or implant date unknown), no wound or meningeal sign.", "S62",
                     "If you get a bad headache, a stiff neck or wound changes, call your clinic.")


def csf_leak(f: Facts) -> Iterator[Reason]:
    """A headache worse upright or a clear fluid bump by an incision suggests a CSF leak [S56][S55]."""
    postural = f.yes("headache_worse_upright") and f.o.get("headache") != "none"
    if postural or f.yes("clear_fluid_swelling"):
        yield reason("csf_leak_signs", "urgent", "A headache that eases when you lie down, or a soft bump "
                     "near a cut, can be a spinal fluid leak. Lie flat.",
                     "Postural headache and/or fluid collection: CSF leak or hygroma.", "S56, S55")


def device(f: Facts) -> Iterator[Reason]:
    """Device showing, pump moved or new swelling need care today; after a refill, pocket fill [S58][S24][T24]."""
    if f.yes("device_visible"):
        yield reason("device_visible", "urgent", "Part of your pump or tube is showing. Cover it with a "
                     "clean dressing. Do not touch it.", "Device erosion through skin.", "S16, S18")
    if f.yes("pump_moved"):
        yield reason("pump_moved", "urgent", "A pump that has moved or flipped may not work right.",
                     "Pump migration or flip: refill access and catheter at risk.", "S58")
    if f.yes("pump_site_swelling_new") and f.within("refill") and f.sleepy():
        yield reason("pocket_fill_with_sedation", "emergency", "New swelling over your pump soon after a "
                     "refill, with sleepiness, can mean the medicine went under the skin.",
                     "New pocket swelling inside 72 h of refill with sedation: suspected pocket fill with "
                     "overdose (naloxone may need repeating; 8 deaths in 351 reports).", "S24, T24, T18",
                     "Do not leave them alone.")
    elif f.yes("pump_site_swelling_new") and f.within("refill"):
        yield reason("pocket_fill_suspected", "urgent", "New swelling over your pump soon after a refill "
                     "needs a check.", "New pocket swelling inside 72 h of refill: rule out pocket fill "
                     "(delayed overdose possible).", "S24", SAFETY_NET)
    elif f.yes("pump_site_swelling_new"):
        yield reason("pump_site_swelling", "urgent", "A new lump over your pump needs a check.",
                     "New pocket swelling: seroma, haematoma, infection or pocket fill.", "S58, S55")


def pump_alarm(f: Facts) -> Iterator[Reason]:
    """Any pump alarm needs a same-day call; two-tone means therapy stopped or will stop [S11][S18]."""
    alarm = f.o.get("pump_alarm")
    if alarm in _ALARMS:
        code, what, staff = _ALARMS[alarm]
        after = ", inside 72 h of MRI (stall; may not restart)" if f.within("mri") else ""
        yield reason(code, "urgent", what, staff + after, "S11, S18")


def side_effects(f: Facts) -> Iterator[Reason]:
    """Urine retention is urgent [S4]; constipation, vomiting, leg swelling are reviewed [S4][S31][S76]."""
    days, vomiting = f.num("constipation_days"), f.o.get("nausea") == "vomiting"
    constipated = days is not None and days >= f.t["constipation_days"]
    if f.yes("cannot_pass_urine"):
        yield reason("urinary_retention", "urgent", "Not being able to pass urine needs care today.",
                     "Urinary retention (IT opioid effect; inference).", "S4")
    if constipated and vomiting:
        yield reason("constipation_with_vomiting", "urgent", "No bowel movement and throwing up can mean "
                     "a blocked bowel.", f"No BM for {days:g} d with vomiting: exclude ileus.", "S4, S31")
    elif constipated:
        yield reason("constipation", "routine", "Hard or no bowel movements are common with pain "
                     "medicine.", f"No BM for {days:g} d.", "S4")
    elif vomiting and f.within("refill"):
        yield reason("vomiting_after_refill", "urgent", "Throwing up soon after a refill needs a check.",
                     "New vomiting inside 72 h of refill: mixing error or overdose.", "S76, S24", SAFETY_NET)
    elif vomiting:
        yield reason("vomiting", "routine", "Throwing up can be a side effect.", "Vomiting.", "S4")
    if f.yes("leg_swelling"):
        yield reason("leg_swelling", "routine", "Swollen legs can be a side effect of pump medicine.",
                     "Lower-extremity oedema.", "S4")
