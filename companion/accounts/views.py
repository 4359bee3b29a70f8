"""Sign-in, sign-out, enrolment, caregiver invites, password and two-factor pages."""
import secrets

import pyotp
import segno
from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from companion import i18n
from companion.accounts import queries, services, sessions
from companion.accounts.context import caring_for as helping_now
from companion.accounts.context import current_patient
from companion.accounts.forms import (CaregiverJoinForm, EnrolForm, InviteCodeForm, LanguageForm, LoginForm,
                                      PasswordChangeForm, PhoneForm, TwoFactorForm)
from companion.accounts.models import User
from companion.audit import services as audit
from companion.audit.services import client_ip
from companion.web import STAFF, code_from_link, code_page, public, render_page, roles_required

bp = Blueprint("accounts", __name__)


@bp.app_context_processor
def caregiver_banner() -> dict:
    """`helping_now()`: the patient a caregiver acts for, named on every page (None for everyone else)."""
    return {"helping_now": helping_now}


def _finish(user: User, language: str | None = None):
    """Open the session (keeping a language chosen before sign-in) and go where the user was heading."""
    chosen = session.get(i18n.SESSION_KEY) or language
    sessions.start(user)
    services.complete_sign_in(user, language=chosen)
    target = sessions.safe_next(request.args.get("next"))
    return redirect(target or url_for("home.index"))


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """Sign in with email and password (then a code, for staff with two-factor)."""
    form = LoginForm()
    if form.validate_on_submit():
        result = services.authenticate(form.email.data, form.password.data, client_ip())
        if result.user is None:
            form.password.errors.append(result.error)
        elif services.second_factor_due(result.user):
            session.clear()
            session["pending_2fa"] = result.user.session_token
            session["pending_id"] = secrets.token_urlsafe(16)  # its code tries are counted in the database
            return redirect(url_for("accounts.two_factor", next=request.args.get("next")))
        else:
            return _finish(result.user)
    status = 422 if form.errors else 200
    return render_page("accounts/login.html", "accounts/_login_form.html", status=status, form=form)


@bp.route("/login/two-factor", methods=["GET", "POST"])
@public
def two_factor():
    """The second step for staff: a code from the authenticator app."""
    user = queries.user_by_session_token(session.get("pending_2fa", ""))
    if user is None:
        return redirect(url_for("accounts.login"))
    form = TwoFactorForm()
    if form.validate_on_submit():
        outcome = services.verify_totp(user, form.code.data, ip=client_ip(), pending=session.get("pending_id", ""))
        if outcome == "ok":
            audit.record_now("sign_in", user=user, second_factor=True)
            return _finish(user)
        if outcome == "restart":
            session.clear()
            flash(_("Too many wrong codes. Please sign in again."), "error")
            return redirect(url_for("accounts.login"))
        form.code.errors.append(_("Too many tries. Please wait 15 minutes, then try again.") if outcome == "throttled"
                                else _("That code is not right. Try the newest code."))
    return render_template("accounts/two_factor.html", form=form), 422 if form.errors else 200


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out: rotate the session token and tell the browser to clear its caches and storage."""
    services.sign_out(current_user)
    sessions.end()
    response = redirect(url_for("accounts.login", signed_out=1))
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.route("/enrol", methods=["GET", "POST"])
@public
def enrol():
    """A patient sets up their account with the one-time code from the clinic."""
    moved = code_from_link("enrol_code")
    if moved:
        return moved
    form = EnrolForm(code=session.get("enrol_code", ""))
    if form.validate_on_submit():
        try:
            user = services.enrol_patient(form.code.data, form.email.data, form.password.data)
        except services.AccountError as error:
            getattr(form, error.field or "code").errors.append(str(error))
        else:
            return _finish(user, language=i18n.html_lang())  # the language the code was typed in
    return code_page(render_template("accounts/enrol.html", form=form), 422 if form.errors else 200)


@bp.route("/caregiver/join", methods=["GET", "POST"])
@public
def caregiver_join():
    """A caregiver sets up an account with a patient's invite code."""
    moved = code_from_link("caregiver_code")
    if moved:
        return moved
    form = CaregiverJoinForm(code=session.get("caregiver_code", ""))
    if form.validate_on_submit():
        try:
            user = services.accept_caregiver_invite(form.code.data, email=form.email.data,
                                                    password=form.password.data, display_name=form.display_name.data)
        except services.AccountError as error:
            getattr(form, error.field or "code").errors.append(str(error))
        else:
            return _finish(user, language=i18n.html_lang())
    return code_page(render_template("accounts/caregiver_join.html", form=form), 422 if form.errors else 200)


@bp.route("/account")
@roles_required("patient", "caregiver", "nurse", "physician", "admin")
def account():
    """The signed-in person's account page."""
    links = queries.caregiver_links(current_patient()) if current_user.role == "patient" else []
    return render_template("accounts/account.html", links=links, invite_form=InviteCodeForm(),
                           phone_form=PhoneForm(formdata=None, phone=current_user.phone))


@bp.route("/session/keepalive", methods=["POST"])
@roles_required("nurse", "physician", "admin")
def keepalive():
    """"Stay signed in": any non-poll request counts as activity (sessions.enforce_lifetime), so nothing else to do."""
    return "", 204


