"""GET /healthz: database reachable, migrations at head, scheduler running or not."""
import hmac
from datetime import timedelta

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, jsonify, request
from flask_login import current_user
from sqlalchemy import select, text

from companion.clock import utcnow
from companion.extensions import db, migrate
from companion.scheduler_models import SchedulerHeartbeat
from companion.web import public

bp = Blueprint("health", __name__)
STALE_AFTER = timedelta(minutes=3)


def migration_state() -> dict:
    """The database's Alembic revision and the code's head."""
    script = ScriptDirectory.from_config(migrate.get_config())
    with db.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    head = script.get_current_head()
    return {"current": current, "head": head, "at_head": current == head}


def may_see_details() -> bool:
    """The full report is for a signed-in clinic admin or a monitor sending HEALTH_TOKEN as a bearer token."""
    token = current_app.config.get("HEALTH_TOKEN") or ""
    sent = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if token and hmac.compare_digest(sent.encode(), token.encode()):
        return True
    return current_user.is_authenticated and current_user.role == "admin"


@bp.route("/healthz")
@public
def healthz():
    """JSON health report; 503 when the database cannot be reached. The public sees only up or down."""
    try:
        db.session.execute(text("SELECT 1"))
        migrations = migration_state()
        beat = db.session.scalar(select(SchedulerHeartbeat).order_by(SchedulerHeartbeat.beat_at.desc()))
    except Exception as error:  # noqa: BLE001 - health must answer, whatever broke
        db.session.rollback()
        details = {"database": {"ok": False, "error": type(error).__name__}} if may_see_details() else {}
        return jsonify(status="error", **details), 503
    running = beat is not None and utcnow() - beat.beat_at < STALE_AFTER
    if not may_see_details():  # versions, dialect and scheduler state help an attacker, not the public
        return jsonify(status="ok")
    return jsonify(
        status="ok" if migrations["at_head"] else "degraded",
        database={"ok": True, "dialect": db.engine.dialect.name},
        migrations=migrations,
        scheduler={"running": running, "mode": current_app.config["SCHEDULER_MODE"],
                   "last_beat": beat.beat_at.isoformat() if beat else None},
    )
