"""The clinic admin's audit viewer, with CSV export."""
import csv
import io
from datetime import datetime, timedelta

from flask import Blueprint, Response, render_template, request
from flask_login import current_user

from companion.audit import queries, services
from companion.clock import utcnow
from companion.web import roles_required

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")
COLUMNS = ("at", "user_id", "role", "action", "patient_id", "object_type", "object_id", "ip", "outcome")


def _filters() -> dict:
    """Filters from the query string (bad values are ignored, not errors)."""
    def number(name):
        value = request.args.get(name, "")
        return int(value) if value.isdigit() else None

    days = number("days") or 7
    return {"user_id": number("user"), "patient_id": number("patient"),
            "action": request.args.get("action", "")[:60], "since": utcnow() - timedelta(days=min(days, 3650))}


@bp.route("")
@roles_required("admin")
def index():
    """Audit events of the admin's clinic, newest first."""
    events = queries.events_for_clinic(current_user.clinic_id, **_filters())
    return render_template("audit/index.html", events=events, args=request.args)


@bp.route("/export.csv")
@roles_required("admin")
def export():
    """The filtered events as CSV (the export itself is audited)."""
    events = queries.events_for_clinic(current_user.clinic_id, limit=100_000, **_filters())
    services.record_now("audit_exported", object_type="audit", detail_rows=len(events))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for event in events:
        writer.writerow([event.at.isoformat() if isinstance(event.at, datetime) else event.at,
                         *(getattr(event, c) for c in COLUMNS[1:])])
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=audit.csv"})
