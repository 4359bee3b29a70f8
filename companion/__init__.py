"""Companion: the app factory, a short list of register_* steps."""
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from companion import config as settings


def create_app(config: dict | None = None) -> Flask:
    """Build the app: settings, extensions, blueprints, security, CLI, scheduler."""
    app = Flask(__name__, instance_path=str(settings.INSTANCE), template_folder="../templates",
                static_folder="../static")
    app.config.update(settings.load())
    app.config.update(config or {})
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:  # with no proxy in front, X-Forwarded-For is whatever the client typed
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    register_extensions(app)
    register_blueprints(app)
    register_security(app)
    register_errors(app)
    register_templates(app)
    register_cli(app)
    register_scheduler(app)
    return app


def register_extensions(app: Flask) -> None:
    """Bind the extension objects and import every model so metadata is complete."""
    from companion import models  # noqa: F401  (all tables, for Alembic and create_all)
    from companion.accounts import queries, sessions
    from companion.extensions import babel, compress, csrf, db, htmx, login_manager, migrate
    from companion.i18n import select_locale

    compress.init_app(app)  # first, so its after_request runs last, on the final body and headers
    db.init_app(app)
    migrate.init_app(app, db, directory=str(settings.ROOT / "migrations"))
    csrf.init_app(app)
    htmx.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    login_manager.user_loader(queries.user_by_session_token)
    login_manager.unauthorized_handler(sessions.unauthorized)


def register_blueprints(app: Flask) -> None:
    """One blueprint per capability."""
    from companion import blueprints

    for blueprint in blueprints.ALL:
        app.register_blueprint(blueprint)


def register_security(app: Flask) -> None:
    """Session lifetime checks, the security headers on every response, codes kept out of the dev server's log."""
    from companion import access_log, security

    security.init_app(app)
    access_log.install_werkzeug_filter()  # `make run`'s request lines; gunicorn's are redacted by gunicorn.conf.py


def register_errors(app: Flask) -> None:
    """Friendly error pages, and HTML fragments for htmx requests."""
    from companion import errors

    errors.init_app(app)


def register_templates(app: Flask) -> None:
    """Template globals: the clinic, phone numbers, asset versions, the page language."""
    from companion import i18n, template_globals

    template_globals.init_app(app)
    i18n.init_app(app)


def register_cli(app: Flask) -> None:
    """flask demo, triage check, create-admin, scheduler."""
    from companion import cli

    cli.init_app(app)


def register_scheduler(app: Flask) -> None:
    """Start the in-process scheduler only for the embedded default (`make run`)."""
    from companion import scheduler

    if app.config["SCHEDULER_MODE"] == "inprocess" and not app.config.get("TESTING"):
        scheduler.start_in_process(app)
