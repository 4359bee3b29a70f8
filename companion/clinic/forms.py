"""Forms for the clinic admin: numbers, hours, on-call, rota, thresholds, two-factor, reminders, staff."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, EmailField, HiddenField, IntegerField, SelectField, SelectMultipleField,
                     StringField)
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from companion.accounts.forms import NewPasswordMixin
from companion.clinic import rules
from companion.escalation.thresholds import DEFAULTS

# Error codes from clinic.rules -> what the admin reads beside the field.
MESSAGES = {
    "required": _l("Please fill this in."),
    "bad_phone": _l("Use digits, spaces and + - ( ) only, for example +1 555 010 2000."),
    "bad_emergency": _l("Use the digits people dial, for example 911, 112 or 999."),
    "unknown_timezone": _l("Use a time zone name from the list, for example America/New_York."),
    "bad_hour": _l("Choose an hour."),
    "end_before_start": _l("The end must be later than the start."),
    "no_days": _l("Choose at least one working day."),
    "ack_range_emergency": _l("Use whole minutes from 1 to 30."),
    "ack_range_urgent": _l("Use whole minutes from 1 to 240."),
    "emergency_after_urgent": _l("An emergency must be acknowledged no later than an urgent case."),
    "not_a_number": _l("Enter a number, for example 10 or 37.8."),
    "whole_number": _l("Use a whole number."),
    "bad_weekday": _l("Choose a day of the week."),
    "bad_time": _l("Use a time of day as hours and minutes, for example 17:00."),
    "offsets_required": _l("Enter at least one day, for example 14, 7, 1, 0."),
    "offsets_range": _l("Use whole days from 0 (the day of the visit) to 60, separated by commas."),
    "offsets_duplicate": _l("Each day may appear only once."),
    "offsets_count": _l("Use at most 6 reminder days."),
    "first_check_required": _l("Enter the hours after a refill, from 2 to 12."),
    "first_check_range": _l("Use whole hours from 2 to 12: the first check should come within hours of a refill."),
}
WEEKDAY_LABELS = [(0, _l("Monday")), (1, _l("Tuesday")), (2, _l("Wednesday")), (3, _l("Thursday")),
                  (4, _l("Friday")), (5, _l("Saturday")), (6, _l("Sunday"))]
# Short names for the thresholds table (the long description from escalation.thresholds is the hint).
THRESHOLD_NAMES = {
    "breaths_per_min_min": _l("Slow breathing"),
    "fever_c": _l("Fever"),
    "infection_window_days": _l("Infection window after implant"),
    "refill_window_days": _l("Watch window after a refill"),
    "dose_increase_window_days": _l("Watch window after a dose increase"),
    "implant_window_days": _l("Watch window after surgery"),
    "mri_window_days": _l("Watch window after an MRI"),
    "constipation_days": _l("Constipation"),
    "pain_rise_points": _l("Pain rise over the 7-day mean"),
    "withdrawal_signs_min": _l("Withdrawal signs"),
    "dose_increases_for_mass": _l("Dose increases (inflammatory mass)"),
}
ROLE_LABELS = {"nurse": _l("Nurse"), "physician": _l("Physician"), "admin": _l("Clinic admin")}


def _rule(check, *args):
    """A WTForms validator from a clinic.rules check that returns an error code or None."""
    def validator(_form, field):
        code = check(field.data or "", *args)
        if code:
            raise ValidationError(MESSAGES[code])
    return validator


class ContactsForm(FlaskForm):
    """The numbers patients are told to call."""

    phone = StringField(_l("Clinic phone (working hours)"), validators=[_rule(rules.phone_error), Length(max=40)])
    out_of_hours_phone = StringField(_l("Out-of-hours phone"), validators=[_rule(rules.phone_error), Length(max=40)])
    emergency_number = StringField(_l("Emergency number"), validators=[_rule(rules.emergency_error)])


class HoursForm(FlaskForm):
    """Time zone and working hours (one start and end hour for every working day)."""

    timezone = StringField(_l("Time zone"), validators=[_rule(rules.timezone_error)])
    hours_start = SelectField(_l("Opens at"), coerce=int, choices=[(h, f"{h:02d}:00") for h in range(0, 24)])
    hours_end = SelectField(_l("Closes at"), coerce=int, choices=[(h, f"{h:02d}:00") for h in range(1, 25)])
    working_days = SelectMultipleField(_l("Working days"), coerce=int, choices=WEEKDAY_LABELS,
                                       widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
                                       validate_choice=False)

    def validate(self, extra_validators=None) -> bool:
        """Field checks, then the cross-field rules (start before end, at least one day)."""
        ok = super().validate(extra_validators)
        for name, code in rules.hours_errors(self.hours_start.data, self.hours_end.data,
                                             self.working_days.data or []).items():
            if not self[name].errors:
                self[name].errors.append(MESSAGES[code])
                ok = False
        return ok


# The ladders a clinic can choose (escalation.models.RUNGS in order); each round adds the next step.
LADDERS_IN_HOURS = ("nurse,on_call,physician,admin", "nurse,physician,admin", "nurse,on_call,backup,physician,admin",
                    "on_call,physician,admin")
LADDERS_OUT_OF_HOURS = ("on_call,backup,physician,admin", "on_call,physician,admin", "on_call,backup,admin",
                        "physician,admin")


def ladder_label(ladder: str) -> str:
    """'nurse,on_call' -> "Patient's team → On call": a ladder as the settings page shows it."""
    from companion.escalation.forms import RUNG_LABELS

    return " → ".join(str(RUNG_LABELS[r]) for r in ladder.split(",") if r in RUNG_LABELS).capitalize()


class OnCallForm(FlaskForm):
    """The on-call clinician, the ladders in and out of hours, and the acknowledgement deadline of each tier."""

    on_call_user_id = SelectField(_l("On call outside rota shifts"), choices=[], validate_choice=False)
    ladder_in_hours = SelectField(_l("Ladder in working hours"), validate_choice=False,
                                  choices=[(v, v) for v in LADDERS_IN_HOURS])
    ladder_out_of_hours = SelectField(_l("Ladder out of hours"), validate_choice=False,
                                      choices=[(v, v) for v in LADDERS_OUT_OF_HOURS])
    emergency_ack_minutes = IntegerField(_l("Emergency: acknowledge within (minutes)"),
                                         validators=[InputRequired(_l("Enter whole minutes."))])
    urgent_ack_minutes = IntegerField(_l("Urgent: acknowledge within (minutes)"),
                                      validators=[InputRequired(_l("Enter whole minutes."))])

    def validate(self, extra_validators=None) -> bool:
        """Field checks, then the deadline rules."""
        ok = super().validate(extra_validators)
        for name, code in rules.deadline_errors(self.emergency_ack_minutes.data, self.urgent_ack_minutes.data).items():
            if not self[name].errors:
                self[name].errors.append(MESSAGES[code])
                ok = False
        return ok


class ShiftForm(FlaskForm):
    """One weekly on-call shift: the day, from, to (past midnight runs into the next day) and who."""

    weekday = SelectField(_l("Day"), choices=[(str(d), label) for d, label in WEEKDAY_LABELS], validate_choice=False)
    starts = StringField(_l("From"))
    ends = StringField(_l("To"))
    user_id = SelectField(_l("On call"), choices=[], validate_choice=False)
    slot = SelectField(_l("Slot"), choices=[("1", _l("On call")), ("2", _l("Backup on call"))], default="1")

    def validate(self, extra_validators=None) -> bool:
        """Field checks, then the rota rules; the parsed shift is kept in `self.shift`."""
        ok = super().validate(extra_validators)
        errors = rules.shift_errors(self.weekday.data, self.starts.data, self.ends.data)
        for name, code in errors.items():
            if not self[name].errors:
                self[name].errors.append(MESSAGES[code])
        if errors:
            return False
        self.shift = {"weekday": int(self.weekday.data), "starts": rules.parse_clock(self.starts.data),
                      "ends": rules.parse_clock(self.ends.data), "user_id": id_or_none(self.user_id.data),
                      "slot": 2 if self.slot.data == "2" else 1}
        return ok


def id_or_none(value: str | None) -> int | None:
    """A posted id as a number, or None for anything that is not a short run of digits."""
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 9 else None


class StaffTwoFactorForm(FlaskForm):
    """Whether the clinic's nurses and physicians must use two-step sign-in (admins always must)."""

    staff_two_factor = BooleanField(_l("Nurses and physicians must use two-step sign-in"))


