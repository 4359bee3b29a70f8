"""Forms for acknowledging and resolving a case, contact attempts and clearing a review item."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from companion.escalation.models import CONTACT_OUTCOMES, RESOLUTIONS

RUNG_LABELS = {"nurse": _l("patient's team"), "on_call": _l("on call"), "backup": _l("backup on call"),
               "physician": _l("physician"), "admin": _l("clinic admin"), "queue": _l("from the queue")}
ACK_LABELS = {"on_it": _l("I'm on it"), "seen": _l("Seen")}
CONTACT_LABELS = {"reached": _l("Reached the patient"), "no_answer": _l("No answer"),
                  "voicemail": _l("Left voicemail"), "caregiver": _l("Spoke to caregiver")}
assert set(CONTACT_LABELS) == set(CONTACT_OUTCOMES)
INTERNAL_NOTE_LABEL = _l("Internal clinical note (staff only)")
MESSAGE_LABEL = _l("Message to the patient (optional)")

RESOLUTION_LABELS = {
    "advised_emergency_department": "Advised emergency department",
    "clinic_visit_booked": "Clinic visit booked",
    "advice_by_phone": "Advice by phone",
    "pump_checked": "Pump checked",
    "no_action_needed": "No action needed",
}


class AcknowledgeForm(FlaskForm):
    """An acknowledgement's internal note (staff only) and optional message to the patient."""

    note = TextAreaField(INTERNAL_NOTE_LABEL, validators=[Optional(), Length(max=2000)])
    message = TextAreaField(MESSAGE_LABEL, validators=[Optional(), Length(max=1000)])


class ResolveForm(FlaskForm):
    """How the case was resolved, an internal clinical note, and an optional message the patient will see."""

    resolution = RadioField(_l("Resolution"), choices=[(r, RESOLUTION_LABELS[r]) for r in RESOLUTIONS],
                            validators=[DataRequired(message=_l("Choose how the case was resolved."))])
    note = TextAreaField(INTERNAL_NOTE_LABEL, validators=[
        DataRequired(message=_l("Write a short clinical note for the team.")), Length(max=2000)])
    message = TextAreaField(MESSAGE_LABEL, validators=[Optional(), Length(max=1000)])


class ClearForm(FlaskForm):
    """Clearing a routine review item, with an optional note."""

    note = TextAreaField("Note", validators=[Optional(), Length(max=2000)])
