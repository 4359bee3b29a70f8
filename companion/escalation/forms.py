"""Forms for resolving a case and clearing a review item."""
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from companion.escalation.models import RESOLUTIONS

RESOLUTION_LABELS = {
    "advised_emergency_department": "Advised emergency department",
    "clinic_visit_booked": "Clinic visit booked",
    "advice_by_phone": "Advice by phone",
    "pump_checked": "Pump checked",
    "no_action_needed": "No action needed",
}


class ResolveForm(FlaskForm):
    """How the case was resolved, and a note the patient will see."""

    resolution = RadioField("Resolution", choices=[(r, RESOLUTION_LABELS[r]) for r in RESOLUTIONS],
                            validators=[DataRequired(message="Choose how the case was resolved.")])
    note = TextAreaField("Note for the patient", validators=[
        DataRequired(message="Write a short note for the patient."), Length(max=2000)])


class ClearForm(FlaskForm):
    """Clearing a routine review item, with an optional note."""

    note = TextAreaField("Note", validators=[Optional(), Length(max=2000)])