class RemindersForm(FlaskForm):
    """The days before a booked refill visit when patients (and opted-in caregivers) are reminded."""

    offsets = StringField(_l("Days before the visit"),
                          validators=[Length(max=60, message=_l("Use at most 6 reminder days."))])

    def validate(self, extra_validators=None) -> bool:
        """Whole days 0 to 60, one to six of them, no repeats; the parsed days are kept in `self.days`."""
        ok = super().validate(extra_validators)
        self.days, code = rules.offsets_check(self.offsets.data)
        if code and not self.offsets.errors:
            self.offsets.errors.append(MESSAGES[code])
        return ok and code is None


class PostRefillForm(FlaskForm):
    """How many hours after a refill or dose increase patients are offered their first breathing check."""

    first_post_refill_hours = IntegerField(_l("First check after a refill (hours)"),
                                           validators=[InputRequired(MESSAGES["first_check_required"])])

    def validate(self, extra_validators=None) -> bool:
        """A whole number of hours, 2 to 12."""
        ok = super().validate(extra_validators)
        code = rules.first_check_hours_error(self.first_post_refill_hours.data)
        if code and not self.first_post_refill_hours.errors:
            self.first_post_refill_hours.errors.append(MESSAGES[code])
        return ok and code is None


class _ThresholdsBase(FlaskForm):
    """One text input per red-flag threshold; checked against the default with clinic.rules."""

    def validate(self, extra_validators=None) -> bool:
        """Each value must parse and be as strict as the default or stricter (never looser)."""
        ok = super().validate(extra_validators)
        self.values: dict[str, float] = {}
        for name, default in DEFAULTS.items():
            value, code = rules.threshold_check(name, self[name].data, default.value, default.direction, default.unit)
            if code:
                self[name].errors.append(threshold_message(name, code))
                ok = False
            else:
                self.values[name] = value
        return ok


