"""Clinic admin: deactivate or reactivate a patient's or caregiver's account (the audit trail is kept)."""
from flask import redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from companion.accounts import services as accounts
from companion.clinic import queries
from companion.clinic.views import bp
from companion.web import found_or_404, render_page, roles_required, wants_partial


def _set_active(account_id: int, active: bool):
    """Switch one patient or caregiver account of the admin's clinic; 404 (audited) for anyone else's."""
    person = found_or_404(queries.person_account(current_user.clinic_id, account_id), "user", account_id)
    accounts.set_active(current_user, person, active)  # ends every session when deactivating; audited
    message = (_("%(name)s can sign in again.", name=person.display_name) if active else
               _("%(name)s can no longer sign in. Their records are kept.", name=person.display_name))
    if not wants_partial() and request.referrer:
        return redirect(request.referrer if request.referrer.startswith(request.host_url) else url_for("home.index"))
    return render_page("clinic/account_status.html", "clinic/_account_status.html", person=person, message=message)


@bp.route("/admin/accounts/<int:account_id>/deactivate", methods=["POST"])
@roles_required("admin")
def deactivate_account(account_id: int):
    """Stop a patient or caregiver from signing in (e.g. a lost phone, a caregiver no longer involved)."""
    return _set_active(account_id, False)


@bp.route("/admin/accounts/<int:account_id>/reactivate", methods=["POST"])
@roles_required("admin")
def reactivate_account(account_id: int):
    """Let a deactivated patient or caregiver sign in again."""
    return _set_active(account_id, True)
