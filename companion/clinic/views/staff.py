"""Clinic admin staff pages: the staff list, invites, deactivation, two-factor resets and the staff join page."""
import segno
from flask import make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from companion.accounts import services as accounts
from companion.accounts import sessions
from companion.accounts.services import AccountError
from companion.clinic import queries, services
from companion.clinic.forms import ROLE_LABELS, InviteForm, StaffCodeForm, StaffJoinForm
from companion.clinic.views import bp
from companion.extensions import htmx
from companion.web import (code_from_link, code_link, code_page, found_or_404, public, render_page,
                          roles_required, wants_partial)


def _staff_page(invite_form=None, new_code: str = "", invited=None, message: str = "", status: int = 200,
                partial: str = "clinic/_staff_list.html"):
    """The staff page, or a partial of it, with a message for the status region."""
    people = queries.clinic_staff(current_user.clinic_id)
    new_link = code_link("settings.staff_join", new_code) if new_code else ""
    ctx = {"people": people, "pending_ids": queries.pending_invite_ids(current_user.clinic_id),
           "reset_ids": queries.two_factor_reset_ids(current_user.clinic_id),
           "invite_form": invite_form or InviteForm(formdata=None), "new_link": new_link, "new_code": new_code,
           "invited": invited,
           "qr_svg": segno.make(new_link).svg_inline(scale=4) if new_link else "", "message": message,
           "failed": status == 422,
           "oob": wants_partial(), "role_labels": ROLE_LABELS, "tz": current_user.clinic.timezone,
           "invite_hours": services.invite_hours()}
    return render_page("clinic/staff.html", partial, status=status, **ctx)


@bp.route("/admin/staff")
@roles_required("admin")
def staff():
    """The clinic's staff accounts."""
    return _staff_page()


@bp.route("/admin/staff/invite", methods=["POST"])
@roles_required("admin")
def invite():
    """Create a staff account with a one-time set-up link."""
    form = InviteForm()
    if form.validate_on_submit():
        try:
            user, token = services.invite_staff(current_user, display_name=form.display_name.data,
                                                email=form.email.data, role=form.role.data)
        except AccountError as error:
            form[error.field].errors.append(str(error))
        else:
            return _staff_page(new_code=token, invited=user,
                               message=_("%(name)s is invited.", name=user.display_name), partial="clinic/_invite.html")
    return _staff_page(form, message=_("Not sent. Check the fields marked."), status=422,
                       partial="clinic/_invite.html")


def _member_or_404(user_id: int):
    """A staff member of the admin's own clinic; 404 (audited) for anyone else."""
    return found_or_404(queries.staff_member(current_user.clinic_id, user_id), "user", user_id)


def _staff_action(user_id: int, act, done: str):
    """Run one action on a staff member and show the refreshed list (422 with the reason if refused)."""
    user = _member_or_404(user_id)
    try:
        result = act(user)
    except AccountError as error:
        return _staff_page(message=str(error), status=422)
    if isinstance(result, str):  # a renewed set-up link
        return _staff_page(new_code=result, invited=user,
                           message=done % {"name": user.display_name}, partial="clinic/_invite.html")
    return _staff_page(message=done % {"name": user.display_name})


@bp.route("/admin/staff/<int:user_id>/deactivate", methods=["POST"])
@roles_required("admin")
def deactivate(user_id: int):
    """Deactivate a staff member: their sessions end at once."""
    return _staff_action(user_id, lambda u: services.set_staff_active(current_user, u, False),
                         _("%(name)s is deactivated and signed out everywhere."))


@bp.route("/admin/staff/<int:user_id>/reactivate", methods=["POST"])
@roles_required("admin")
def reactivate(user_id: int):
    """Let a deactivated staff member sign in again."""
    return _staff_action(user_id, lambda u: services.set_staff_active(current_user, u, True),
                         _("%(name)s can sign in again."))


@bp.route("/admin/staff/<int:user_id>/reset-two-factor", methods=["POST"])
@roles_required("admin")
def reset_two_factor(user_id: int):
    """Clear a staff member's authenticator; they set it up again at their next sign-in."""
    return _staff_action(user_id, lambda u: services.reset_two_factor(current_user, u),
                         _("Two-step sign-in for %(name)s is reset. They set it up again at their next sign-in."))


@bp.route("/admin/staff/<int:user_id>/renew-invite", methods=["POST"])
@roles_required("admin")
def renew_invite(user_id: int):
    """A new set-up link for someone who has not joined yet (the old link stops working)."""
    return _staff_action(user_id, lambda u: services.renew_invite(current_user, u),
                         _("A new set-up link for %(name)s is ready. The old link no longer works."))


@bp.route("/staff/join", methods=["GET", "POST"])
@public
def staff_join():
    """An invited staff member opens their set-up link (or types its code) and chooses a password."""
    moved = code_from_link("staff_join_code")
    if moved:
        return moved
    if request.form.get("step") == "code" or not (request.method == "POST" or session.get("staff_join_code")):
        return _staff_code_step()
    form = StaffJoinForm(code=session.get("staff_join_code", ""))
    try:
        person = services.invited_user(form.code.data or "")
    except AccountError as error:  # a page, not a 404: the person needs to know to ask for a new link
        return code_page(render_template("clinic/join.html", form=None, problem=str(error)),
                         422 if request.method == "POST" else 200)
    form.personal_words = (person.email, person.display_name)  # a password made of them is refused
    if form.validate_on_submit():
        user = services.join_staff(form.code.data, form.password.data)
        sessions.start(user)
        accounts.complete_sign_in(user)
        return redirect(url_for("accounts.two_factor_setup" if user.role == "admin" else "home.index"))
    return code_page(render_template("clinic/join.html", form=form, person=person, role_labels=ROLE_LABELS),
                     422 if form.errors else 200)


def _staff_code_step():
    """The set-up code in a POST body (typed, or moved from the link's fragment): kept in the session, then the
    password form; a wrong code is refused beside the field (422, value kept)."""
    form = StaffCodeForm()
    if form.validate_on_submit():
        try:
            services.invited_user(form.code.data)
        except AccountError as error:
            form.code.errors.append(str(error))
        else:
            session["staff_join_code"] = form.code.data.strip()
            return redirect(url_for("settings.staff_join"), 303)
    return code_page(render_template("clinic/join.html", code_form=form), 422 if form.errors else 200)


@bp.before_app_request
def require_two_factor_after_reset():
    """Staff whose two-factor an admin reset may only set it up again (checked once per session)."""
    # The endpoint is checked first so public assets never load the user (they must work while the database is down).
    if request.endpoint in (None, "static", "accounts.two_factor_setup", "accounts.logout") \
            or request.endpoint.startswith("pwa.") or not current_user.is_authenticated or not current_user.is_staff \
            or current_user.totp_enabled or session.get("two_factor_checked"):
        return None
    if not queries.two_factor_reset_pending(current_user):
        session["two_factor_checked"] = True
        return None
    target = url_for("accounts.two_factor_setup")
    if htmx:
        response = make_response("", 200)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target)
