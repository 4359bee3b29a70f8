"""Diary pages: check-in, wound check, post-refill check, history, photos, reminders, the sync API."""
from __future__ import annotations

import json
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from werkzeug.datastructures import MultiDict

from companion.accounts import queries as accounts
from companion.accounts.context import current_patient, reported_by
from companion.accounts.models import Patient
from companion.audit import services as audit
from companion.clock import utcnow
from companion.diary import queries, rules, services
from companion.diary.forms import EntryForm, ReminderForm
from companion.diary.models import DiaryEntry
from companion.diary.questionnaires import CHECKIN, POST_REFILL, SITES, WOUND
from companion.diary.services import photos as photo_files
from companion.escalation import routing
from companion.escalation.rules import client_rules
from companion.extensions import db
from companion.pump import queries as pump_queries
from companion.web import PATIENT_SIDE, STAFF, render_page, roles_required

bp = Blueprint("diary", __name__)
FORMS = {"checkin": (CHECKIN, "diary.checkin"), "wound": (WOUND, "diary.wound"),
         "post_refill": (POST_REFILL, "diary.post_refill")}
PHOTO_UPLOAD_LIMIT = 2 * photo_files.MAX_BYTES + 1024 * 1024  # two photos of 10 MB and the answers


@bp.app_context_processor
def diary_context() -> dict:
    """`home_tasks(patient)` for the home screen (what is due now, with links) and entry formatting."""
    return {"home_tasks": lambda patient: queries.home_tasks(patient, utcnow()),
            "diary_answer_label": queries.answer_label, "diary_when": queries.when,
            "diary_answer_rows": queries.answer_rows}


@bp.before_request
def allow_two_photos():
    """The wound check may carry two 10 MB photos; every other request keeps the app's limit."""
    if request.endpoint in ("diary.wound", "diary.api_record"):
        request.max_content_length = PHOTO_UPLOAD_LIMIT


def field_map(questionnaire) -> list[dict]:
    """What diary.js needs to turn offline answers into observations for the emergency check."""
    return [{"id": q.link_id, "obs": q.observation, "kind": q.kind, "min": q.min, "max": q.max,
             "units": bool(q.unit_choices)} for q in questionnaire.items if q.observation]


def form_context(kind: str, patient, values: MultiDict, errors: dict | None = None, client_entry_id: str = "",
                 emergency=None, urgent=None) -> dict:
    """Everything a questionnaire page or fragment needs."""
    questionnaire, endpoint = FORMS[kind]
    reporter = reported_by()
    now = utcnow()
    return {
        "kind": kind, "questionnaire": questionnaire, "action": url_for(endpoint), "patient": patient,
        "items": questionnaire.for_reporter(reporter), "reporter": reporter, "values": values,
        "errors": errors or {}, "emergency": emergency, "urgent": urgent, "client_entry_id": client_entry_id or str(uuid.uuid4()),
        "weekly_due": kind == "checkin" and queries.weekly_due(patient, now),
        "previous": queries.last_entry(patient, kind), "sites": SITES if kind == "wound" else (),
        "emergency_rules": client_rules(routing.clinic_thresholds(patient.clinic_id)),
        "clinic_contact": routing.offline_contact(patient.clinic),
        "fields": field_map(questionnaire), "form": EntryForm(formdata=None),
    }


def shell_context(kind: str) -> dict:
    """The form with no patient data (no name, answers or photos) that the service worker keeps for offline use."""
    questionnaire, endpoint = FORMS[kind]
    reporter = reported_by()
    return {"kind": kind, "questionnaire": questionnaire, "action": url_for(endpoint), "patient": None,
            "items": questionnaire.for_reporter(reporter), "reporter": reporter, "values": MultiDict(), "errors": {},
            "emergency": None, "client_entry_id": "", "weekly_due": False, "previous": None, "sites": (),
            "urgent": None, "emergency_rules": client_rules(routing.clinic_thresholds(current_user.clinic_id)),
            "clinic_contact": routing.offline_contact(current_user.clinic),  # the clinic's numbers, no patient data
            "fields": field_map(questionnaire), "form": EntryForm(formdata=None), "offline_shell": True}


def _show_form(kind: str):
    """The empty questionnaire, with yesterday's units offered (never yesterday's symptoms)."""
    patient = current_patient()
    previous = queries.last_entry(patient, kind)
    values = MultiDict(rules.summary_for_yesterday(previous.answers if previous else None))
    focus = ""
    if kind == "checkin" and request.args.get("pump_alarm") == "1":  # "My pump is beeping": the alarm question, open
        values["anything_new"], focus = "yes", "pump_alarm"
    return render_page(f"diary/{kind}.html", "diary/_entry_form.html", focus=focus,
                       kept_context=queries.kept_rules_context(patient, utcnow()),  # for the offline rules
                       **form_context(kind, patient, values))


