"""HTTP for notifications: the in-app list, marking read, and the web push subscription screen."""
from datetime import date

from flask import Blueprint, abort, redirect, request
from flask_babel import format_date
from flask_login import current_user

from companion.notify import channels, queries, services
from companion.web import PATIENT_SIDE, STAFF, render_page, roles_required

bp = Blueprint("notify", __name__, url_prefix="/notifications")
EVERYONE = PATIENT_SIDE + STAFF


@bp.app_context_processor
def message_helpers() -> dict:
    """`unread_messages()`: the badge count on the Messages tab and on home (0 when signed out)."""
    def unread_messages() -> int:
        return queries.unread_count(current_user.id) if current_user.is_authenticated else 0
    return {"unread_messages": unread_messages}


@bp.app_template_filter("long_day")
def long_day(value) -> str:
    """A date as people say it ('Friday 1 January'), from a date or an ISO date string; '' if unreadable."""
    try:
        day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    except ValueError:
        return ""
    return format_date(day, "EEEE d MMMM")


def link_for(notification) -> str:
    """Where a notification leads: the case (staff or patient view), else home."""
    parts = notification.dedupe_key.split(":")
    if parts[0] == "case" and len(parts) > 1 and parts[1].isdigit():
        return f"/care/cases/{parts[1]}" if current_user.is_staff else f"/cases/{parts[1]}"
    if notification.kind == "pump_refill_check" and notification.patient_id:
        return f"/care/patients/{notification.patient_id}/pump"
    if notification.kind in ("pump_procedure_task", "refill_review"):
        return "/care/refills"
    if notification.kind.startswith("refill_"):
        return "/pump"
    if notification.kind == "checkin_reminder":
        return "/checkin"
    return "/care" if current_user.is_staff else "/"


def _list_page(status: int = 200):
    """The in-app messages: unread first, then the latest read ones."""
    items = [(n, link_for(n)) for n in queries.recent_in_app(current_user.id)]
    return render_page("notify/index.html", "notify/_list.html", status=status, items=items,
                       text=channels.wording(current_user)[1])


@bp.route("")
@roles_required(*EVERYONE)
def index():
    """Unread in-app notifications (they carry no details: each links to where the details are)."""
    return _list_page()


@bp.route("/<int:notification_id>/read", methods=["POST"])
@roles_required(*EVERYONE)
def read(notification_id: int):
    """Open one of my messages: mark it read, then go where it leads (htmx: the list again); others' are 404."""
    found = queries.own_in_app(current_user.id, notification_id)
    if found is None:
        abort(404)
    services.mark_read(current_user, notification_id)
    return _list_page() if request.headers.get("HX-Request") else redirect(link_for(found), 303)


@bp.route("/settings")
@roles_required(*EVERYONE)
def settings():
    """Turn phone or computer notifications on or off for this browser."""
    return render_page("notify/settings.html", "notify/_settings.html", vapid_key=channels.application_server_key(),
                       subscriptions=queries.active_subscriptions(current_user.id))


@bp.route("/subscriptions", methods=["POST"])
@roles_required(*EVERYONE)
def subscribe():
    """Save this browser's push subscription (JSON from pushManager.subscribe())."""
    data = request.get_json(silent=True)
    data = data if isinstance(data, dict) else {}  # a JSON list or number is not a subscription
    keys = data.get("keys") if isinstance(data.get("keys"), dict) else {}
    endpoint, p256dh, auth = data.get("endpoint"), keys.get("p256dh"), keys.get("auth")
    if not (channels.push_endpoint_allowed(endpoint) and isinstance(p256dh, str) and isinstance(auth, str)
            and len(p256dh) <= 200 and len(auth) <= 100):
        return {"error": "invalid subscription"}, 422  # the same answer for any refused address: nothing leaks
    if services.subscribe(current_user, endpoint=endpoint, p256dh=p256dh, auth=auth) is None:
        return {"error": "this browser is signed up for someone else"}, 409
    return "", 204


@bp.route("/subscriptions/delete", methods=["POST"])
@roles_required(*EVERYONE)
def unsubscribe():
    """Stop push on this browser (or on every browser if no endpoint is given)."""
    data = request.get_json(silent=True)
    endpoint = data.get("endpoint") if isinstance(data, dict) else None
    endpoint = endpoint if isinstance(endpoint, str) else None
    services.unsubscribe(current_user, endpoint or request.form.get("endpoint") or None)
    if request.is_json:
        return "", 204
    return render_page("notify/settings.html", "notify/_settings.html", vapid_key=channels.application_server_key(),
                       subscriptions=queries.active_subscriptions(current_user.id))
