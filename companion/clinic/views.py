"""Clinic admin pages: settings (numbers, hours, on-call, thresholds), staff accounts, and the staff join page."""
from zoneinfo import available_timezones

import segno
from flask import Blueprint, abort, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from companion.accounts import services as accounts
from companion.accounts import sessions
from companion.accounts.services import AccountError
from companion.audit import services as audit
from companion.clinic import queries, rules, services
from companion.clinic.forms import (ROLE_LABELS, THRESHOLD_NAMES, ContactsForm, HoursForm, InviteForm, OnCallForm,
                                    StaffJoinForm, ThresholdsForm)
from companion.clock import utcnow
from companion.escalation.models import LADDER
from companion.extensions import htmx
from companion.web import public, render_page, roles_required, wants_partial

bp = Blueprint("settings", __name__)
SECTIONS = ("contacts", "hours", "oncall", "thresholds")
FORMS = {"contacts": ContactsForm, "hours": HoursForm, "oncall": OnCallForm, "thresholds": ThresholdsForm}


def _stored_form(section: str):
    """A section's form filled from what is stored now."""
    clinic, esc = current_user.clinic, queries.escalation_settings(current_user.clinic_id)
    data = {
        "contacts": lambda: {"phone": clinic.phone, "out_of_hours_phone": clinic.out_of_hours_phone,
                             "emergency_number": clinic.emergency_number or "911"},
        "hours": lambda: {"timezone": clinic.timezone, "hours_start": esc.hours_start, "hours_end": esc.hours_end,
                          "working_days": rules.parse_days(esc.working_days)},
        "oncall": lambda: {"on_call_user_id": str(esc.on_call_user_id or ""),
                           "emergency_ack_minutes": esc.emergency_ack_minutes,
                           "urgent_ack_minutes": esc.urgent_ack_minutes},
        "thresholds": lambda: {r["name"]: f"{r['value']:g}" for r in queries.threshold_rows(current_user.clinic_id)},
    }[section]()
    return _with_choices(FORMS[section](formdata=None, prefix=section, data=data))


def _with_choices(form):
    """Fill the on-call choices (active nurses and physicians of this clinic)."""
    if isinstance(form, OnCallForm):
        form.on_call_user_id.choices = [("", _("Nobody: page the physicians"))] + [
            (str(u.id), f"{u.display_name} ({ROLE_LABELS[u.role]})")
            for u in queries.on_call_candidates(current_user.clinic_id)]
    return form


def _settings_page(section: str | None = None, form=None, message: str = "", status: int = 200):
    """The settings page, or one section's partial for htmx, with a message for its status region."""
    forms = {name: _stored_form(name) for name in SECTIONS if name != section}
    if section:
        forms[section] = form
    ctx = {"forms": forms, "section": section, "message": message, "oob": wants_partial(), "failed": status == 422,
           "thresholds": queries.threshold_rows(current_user.clinic_id), "threshold_names": THRESHOLD_NAMES,
           "routing_now": queries.routing_now(current_user.clinic, utcnow()), "ladder": LADDER,
           "offsets": queries.reminder_offsets(), "timezones": sorted(available_timezones()),
           "tz": current_user.clinic.timezone}
    partial = f"clinic/_{section}.html" if section else "clinic/settings.html"  # no partial of the whole page
    return render_page("clinic/settings.html", partial, status=status, **ctx)


@bp.route("/admin/settings")
@roles_required("admin")
def index():
    """The clinic's settings, one section per form."""
    return _settings_page()


def _save(section: str, save):
    """Validate a section's form, save it with `save(form)`, answer 422 with errors or the fresh section."""
    form = _with_choices(FORMS[section](prefix=section))
    if form.validate_on_submit():
        try:
            changed = save(form)
        except AccountError as error:
            form[error.field].errors.append(str(error))
        else:
            message = _("Saved.") if changed else _("No changes to save.")
            return _settings_page(section, _stored_form(section), message)
    return _settings_page(section, form, _("Not saved. Check the fields marked."), status=422)