def _device_time(raw: str | None) -> datetime | None:
    """The phone's ISO time of the entry, or None when missing or unreadable."""
    try:
        return datetime.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _uploads() -> dict[str, bytes]:
    """Uploaded photo bytes per incision (nothing is written until the entry is valid)."""
    files = {site.code: request.files.get(f"{site.code}.photo") for site in SITES}
    return {site: f.read(photo_files.MAX_BYTES + 1) for site, f in files.items() if f and f.filename}


def _submit(kind: str):
    """Record a questionnaire posted by the page (htmx or plain form); 422 keeps every value."""
    patient, form = current_patient(), EntryForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        done = services.record_entry(patient, kind, request.form, reporter_user=current_user,
                                     client_entry_id=form.client_entry_id.data,
                                     recorded_at=_device_time(form.recorded_at.data), photos=_uploads())
    except (ValueError, services.EntryConflict):
        abort(400)
    if not done.ok:
        ctx = form_context(kind, patient, request.form, done.errors, form.client_entry_id.data, done.emergency,
                           done.urgent)
        return render_page(f"diary/{kind}.html", "diary/_entry_form.html", 422, **ctx)
    card = pump_queries.pump_card(patient) if done.assessment and done.assessment.tier == "emergency" else None
    return render_page("diary/saved.html", "diary/_saved.html", entry=done.entry, assessment=done.assessment,
                       kind=kind, again=url_for(FORMS[kind][1]), pump_card=card)


@bp.route("/checkin", methods=["GET", "POST"])
@roles_required(*PATIENT_SIDE)
def checkin():
    """The daily check-in: pain, weekly PEG, and the red-flag questions behind "anything new?"."""
    return _submit("checkin") if request.method == "POST" else _show_form("checkin")


@bp.route("/wound", methods=["GET", "POST"])
@roles_required(*PATIENT_SIDE)
def wound():
    """The wound check for both incisions, with optional photos and the previous check beside it."""
    return _submit("wound") if request.method == "POST" else _show_form("wound")


@bp.route("/checkin/breathing", methods=["GET", "POST"])
@roles_required(*PATIENT_SIDE)
def post_refill():
    """The short sleep and breathing check 24, 48 and 72 hours after a refill or dose increase."""
    return _submit("post_refill") if request.method == "POST" else _show_form("post_refill")


@bp.route("/checkin/offline-form")
@roles_required(*PATIENT_SIDE)
def checkin_shell():
    """The check-in form's offline shell: no patient data; every entry goes through the phone's outbox."""
    return render_template("diary/checkin.html", **shell_context("checkin"))


@bp.route("/wound/offline-form")
@roles_required(*PATIENT_SIDE)
def wound_shell():
    """The wound check's offline shell, without photos (they need signal to be any use to the nurse)."""
    return render_template("diary/wound.html", **shell_context("wound"))


@bp.route("/diary")
@roles_required(*PATIENT_SIDE)
def history():
    """The patient's entries, newest first, and charts over 30 or 90 days."""
    patient = current_patient()
    days = 90 if request.args.get("days") == "90" else 30
    return render_page("diary/history.html", "diary/_trends.html", patient=patient, entries=queries.entries_for(
        patient, limit=60), trends=queries.trends_for(patient, days, utcnow()), days=days)


@bp.route("/diary/photos")
@roles_required(*PATIENT_SIDE)
def compare_photos():
    """One incision's photos over the days, side by side at one size with their dates (inside the app)."""
    patient = current_patient()
    site = request.args.get("site") if request.args.get("site") in {s.code for s in SITES} else SITES[0].code
    return render_template("diary/photos.html", patient=patient, site=site, sites=SITES,
                           photos=queries.photos_by_site(patient, site))


@bp.route("/diary/photos/<int:photo_id>")
@roles_required(*PATIENT_SIDE, *STAFF)
def photo(photo_id: int):
    """A wound photo, only for the patient, linked caregivers and the clinic's staff (staff views audited)."""
    found = queries.photo_for(current_user, photo_id)
    if found is None:
        abort(404)
    if current_user.is_staff:
        audit.record_now("wound_photo_viewed", patient_id=found.patient_id, object_type="wound_photo",
                         object_id=found.id)
    data = photo_files.load(found.stored_name)
    if data is None:
        abort(404)
    return Response(data, mimetype=found.content_type)


@bp.route("/diary/settings", methods=["GET", "POST"])
@roles_required("patient")
def settings():
    """The time of day for the check-in reminder."""
    patient = current_patient()
    pref = queries.reminder_preference(patient)
    form = ReminderForm(remind_at=pref.remind_at if pref and pref.enabled else None)
    if form.validate_on_submit():
        choice = None if form.turn_off.data else form.remind_at.data
        pref = services.set_reminder_time(patient, choice, user=current_user)
        form = ReminderForm(formdata=None, remind_at=pref.remind_at if pref and pref.enabled else None)
        return render_page("diary/settings.html", "diary/_settings_form.html", form=form, saved=True, pref=pref)
    return render_page("diary/settings.html", "diary/_settings_form.html", 422 if form.errors else 200,
                       form=form, saved=False, pref=pref)


