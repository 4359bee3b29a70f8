"""Flask-WTF forms for the diary: the CSRF-checked envelope of an entry, and the reminder time."""
from flask_wtf import FlaskForm
from wtforms import HiddenField, SubmitField, TimeField
from wtforms.validators import DataRequired, Optional


class EntryForm(FlaskForm):
    """The envelope around questionnaire answers: the entry's UUID and the phone's time.

    The questions themselves are data (companion.diary.questionnaires) and are checked by the
    pure normaliser, so they are not WTForms fields.
    """

    client_entry_id = HiddenField(validators=[DataRequired()])
    recorded_at = HiddenField(validators=[Optional()])


class ReminderForm(FlaskForm):
    """The time of day for the daily check-in reminder."""

    remind_at = TimeField("Remind me at", validators=[Optional()], format="%H:%M")
    save = SubmitField("Save")
    turn_off = SubmitField("Turn reminders off")