@bp.route("/admin/settings/contacts", methods=["POST"])
@roles_required("admin")
def contacts():
    """Save the clinic's phone numbers."""
    return _save("contacts", lambda f: services.save_contacts(
        current_user, phone=f.phone.data, out_of_hours_phone=f.out_of_hours_phone.data,
        emergency_number=f.emergency_number.data))


@bp.route("/admin/settings/hours", methods=["POST"])
@roles_required("admin")
def hours():
    """Save the time zone and working hours."""
    return _save("hours", lambda f: services.save_hours(
        current_user, timezone=f.timezone.data, hours_start=f.hours_start.data, hours_end=f.hours_end.data,
        working_days=f.working_days.data))


@bp.route("/admin/settings/on-call", methods=["POST"])
@roles_required("admin")
def oncall():
    """Save the on-call clinician and the acknowledgement deadlines."""
    return _save("oncall", lambda f: services.save_on_call(
        current_user, on_call_user_id=int(v) if (v := f.on_call_user_id.data or "").isascii() and v.isdigit() and len(v) <= 9 else None,
        emergency_ack_minutes=f.emergency_ack_minutes.data, urgent_ack_minutes=f.urgent_ack_minutes.data))


@bp.route("/admin/settings/thresholds", methods=["POST"])
@roles_required("admin")
def thresholds():
    """Tighten red-flag thresholds (loosening is refused beside the field)."""
    return _save("thresholds", lambda f: services.tighten_thresholds(current_user, f.values))


def _staff_page(invite_form=None, new_link: str = "", invited=None, message: str = "", status: int = 200,
                partial: str = "clinic/_staff_list.html"):
    """The staff page, or a partial of it, with a message for the status region."""
    people = queries.clinic_staff(current_user.clinic_id)
    ctx = {"people": people, "pending_ids": queries.pending_invite_ids(current_user.clinic_id),
           "reset_ids": queries.two_factor_reset_ids(current_user.clinic_id),
           "invite_form": invite_form or InviteForm(formdata=None), "new_link": new_link, "invited": invited,
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
            return _staff_page(new_link=url_for("settings.staff_join", code=token, _external=True), invited=user,
                               message=_("%(name)s is invited.", name=user.display_name), partial="clinic/_invite.html")
    return _staff_page(form, message=_("Not sent. Check the fields marked."), status=422,
                       partial="clinic/_invite.html")


def _member_or_404(user_id: int):
    """A staff member of the admin's own clinic; 404 (audited) for anyone else."""
    user = queries.staff_member(current_user.clinic_id, user_id)
    if user is None:
        audit.record_now("access_refused", object_type="user", object_id=user_id, outcome="refused")
        abort(404)
    return user


def _staff_action(user_id: int, act, done: str):
    """Run one action on a staff member and show the refreshed list (422 with the reason if refused)."""
    user = _member_or_404(user_id)
    try:
        result = act(user)
    except AccountError as error:
        return _staff_page(message=str(error), status=422)
    if isinstance(result, str):  # a renewed set-up link
        return _staff_page(new_link=url_for("settings.staff_join", code=result, _external=True), invited=user,
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
    """An invited staff member opens their set-up link and chooses a password."""
    form = StaffJoinForm(code=request.args.get("code", ""))
    try:
        person = services.invited_user(form.code.data or "")
    except AccountError as error:  # a page, not a 404: the person needs to know to ask for a new link
        return render_template("clinic/join.html", form=None, problem=str(error)), 422 if request.method == "POST" else 200
    if form.validate_on_submit():
        user = services.join_staff(form.code.data, form.password.data)
        sessions.start(user)
        accounts.complete_sign_in(user)
        return redirect(url_for("accounts.two_factor_setup" if user.role == "admin" else "home.index"))
    return render_template("clinic/join.html", form=form, person=person, role_labels=ROLE_LABELS), \
        422 if form.errors else 200


@bp.before_app_request
def require_two_factor_after_reset():
    """Staff whose two-factor an admin reset may only set it up again (checked once per session)."""
    if not current_user.is_authenticated or not current_user.is_staff or current_user.totp_enabled \
            or session.get("two_factor_checked") or request.endpoint in (
                None, "static", "accounts.two_factor_setup", "accounts.logout") \
            or request.endpoint.startswith("pwa."):
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