def threshold_message(name: str, code: str) -> str:
    """The sentence shown beside a refused threshold."""
    t = DEFAULTS[name]
    if code == "looser":
        way = _l("lower") if t.direction == "higher" else _l("higher")
        return str(_l("Refused: %(way)s than the default %(default)s %(unit)s would loosen this %(tier)s rule. "
                      "A clinic may only tighten it.", way=way, default=f"{t.value:g}", unit=t.unit, tier=t.tier))
    if code.startswith("guard_"):
        return str(_l("Refused: past %(limit)s %(unit)s this would alert on ordinary days. Check for a typo.",
                      limit=f"{rules.guard_limit(name):g}", unit=t.unit))
    return str(MESSAGES[code])


ThresholdsForm = type("ThresholdsForm", (_ThresholdsBase,), {
    name: StringField(THRESHOLD_NAMES.get(name, name), validators=[Optional()]) for name, t in DEFAULTS.items()})


class InviteForm(FlaskForm):
    """A new staff member: name, email and role."""

    display_name = StringField(_l("Full name"), validators=[DataRequired(_l("Please enter the name.")), Length(max=200)])
    email = EmailField(_l("Work email"), validators=[DataRequired(_l("Please enter the email.")),
                                                    Email(_l("Please check the email address.")), Length(max=254)])
    role = SelectField(_l("Role"), choices=[("", _l("Choose a role"))] + list(ROLE_LABELS.items()),
                       validators=[DataRequired(_l("Choose nurse, physician or admin."))])


class StaffCodeForm(FlaskForm):
    """The set-up code typed by hand, or moved from the link's #code= by js/code_link.js."""

    code = StringField(_l("Set-up code"), validators=[DataRequired(_l("Please enter the set-up code.")),
                                                      Length(max=400)])


class StaffJoinForm(NewPasswordMixin, FlaskForm):
    """The invited person chooses a password with their set-up link."""

    code = HiddenField(validators=[DataRequired()])
