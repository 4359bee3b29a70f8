"""Flask-WTF forms: a teach-back answer, a question asked in clinic, and the signing form."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from companion.consent import rules

SIGN_METHODS = [("drawn", _l("Sign on the screen")), ("typed", _l("Type the name instead"))]


class AnswerForm(FlaskForm):
    """One teach-back answer (the choices are the question's, set by the view)."""

    choice = RadioField(_l("Your answer"), validators=[DataRequired(_l("Please choose one answer."))],
                        validate_choice=True)


class QuestionForm(FlaskForm):
    """A question the patient asked, and the answer the clinician gave."""

    question = TextAreaField(_l("Question the patient asked"), validators=[
        DataRequired(_l("Please write the question.")), Length(max=2000)])
    answer = TextAreaField(_l("Answer given"), validators=[
        DataRequired(_l("Please write the answer given.")), Length(max=4000)])


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (one per risk topic)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SignForm(FlaskForm):
    """What was discussed, who took part, the decision and both signatures."""

    topics = MultiCheckboxField(_l("Risks discussed"), validate_choice=True)
    interpreter_used = BooleanField(_l("An interpreter took part"))
    interpreter_language = StringField(_l("Interpreter's language"), validators=[Length(max=80)])
    representative_present = BooleanField(_l("A legal representative took part"))
    representative_name = StringField(_l("Representative's name"), validators=[Length(max=200)])
    decision = RadioField(_l("Decision"), choices=[(k, _l(v)) for k, v in rules.DECISIONS.items()],
                          validators=[DataRequired(_l("Please choose the patient's decision."))])
    patient_sign_method = RadioField(_l("Patient signs"), choices=SIGN_METHODS, default="drawn",
                                     validators=[DataRequired(_l("Please choose how to sign."))])
    patient_signature = HiddenField()
    patient_typed_name = StringField(_l("Patient's typed name"), validators=[Length(max=200)])
    clinician_sign_method = RadioField(_l("Clinician signs"), choices=SIGN_METHODS, default="drawn",
                                       validators=[DataRequired(_l("Please choose how to sign."))])
    clinician_signature = HiddenField()
    clinician_typed_name = StringField(_l("Clinician's typed name"), validators=[Length(max=200)])
    content_version = HiddenField()
    supersedes_id = IntegerField(widget=HiddenInput(), validators=[Optional()])
    correction_reason = TextAreaField(_l("What this correction changes"), validators=[Length(max=2000)])
    readiness_reason = TextAreaField(_l("Why the patient signs now although not everything is ready"),
                                     validators=[Length(max=2000)])
