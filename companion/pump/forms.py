"""Pump forms: profile, refill (up to three drugs), blind double check, visit, medicine, procedure, settings."""
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, DecimalField, FieldList, Form, FormField, IntegerField, RadioField,
                     SelectField, StringField, TextAreaField, TimeField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from companion.clock import utcnow
from companion.pump.dose_checks import OVERRIDE_REASONS, SEDATING_CLASSES
from companion.pump.models import PUMP_MODEL_CHOICES

UNITS = [("mg", "mg"), ("mcg", "mcg")]
MODES = [("simple_continuous", _l("Simple continuous")), ("flex", _l("Flexible (varies by time of day)")),
         ("constant_flow", _l("Constant flow"))]
KINDS = [("refill", _l("Refill")), ("first_fill", _l("First fill after implant")),
         ("dose_change", _l("Dose change without refill"))]
MAX_DRUGS = 3


def _finite(_form, field) -> None:
    """'NaN' and 'Infinity' parse as decimals but are not amounts (and NaN breaks every comparison)."""
    if field.data is not None and not field.data.is_finite():
        field.data = None  # so no later check compares with NaN (which raises)
        raise ValidationError(_l("Enter a number."))


def _amount(label, required=False, **kw):
    """A decimal number field that keeps what was typed (no rounding), small enough for its column."""
    check = [InputRequired(_l("Enter a number."))] if required else [Optional()]
    return DecimalField(label, places=None, validators=[*check, _finite, NumberRange(min=0, max=99_999_999)], **kw)


class ProfileForm(FlaskForm):
    """The implanted pump."""

    model = SelectField(_l("Pump model and size"), choices=PUMP_MODEL_CHOICES)
    other_model_name = StringField(_l("Other model name"), validators=[Optional(), Length(max=100)])
    reservoir_ml = _amount(_l("Reservoir size (mL), for other models"))
    implanted_on = DateField(_l("Implant date"), validators=[Optional()])
    pocket_side = SelectField(_l("Pump pocket side"), choices=[("", "—"), ("left", _l("Left")),
                                                               ("right", _l("Right"))], validate_choice=False)
    catheter_tip_level = StringField(_l("Catheter tip level (e.g. T10)"), validators=[Optional(), Length(max=20)])
    replacement_indicator_on = DateField(_l("Replacement indicator (ERI) date, if shown"), validators=[Optional()])
    # Asked for the first-fill check: until answered, the opioid-naive starting range applies.
    opioid_tolerant = SelectField(_l("Opioid tolerance (for the first-fill check)"), default="",
                                  choices=[("", _l("Not recorded (checked as opioid-naive)")),
                                           ("no", _l("Opioid-naive")), ("yes", _l("Opioid-tolerant"))])
    naloxone_at_home = SelectField(_l("Naloxone at home (shown on the pump card)"), default="",
                                   choices=[("", _l("Not recorded")), ("yes", _l("Yes")), ("no", _l("No"))])
    spasticity_origin = SelectField(_l("Origin of spasticity (baclofen)"), default="",
                                    choices=[("", _l("Not recorded (checked as cerebral)")),
                                             ("spinal", _l("Spinal")), ("cerebral", _l("Cerebral"))])


class DrugLine(Form):
    """One drug in the reservoir (the first line is required)."""

    name = StringField(_l("Drug"), validators=[Optional(), Length(max=80)])
    concentration = _amount(_l("Concentration (per mL)"))
    daily_dose = _amount(_l("Daily dose"))
    unit = SelectField(_l("Unit"), choices=UNITS, default="mg", validate_choice=False)
    compounded = BooleanField(_l("Compounded"))


class RefillForm(FlaskForm):
    """What the first clinician records at the refill."""

    kind = SelectField(_l("Record type"), choices=KINDS)
    filled_on = DateField(_l("Date"), validators=[DataRequired(_l("Enter the date."))])
    expected_residual_ml = _amount(_l("Expected residual (mL)"))
    withdrawn_ml = _amount(_l("Withdrawn residual (mL)"))
    fill_volume_ml = _amount(_l("Volume added (mL); for a dose change, reservoir volume now"), required=True)
    alarm_volume_ml = _amount(_l("Low-reservoir alarm volume (mL)"), required=True)
    stability_days = IntegerField(_l("Drug stable for (days)"), validators=[Optional(), NumberRange(min=1, max=400)])
    mode = SelectField(_l("Mode"), choices=MODES)
    bolus_dose = _amount(_l("Bolus dose (unit of the first drug)"))
    boluses_per_day = IntegerField(_l("Boluses allowed per day"), validators=[Optional(), NumberRange(min=0, max=48)])
    drugs = FieldList(FormField(DrugLine), min_entries=MAX_DRUGS, max_entries=MAX_DRUGS)
    change_reason = TextAreaField(_l("Reason for the dose change"), validators=[Optional(), Length(max=2000)])
    reprogrammed_confirmed = BooleanField(_l("Pump reprogrammed for the new concentration"))
    override_reason = SelectField(_l("Override reason"), default="", choices=[("", _l("Choose a reason"))]
                                  + [(code, _l(label)) for code, label in OVERRIDE_REASONS.items()])
    override_note = TextAreaField(_l("Override note: explain in at least a sentence"),
                                  validators=[Optional(), Length(max=2000)])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])

    def validate_drugs(self, field):
        """The first drug is complete, and any other line is complete or empty."""
        for index, line in enumerate(field.entries):
            values = (line.form.name.data, line.form.concentration.data, line.form.daily_dose.data)
            if index == 0 or any(v not in (None, "") for v in values):
                if not (line.form.name.data or "").strip():
                    line.form.name.errors.append(_l("Enter the drug name."))
                for sub in (line.form.concentration, line.form.daily_dose):
                    if sub.data is None or sub.data <= 0:
                        sub.errors.append(_l("Enter a number above zero."))
                if line.form.unit.data not in dict(UNITS):
                    line.form.unit.errors.append(_l("Choose mg or mcg."))
        if any(line.form.errors for line in field.entries):
            raise ValidationError(_l("Check the drug lines."))


