"""Flask-WTF forms for sign-in, enrolment, caregivers, passwords and two-factor."""
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp, ValidationError

from companion.accounts.passwords import check_new_password
from companion.i18n import LANGUAGES


def _strong(form, field) -> None:
    """Refuse weak new passwords with a plain message (the person's own email and name count as weak)."""
    personal = [getattr(getattr(form, name, None), "data", "") or "" for name in ("email", "display_name")]
    personal += list(getattr(form, "personal_words", ()))  # set by a view that knows who this is
    if current_user and current_user.is_authenticated:
        personal += [current_user.email, current_user.display_name]
    problem = check_new_password(field.data or "", personal)
    if problem:
        raise ValidationError(problem)


class LoginForm(FlaskForm):
    """Email and password."""

    email = EmailField(_l("Email"), validators=[DataRequired(_l("Please enter your email.")), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Please enter your password.")), Length(max=128)])


class LanguageForm(FlaskForm):
    """The language to read Companion in (each choice is written in its own language)."""

    language = SelectField(_l("Language"), choices=list(LANGUAGES.items()),
                           validators=[DataRequired(_l("Please choose a language from the list."))])
    next = HiddenField()


class TwoFactorForm(FlaskForm):
    """The six-digit code from an authenticator app."""

    code = StringField(_l("6-digit code"), validators=[DataRequired(_l("Please enter the code.")), Length(min=6, max=8)])


class NewPasswordMixin:
    """A new password typed twice."""

    password = PasswordField(_l("New password"), validators=[DataRequired(_l("Please choose a password.")), _strong])
    confirm = PasswordField(_l("New password again"), validators=[DataRequired(_l("Please type the password again."))])

    def validate_confirm(self, field) -> None:
        """Both copies must match."""
        if field.data != self.password.data:
            raise ValidationError(_l("The two passwords are not the same."))


class PasswordChangeForm(NewPasswordMixin, FlaskForm):
    """Change a password, knowing the current one."""

    current_password = PasswordField(_l("Current password"), validators=[DataRequired(_l("Please enter your current password."))])
    sign_out_others = BooleanField(_l("Sign out my other devices"), default=True)


class EnrolForm(NewPasswordMixin, FlaskForm):
    """A patient sets up their account with the clinic's code."""

    code = StringField(_l("Code from your clinic"), validators=[DataRequired(_l("Please enter the code.")), Length(max=20)])
    email = EmailField(_l("Your email"), validators=[DataRequired(_l("Please enter your email.")),
                                                 Email(_l("Please check your email address.")), Length(max=254)])


class CaregiverJoinForm(EnrolForm):
    """A caregiver sets up an account with the patient's invite code."""

    code = StringField(_l("Invite code from the person you care for"),
                       validators=[DataRequired(_l("Please enter the code.")), Length(max=20)])
    display_name = StringField(_l("Your name"), validators=[DataRequired(_l("Please enter your name.")), Length(max=100)])


class InviteCodeForm(FlaskForm):
    """A signed-in caregiver adds another patient's invite code."""

    code = StringField(_l("Invite code"), validators=[DataRequired(_l("Please enter the code.")), Length(max=20)])


class PatientForm(FlaskForm):
    """A nurse creates a patient record."""

    given_name = StringField(_l("Given name"), validators=[DataRequired(_l("Please enter the given name.")), Length(max=100)])
    family_name = StringField(_l("Family name"), validators=[DataRequired(_l("Please enter the family name.")), Length(max=100)])
    record_number = StringField(_l("Record number"), validators=[DataRequired(_l("Please enter the record number.")),
                                                             Length(max=40)])
    birth_date = DateField(_l("Date of birth"), validators=[Optional()])
    implanted_on = DateField(_l("Implant date (if implanted)"), validators=[Optional()])
    therapy_stage = SelectField(_l("Stage"), choices=[("before_trial", _l("Before trial")), ("trial", _l("Trial")),
                                                  ("post_implant", _l("After implant")), ("maintenance", _l("Maintenance"))])


class PhoneForm(FlaskForm):
    """A patient's or caregiver's phone number (the care team calls it); empty removes it."""

    phone = StringField(_l("Phone number"), validators=[Optional(), Length(max=40), Regexp(
        r"^\+?[0-9 ().\-]{3,40}$", message=_l("Use digits, spaces and + ( ) - only, for example +1 555 010 2030."))])
