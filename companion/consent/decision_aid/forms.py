"""The values exercise form: a rating per value (read by rules.clean_ratings), a leaning and questions."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.validators import Length, Optional

# The words for each point of the rating scale (rules.SCALE).
SCALE_LABELS = [(0, _l("Not at all")), (1, _l("A little")), (2, _l("Some")), (3, _l("A lot")), (4, _l("Very much"))]


class ValuesForm(FlaskForm):
    """The leaning (choices are the options, set by the view) and the patient's questions."""

    leaning = RadioField(_l("Right now, which way are you leaning?"), validators=[Optional()], validate_choice=True)
    questions = TextAreaField(_l("Questions I want to ask my care team"), validators=[
        Optional(), Length(max=2000, message=_l("Please keep this under 2,000 characters."))])
