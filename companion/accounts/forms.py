"""Flask-WTF forms for sign-in, enrolment, caregivers, passwords and two-factor."""
from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from companion.accounts.passwords import check_new_password


def _strong(_form, field) -> None:
    """Refuse weak new passwords with a plain message."""
    problem = check_new_password(field.data or "")
    if problem:
        raise ValidationError(problem)


class LoginForm(FlaskForm):
    """Email and password."""

    email = EmailField("Email", validators=[DataRequired("Please enter your email."), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired("Please enter your password."), Length(max=128)])


class TwoFactorForm(FlaskForm):
    """The six-digit code from an authenticator app."""

    code = StringField("6-digit code", validators=[DataRequired("Please enter the code."), Length(min=6, max=8)])


class NewPasswordMixin:
    """A new password typed twice."""

    password = PasswordField("New password", validators=[DataRequired("Please choose a password."), _strong])
    confirm = PasswordField("New password again", validators=[DataRequired("Please type the password again.")])

    def validate_confirm(self, field) -> None:
        """Both copies must match."""
        if field.data != self.password.data:
            raise ValidationError("The two passwords are not the same.")


class PasswordChangeForm(NewPasswordMixin, FlaskForm):
    """Change a password, knowing the current one."""

    current_password = PasswordField("Current password", validators=[DataRequired("Please enter your current password.")])


class EnrolForm(NewPasswordMixin, FlaskForm):
    """A patient sets up their account with the clinic's code."""

    code = StringField("Code from your clinic", validators=[DataRequired("Please enter the code."), Length(max=20)])
    email = EmailField("Your email", validators=[DataRequired("Please enter your email."),
                                                 Email("Please check your email address."), Length(max=254)])


class CaregiverJoinForm(EnrolForm):
    """A caregiver sets up an account with the patient's invite code."""

    display_name = StringField("Your name", validators=[DataRequired("Please enter your name."), Length(max=100)])


class InviteCodeForm(FlaskForm):
    """A signed-in caregiver adds another patient's invite code."""

    code = StringField("Invite code", validators=[DataRequired("Please enter the code."), Length(max=20)])


class PatientForm(FlaskForm):
    """A nurse creates a patient record."""

    given_name = StringField("Given name", validators=[DataRequired("Please enter the given name."), Length(max=100)])
    family_name = StringField("Family name", validators=[DataRequired("Please enter the family name."), Length(max=100)])
    record_number = StringField("Record number", validators=[DataRequired("Please enter the record number."),
                                                             Length(max=40)])
    birth_date = DateField("Date of birth", validators=[Optional()])
    implanted_on = DateField("Implant date (if implanted)", validators=[Optional()])
    therapy_stage = SelectField("Stage", choices=[("before_trial", "Before trial"), ("trial", "Trial"),
                                                  ("post_implant", "After implant"), ("maintenance", "Maintenance")])
