"""HTTP for the clinic quality report at /care/reports (page with SVG charts and tables; CSV)."""
import csv
import io

from flask import Blueprint, Response, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from companion.audit import services as audit
from companion.careteam.reports import charts, queries
from companion.clock import utcnow
from companion.web import STAFF, render_page, roles_required

bp = Blueprint("reports", __name__)
RESOLUTION_LABELS = {"advised_emergency_department": _l("Sent to emergency department"),
                     "clinic_visit_booked": _l("Clinic visit booked"), "advice_by_phone": _l("Advice by phone"),
                     "pump_checked": _l("Pump checked"), "no_action_needed": _l("No action needed")}


def _stats():
    """The signed-in staff member's clinic figures for the chosen grouping (audited: aggregates of patient data)."""
    by = request.args.get("by") if request.args.get("by") in queries.PERIODS else "week"
    audit.record_now("quality_report_viewed", object_type="clinic", object_id=current_user.clinic_id, by=by,
                     clinic_id=current_user.clinic_id, export=request.path.endswith(".csv"))
    return by, queries.clinic_report(current_user.clinic, utcnow(), by)


@bp.route("/care/reports")
@roles_required(*STAFF)
def index():
    """Per week or month: cases, acknowledgement times, rounds, resolutions, adherence, alerts, reviews."""
    by, rows = _stats()
    labels = [r.period.label for r in rows]
    percent = lambda values: [None if v is None else 100 * v for v in values]  # noqa: E731
    svg = {
        "cases": charts.bar_chart("chart-cases", _("Cases opened"), labels, [r.cases for r in rows]),
        "ack": charts.bar_chart("chart-ack", _("Median minutes to first acknowledgement"), labels,
                                [r.median_ack_minutes for r in rows], unit=" min"),
        "adherence": charts.bar_chart("chart-adherence", _("Check-in adherence (%)"), labels,
                                      percent(r.adherence for r in rows), unit=" %", y_max=100),
        "alerts": charts.bar_chart("chart-alerts", _("Alerts per 100 check-ins"), labels,
                                   [r.alerts_per_100 for r in rows]),
    }
    return render_page("careteam/reports.html", "careteam/_reports.html", rows=rows, by=by, svg=svg,
                       resolutions=RESOLUTION_LABELS, number=charts.number)


@bp.route("/care/reports.csv")
@roles_required(*STAFF)
def download():
    """The same figures as CSV, one row per period."""
    by, rows = _stats()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["period", "start", "cases_emergency", "cases_urgent", "acknowledged", "median_ack_minutes",
                     "p90_ack_minutes", "ack_within_deadline_share", "median_rounds", "max_rounds",
                     "needed_more_than_one_round", *[f"resolved_{k}" for k in RESOLUTION_LABELS],
                     "checkins_expected", "checkins_done", "adherence", "checkins", "alerts", "alerts_per_100",
                     "review_items", "review_items_cleared_within_a_working_day"])
    fmt = lambda v: "" if v is None else f"{v:.4f}".rstrip("0").rstrip(".") if isinstance(v, float) else v  # noqa: E731
    for r in rows:
        writer.writerow([fmt(v) for v in (
            r.period.label, r.period.start.isoformat(), r.cases_by_tier.get("emergency", 0),
            r.cases_by_tier.get("urgent", 0), r.acknowledged, r.median_ack_minutes, r.p90_ack_minutes,
            r.within_deadline_share, r.median_rounds, r.max_rounds, r.needed_more_rounds,
            *[r.resolutions.get(k, 0) for k in RESOLUTION_LABELS], r.checkins_expected, r.checkins_done,
            r.adherence, r.checkins, r.alerts, r.alerts_per_100, r.reviews, r.reviews_in_time)])
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="quality-report-{by}.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response
