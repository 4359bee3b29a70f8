"""The clinic admin's audit viewer: filter by person, patient, action and days; paged; CSV export (audited)."""
import csv
import io
import json
from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from companion.accounts.queries import clinic_patient, clinic_staff
from companion.audit import queries, rules, services
from companion.audit.queries import Filters
from companion.clock import utcnow
from companion.web import render_page, roles_required

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")
COLUMNS = ("at", "user_id", "role", "action", "user_name", "patient_id", "record_number", "object_type", "object_id",
           "ip", "outcome", "at_clinic_time", "detail")
PER_PAGE = 50
MESSAGES = {"bad_date": _l("Use a date like 2026-11-23."), "to_before_from": _l("The end date is before the start date."),
            "no_patient": _l("No patient of this clinic has that record number."),
            "no_user": _l("Choose a person from the list."), "no_action": _l("Choose an action from the list.")}


def _whole(text: str) -> int | None:
    """A plain whole number that fits the database ("²" passes isdigit() but not int(); 10**20 overflows)."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


def _filters() -> tuple[Filters, dict, dict]:
    """(filters, values to show back in the form, field -> error message) from the form or the query string.

    The form posts the record number (ASVS 14.2.1: never in a URL); links carry the patient's id instead.
    """
    tz = current_user.clinic.timezone
    today = utcnow().astimezone(ZoneInfo(tz)).date()
    source = request.form if request.method == "POST" else request.args
    args = {k: source.get(k, "").strip()[:60] for k in ("user", "patient", "patient_id", "action", "from", "to", "days")}
    if _whole(args["days"]) and not args["from"]:  # the older "last N days" link still works
        args["from"] = (today - timedelta(days=min(int(args["days"]), 3650) - 1)).isoformat()
    start, end, codes = rules.day_range(args["from"], args["to"], tz, today)
    errors = {field: MESSAGES[code] for field, code in codes.items()}
    user_id = _whole(args["user"])
    if args["user"] and user_id not in {u.id for u in clinic_staff(current_user.clinic_id)}:
        errors["user"], user_id = MESSAGES["no_user"], None
    patient = _patient(args)
    if (args["patient"] or args["patient_id"]) and patient is None:
        errors["patient"] = MESSAGES["no_patient"]
    if args["action"] and args["action"] not in queries.actions(current_user.clinic_id):
        errors["action"] = MESSAGES["no_action"]
    since, until = rules.utc_bounds(start, end, tz)
    values = {**args, "from": start.isoformat(), "to": end.isoformat(), "patient_id": str(patient.id) if patient else "",
              "patient": patient.record_number if patient else args["patient"]}
    values.pop("days")
    return Filters(user_id, patient.id if patient else None, args["action"], since, until), values, errors


def _patient(args: dict):
    """The filtered patient of this clinic: by record number (the form) or by id (links), else None."""
    if args["patient"]:
        return queries.patient_by_record_number(current_user.clinic_id, args["patient"])
    patient_id = _whole(args["patient_id"])
    return clinic_patient(current_user.clinic_id, patient_id) if patient_id else None


def _query(values: dict) -> dict:
    """The filters for a link: the patient by id only, so no record number goes into a URL."""
    return {k: v for k, v in values.items() if v and k != "patient"}


def _page(values: dict, errors: dict, rows=(), total: int = 0, page: int = 1):
    """The viewer page (or its results partial for htmx), 422 when a filter is wrong."""
    pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
    link = lambda n: url_for("audit.index", **_query(values), page=n)  # noqa: E731
    return render_page("audit/index.html", "audit/_results.html", status=422 if errors else 200,
                       rows=rows, total=total, page_no=page, pages=pages, per_page=PER_PAGE, link=link,
                       values=values, errors=errors, staff=clinic_staff(current_user.clinic_id),
                       actions=queries.actions(current_user.clinic_id), tz=current_user.clinic.timezone,
                       describe=describe, export_url=url_for("audit.export", **_query(values)))


@bp.route("", methods=["GET", "POST"])
@roles_required("admin")
def index():
    """Audit events of the admin's clinic, newest first, 50 a page (the filter form posts)."""
    filters, values, errors = _filters()
    if errors:
        return _page(values, errors)
    page = _whole(request.args.get("page", "")) or 1
    rows, total = queries.search(current_user.clinic_id, filters, page=max(page, 1), per_page=PER_PAGE)
    # The log names patients by record number, so reading it is itself a view of patient data.
    services.record_now("audit_viewed", object_type="audit", rows=len(rows), patient_filter=filters.patient_id)
    return _page(values, errors, rows, total, max(page, 1))


@bp.route("/export.csv")
@roles_required("admin")
def export():
    """The events matching the same filters as CSV; the export itself is audited with its filters."""
    filters, values, errors = _filters()
    if errors:
        return _page(values, errors)
    rows = queries.export_rows(current_user.clinic_id, filters)
    services.record_now("audit_exported", object_type="audit", rows=len(rows),
                        filters={k: v for k, v in values.items() if v})
    zone = ZoneInfo(current_user.clinic.timezone)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for event, user_name, record_number in rows:
        writer.writerow([rules.csv_cell(v) for v in (
            event.at.isoformat(), event.user_id, event.role, event.action, user_name, event.patient_id, record_number,
            event.object_type, event.object_id, event.ip, event.outcome, event.at.astimezone(zone).isoformat(),
            json.dumps(event.detail or {}, sort_keys=True, default=str))])
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=audit.csv"})


def describe(detail: dict | None) -> list[str]:
    """A change's before and after as short lines ('phone: +1 555 0100 → +1 555 0101'), else the other details."""
    detail = detail or {}
    before, after = detail.get("before"), detail.get("after")
    if isinstance(before, dict) and isinstance(after, dict):
        return [f"{k}: {_short(before.get(k, '—'))} → {_short(after[k])}" for k in after]
    if "before" in detail or "after" in detail:
        return [f"{_short(detail.get('before'))} → {_short(detail.get('after'))}"]
    return [f"{k}: {_short(v)}" for k, v in detail.items()][:4]


def _short(value) -> str:
    """A value in at most 60 characters."""
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "…"