class CheckLine(Form):
    """One drug re-entered blind by the second clinician."""

    concentration = _amount(_l("Concentration (per mL)"), required=True)
    daily_dose = _amount(_l("Daily dose"), required=True)


class ConfirmForm(FlaskForm):
    """The second clinician's blind re-entry of everything that sets the dose or the date."""

    entries = FieldList(FormField(CheckLine), min_entries=1, max_entries=MAX_DRUGS)
    check_bolus_dose = _amount(_l("Bolus dose (0 if none)"), required=True)
    check_boluses_per_day = IntegerField(_l("Boluses allowed per day (0 if none)"),
                                   validators=[InputRequired(_l("Enter a number.")), NumberRange(min=0, max=48)])
    check_fill_volume_ml = _amount(_l("Volume added (mL)"), required=True)
    check_alarm_volume_ml = _amount(_l("Low-reservoir alarm volume (mL)"), required=True)


class AppointmentForm(FlaskForm):
    """Book or move the refill visit (clinic time)."""

    starts_on = DateField(_l("Visit date"), validators=[DataRequired(_l("Enter the date."))])
    starts_time = TimeField(_l("Time"), validators=[DataRequired(_l("Enter the time."))])
    minutes = IntegerField(_l("Length (minutes)"), default=30, validators=[Optional(), NumberRange(min=5, max=240)])

    def validate_starts_on(self, field) -> None:
        """A refill visit is booked at most two years ahead (a date like 9999-12-31 would also overflow the
        time-zone arithmetic); dates in the past get the service's own message."""
        today = utcnow().date()
        if field.data and not today - timedelta(days=366) <= field.data <= today + timedelta(days=731):
            raise ValidationError(_l("Choose a date within the next two years."))


MEDICINE_CLASSES = ([("", _l("Choose one"))] + [(code, _l(label)) for code, label in SEDATING_CLASSES.items()]
                    + [("other", _l("Something else"))])


class MedicineForm(FlaskForm):
    """Another medicine the patient takes."""

    name = StringField(_l("Medicine name"), validators=[DataRequired(_l("Enter the medicine name.")), Length(max=120)])
    medicine_class = SelectField(_l("What kind of medicine is it?"), choices=MEDICINE_CLASSES,
                                 validators=[DataRequired(_l("Choose what kind of medicine it is."))])


class ProcedureForm(FlaskForm):
    """The patient tells the clinic about an MRI scan or another procedure."""

    kind = RadioField(_l("What is planned?"), choices=[("mri", _l("MRI scan")),
                                                       ("procedure", _l("Another test or surgery"))],
                      validators=[InputRequired(_l("Choose one."))])
    planned_on = DateField(_l("Date"), validators=[DataRequired(_l("Enter the date."))])
    planned_time = TimeField(_l("Time (if you know it)"), validators=[Optional()])
    field_tesla = SelectField(_l("MRI scanner strength (ask the MRI team)"),
                              choices=[("", _l("I don't know")), ("1.5", _l("1.5 T")), ("3", _l("3 T"))],
                              default="", validators=[Optional()])
    details = TextAreaField(_l("Where, and what for (optional)"), validators=[Optional(), Length(max=500)])


class CeilingLine(Form):
    """A clinic ceiling for one drug (empty lines are ignored)."""

    drug = StringField(_l("Drug"), validators=[Optional(), Length(max=80)])
    max_daily_dose = _amount(_l("Highest daily dose"))
    max_concentration = _amount(_l("Highest concentration (per mL)"))
    unit = SelectField(_l("Unit"), choices=UNITS, default="mg", validate_choice=False)

    def validate_unit(self, field):
        """A unit only matters on a line that names a drug."""
        if (self.drug.data or "").strip() and field.data not in dict(UNITS):
            raise ValidationError(_l("Choose mg or mcg."))


class SettingsForm(FlaskForm):
    """The clinic's dose-check settings."""

    change_percent_limit = _amount(_l("Dose change needing a written reason (above this %)"))
    no_visit_flag_days = IntegerField(_l("Flag \"no visit booked\" from this many days before the due date"),
                                      validators=[Optional(), NumberRange(min=1, max=180)])
    prometra_battery_years = IntegerField(_l("Prometra battery life in years (the maker gives no figure)"),
                                          validators=[Optional(), NumberRange(min=1, max=15)])
    ceilings = FieldList(FormField(CeilingLine), min_entries=5, max_entries=12)
