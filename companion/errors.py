"""Friendly error pages; htmx requests get a small fragment instead of a whole page."""
from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError

from companion.extensions import db, htmx

MESSAGES = {
    400: (_l("Something was wrong with that request"), _l("Please go back and try again.")),
    403: (_l("You cannot open this page"), _l("Your account does not have access to it.")),
    404: (_l("We could not find that page"), _l("It may have moved, or you may not have access to it.")),
    405: (_l("That did not work"), _l("Please go back and try again.")),
    413: (_l("That file is too big"), _l("Please choose a file smaller than 10 MB.")),
    429: (_l("Too many tries"), _l("Please wait a few minutes, then try again.")),
    500: (_l("Something went wrong on our side"), _l("Nothing you did caused this. Please try again soon.")),
    503: (_l("Companion is busy or restarting"), _l("Please try again in a minute. Nothing you saved is lost.")),
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


def init_app(app: Flask) -> None:
    """Register handlers for the common statuses, CSRF failures and a lost database."""
    for status in MESSAGES:
        app.register_error_handler(status, lambda error, s=status: render_error(s))
    app.register_error_handler(404, not_found)
    app.register_error_handler(CSRFError, lambda error: render_error(
        400, _l("This page was open too long"), _l("Please reload the page and try again. What you typed is kept.")))

    @app.errorhandler(OperationalError)
    def database_down(_error):
        """The database restarted or is unreachable: fail cleanly, nothing half-saved."""
        db.session.rollback()
        return render_error(503)