def _api_payload() -> tuple[dict, dict[str, bytes]]:
    """The replayed entry: a JSON body, or a multipart form with a `payload` JSON field and photos."""
    try:
        payload = request.get_json(silent=True) if request.is_json else json.loads(request.form.get("payload", ""))
    except (ValueError, RecursionError):  # RecursionError: nested thousands deep
        payload = None
    if not isinstance(payload, dict) or not isinstance(payload.get("answers"), dict):
        abort(400)
    # An empty photo in a replayed offline entry is dropped, not refused: a refusal would lose the whole entry.
    return payload, {site: raw for site, raw in _uploads().items() if raw}


def _api_patient(patient_id: object):
    """The patient the entry is for: the signed-in patient, or one the caregiver is linked to."""
    patient = current_patient()
    if patient_id in (None, ""):
        return patient
    try:
        wanted = int(patient_id)
    except (TypeError, ValueError):
        abort(400)
    if wanted == patient.id:
        return patient
    if current_user.role == "caregiver" and wanted in accounts.caregiver_patient_ids(current_user):
        return db.session.get(Patient, wanted)
    abort(404)


def entry_json(entry: DiaryEntry) -> dict:
    """The acknowledgement body; the same for the first send and every replay."""
    return {"id": entry.id, "client_entry_id": entry.client_entry_id, "kind": entry.kind, "tier": entry.tier,
            "recorded_at": entry.recorded_at.isoformat(), "received_at": entry.received_at.isoformat(),
            "case_id": entry.case_id}


def assessment_json(patient, done) -> dict:
    """The server's assessment for the outbox to show: the tier, when it arrived, and the outcome screen's HTML."""
    tier = done.assessment.tier if done.assessment else "none"
    card = pump_queries.pump_card(patient) if tier == "emergency" else None
    outcome = render_template("diary/_sync_outcome.html", assessment=done.assessment, pump_card=card) \
        if tier in ("urgent", "emergency") else ""
    sent = done.entry.received_at.astimezone(ZoneInfo(patient.clinic.timezone or "UTC")).strftime("%H:%M")
    return {"tier": tier, "sent_text": _("Sent at %(time)s.", time=sent), "outcome_html": outcome}


@bp.route("/api/diary/entries", methods=["POST"])
@roles_required(*PATIENT_SIDE)
def api_record():
    """The offline outbox's endpoint: 201 for a new entry, 200 with the same body for a replay."""
    current_patient()  # someone with no patient to act for gets 404 before the body is even read
    payload, uploads = _api_payload()
    patient = _api_patient(payload.get("patient_id"))
    kind = payload.get("kind")
    if kind not in FORMS:
        abort(400)
    try:
        done = services.record_entry(
            patient, kind, payload["answers"], reporter_user=current_user, photos=uploads,
            weekly_optional=payload.get("shell") is True,  # made on the offline form, which has no weekly questions
            client_entry_id=request.headers.get("Idempotency-Key") or payload.get("client_entry_id"),
            recorded_at=_device_time(payload.get("recorded_at") if isinstance(payload.get("recorded_at"), str) else None))
    except ValueError:
        abort(400)
    except services.EntryConflict:
        return jsonify(error="conflict"), 409
    if not done.ok:
        return jsonify(errors=done.errors, emergency=done.emergency is not None, urgent=done.urgent is not None), 422
    return jsonify(entry_json(done.entry) | assessment_json(patient, done)), 200 if done.replay else 201


@bp.route("/api/csrf")
@roles_required(*PATIENT_SIDE)
def api_csrf():
    """A fresh CSRF token for the outbox before it replays (401 JSON when the session has ended)."""
    return jsonify(csrf_token=generate_csrf())


@bp.route("/care/patients/<int:patient_id>/diary")
@roles_required(*STAFF)
def staff_diary(patient_id: int):
    """The care team's view of a patient's diary and wound photos (clinic-scoped, audited)."""
    patient = accounts.clinic_patient(current_user.clinic_id, patient_id)
    if patient is None:
        audit.record_now("access_refused", object_type="patient", object_id=patient_id, outcome="refused")
        abort(404)
    audit.record_now("patient_diary_viewed", patient_id=patient.id, object_type="patient", object_id=patient.id)
    days = 90 if request.args.get("days") == "90" else 30
    return render_template("diary/staff_diary.html", patient=patient, entries=queries.entries_for(patient, limit=100),
                           trends=queries.trends_for(patient, days, utcnow()), days=days)