@bp.route("/account/phone", methods=["POST"])
@roles_required("patient", "caregiver")
def phone():
    """Keep the number the care team can call (422 beside the field, value kept)."""
    form = PhoneForm()
    if form.validate_on_submit():
        services.set_phone(current_user._get_current_object(), form.phone.data or "", current_user)
        flash(_("Your phone number is saved."), "success")
        return redirect(url_for("accounts.account"))
    links = queries.caregiver_links(current_patient()) if current_user.role == "patient" else []
    return render_template("accounts/account.html", links=links, invite_form=InviteCodeForm(), phone_form=form), 422


@bp.route("/language", methods=["POST"])
@public
def language():
    """Choose the language: saved on the account when signed in, kept in the session before sign-in."""
    form = LanguageForm()
    if form.validate_on_submit():
        session[i18n.SESSION_KEY] = form.language.data
        if current_user.is_authenticated:
            services.set_language(current_user, form.language.data)
    target = sessions.safe_next(form.next.data)
    return redirect(target or url_for("home.index"), code=303)


@bp.route("/account/password", methods=["GET", "POST"])
@roles_required("patient", "caregiver", "nurse", "physician", "admin")
def password():
    """Change the password; other devices are signed out when the box is ticked (it is by default)."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        others = form.sign_out_others.data
        try:
            services.change_password(current_user, form.current_password.data, form.password.data, others)
        except services.AccountError as error:
            form.current_password.errors.append(str(error))
        else:
            sessions.start(current_user._get_current_object())  # this browser stays signed in (new session)
            flash(_("Your password is changed. Other devices are signed out.") if others
                  else _("Your password is changed."), "success")
            return redirect(url_for("accounts.account"))
    return render_template("accounts/password.html", form=form), 422 if form.errors else 200


@bp.route("/account/caregivers/invite", methods=["POST"])
@roles_required("patient")
def invite_caregiver():
    """The patient makes an invite code for a caregiver."""
    code = services.invite_caregiver(current_patient(), current_user)
    links = queries.caregiver_links(current_patient())
    return render_page("accounts/account.html", "accounts/_caregivers.html", links=links, new_code=code,
                       invite_form=InviteCodeForm())


@bp.route("/account/caregivers/<int:link_id>/revoke", methods=["POST"])
@roles_required("patient")
def revoke_caregiver(link_id: int):
    """The patient ends a caregiver's access."""
    try:
        services.revoke_caregiver(current_patient(), link_id, current_user)
    except services.AccountError:
        abort(404)  # the 404 handler audits the refusal
    links = queries.caregiver_links(current_patient())
    return render_page("accounts/account.html", "accounts/_caregivers.html", links=links,
                       invite_form=InviteCodeForm())


@bp.route("/account/caregivers/accept", methods=["POST"])
@roles_required("caregiver")
def accept_invite():
    """A signed-in caregiver adds another patient's invite."""
    form = InviteCodeForm()
    if form.validate_on_submit():
        try:
            services.accept_caregiver_invite(form.code.data, user=current_user)
            flash(_("You are now linked."), "success")
        except services.AccountError as error:
            flash(str(error), "error")
    return redirect(url_for("accounts.account"))


@bp.route("/caring-for", methods=["GET", "POST"])
@roles_required("caregiver")
def caring_for():
    """A caregiver with several patients chooses whom they are helping now (every page then names them)."""
    people = queries.caregiver_patients(current_user)
    chosen = request.form.get("patient_id", type=int)
    if request.method == "POST" and chosen in {p.id for p in people}:
        session["acting_for"] = chosen
        return redirect(sessions.safe_next(request.form.get("next")) or url_for("home.index"))
    # Someone not linked (or nothing) chosen: the same list again, never another patient's page.
    return render_template("accounts/caring_for.html", people=people, next=request.values.get("next", "")), \
        422 if request.method == "POST" else 200


@bp.route("/account/two-factor", methods=["GET", "POST"])
@roles_required(*STAFF)
def two_factor_setup():
    """Staff set up an authenticator app (required for clinic admins); a GET only shows the page."""
    form = TwoFactorForm()
    if request.method == "POST" and request.form.get("start") and not current_user.totp_enabled:
        services.start_totp(current_user)  # the secret is made by pressing the button, never by a GET
        return _two_factor_page(TwoFactorForm(formdata=None))
    if form.validate_on_submit():
        try:
            services.confirm_totp(current_user, form.code.data)
            flash(_("Two-step sign-in is on."), "success")
            return redirect(url_for("accounts.account"))
        except services.AccountError as error:
            form.code.errors.append(str(error))
    return _two_factor_page(form)


def _two_factor_page(form: TwoFactorForm):
    """The set-up page: a start button, or the QR code of a secret not yet confirmed (never an enabled one)."""
    secret = None if current_user.totp_enabled else current_user.totp_secret
    qr_svg = None
    if secret:
        uri = pyotp.TOTP(secret).provisioning_uri(name=current_user.email, issuer_name="Companion")
        qr_svg = segno.make(uri).svg_inline(scale=5)
    return render_template("accounts/two_factor_setup.html", form=form, secret=secret,
                           qr_svg=qr_svg), 422 if form.errors else 200
