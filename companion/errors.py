"""Friendly error pages; htmx requests get a small fragment instead of a whole page."""
import logging

from flask import Flask, g, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import SecurityError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from companion.extensions import db, htmx, login_manager

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 30  # the offline outbox waits this long before it replays again
# A lost or restarting database, or a pool with no free connection: the request can succeed again soon.
DATABASE_DOWN = (OperationalError, InterfaceError, PoolTimeout)

MESSAGES = {
    400: (_l("Something was wrong with that request"), _l("Please go back and try again.")),
    403: (_l("You cannot open this page"), _l("Your account does not have access to it.")),
    404: (_l("We could not find that page"), _l("It may have moved, or you may not have access to it.")),
    405: (_l("That did not work"), _l("Please go back and try again.")),
    413: (_l("That file is too big"), _l("Please choose a file smaller than 10 MB.")),
    429: (_l("Too many tries"), _l("Please wait a few minutes, then try again.")),
    500: (_l("Something went wrong on our side"), _l("Nothing you did caused this. Please try again soon.")),
    503: (_l("Companion is briefly unavailable"), _l("Please try again in a minute. Nothing you saved is lost.")),
}


def render_error(status: int, title: str | None = None, message: str | None = None):
    """The error page (or fragment) for a status."""
    default_title, default_message = MESSAGES.get(status, MESSAGES[500])
    template = "errors/_error.html" if htmx else "errors/error.html"
    return render_template(template, status=status, title=title or default_title,
                           message=message or default_message), status


def not_found(_error):
    """404; a signed-in person refused something on a real route is audited (ASVS 16.3.2: IDOR probes)."""
    from flask import g, request
    from flask_login import current_user

    from companion.audit import services as audit

    if request.url_rule is not None and current_user.is_authenticated and not g.get("access_refused_recorded"):
        db.session.rollback()  # nothing half-done by the refused request is kept
        audit.record_now("access_refused", object_type="route", object_id=request.endpoint, outcome="refused",
                         path_ids=request.view_args or {})
    return render_error(404)


def csrf_refused(_error):
    """A post without a valid CSRF token: counted for the audit trail, then the friendly 400 page."""
    from companion.audit import services as audit

    try:
        audit.count_refusal("csrf_refused")
    except Exception:  # noqa: BLE001 - counting must never turn the 400 into a 500
        db.session.rollback()
    return render_error(400, _l("This page was open too long"),
                        _l("Please reload the page and try again. What you typed is kept."))


def init_app(app: Flask) -> None:
    """Register handlers for the common statuses, CSRF failures and a lost database."""
    for status in MESSAGES:
        app.register_error_handler(status, lambda error, s=status: render_error(s))
    app.register_error_handler(404, not_found)
    app.register_error_handler(CSRFError, csrf_refused)
    # A Host header outside TRUSTED_HOSTS: no URL can be built for such a request, so a plain answer.
    app.register_error_handler(SecurityError, lambda error: ("Unknown host.", 400, {"Content-Type": "text/plain"}))

    for error_class in DATABASE_DOWN:
        app.register_error_handler(error_class, database_unavailable)
    # Registered after Flask-SQLAlchemy's own teardown, so it runs first (teardowns run in reverse order).
    app.teardown_appcontext(release_session)


def release_session(_error=None) -> None:
    """End the request's session; if the database went away after the response was made, discard the connection
    instead of failing a finished request with a 500 (the closing rollback is what would raise)."""
    try:
        db.session.remove()
    except DATABASE_DOWN as error:
        log.warning("database connection lost at the end of a request: %s", _kind(error))
        db.session().invalidate()  # scoped_session does not proxy invalidate()
        db.session.remove()


def _kind(error) -> str:
    """The class names only: the error's text carries the SQL and its parameters (patient data)."""
    return type(getattr(error, "orig", None) or error).__name__


def _forget_session() -> None:
    """Drop the failed transaction; a connection that cannot even roll back is thrown away, not pooled."""
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection is dead: discard it so the pool reconnects
        db.session().invalidate()  # scoped_session does not proxy invalidate()


def database_unavailable(error):
    """The database restarted or is unreachable: 503 with Retry-After, rendered without touching the database."""
    _forget_session()
    # Rendering asks current_user (the navigation, the clinic's numbers): an anonymous user needs no query.
    g._login_user = login_manager.anonymous_user()
    rule = request.url_rule.rule if request.url_rule else "-"
    log.warning("database unavailable during %s %s: %s", request.method, rule, _kind(error))
    if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
        response = jsonify(error="unavailable", retry_after=RETRY_AFTER_SECONDS)
    elif htmx:
        response = render_template("errors/_error.html", status=503, title=MESSAGES[503][0], message=MESSAGES[503][1])
    else:
        response = render_template("errors/unavailable.html", bare=True, title=MESSAGES[503][0],
                                   message=MESSAGES[503][1], again=request.path if request.method == "GET" else "/")
    return response, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}
