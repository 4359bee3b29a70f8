"""Clinic settings page: numbers, hours, on-call and rota, thresholds, staff two-factor, refill reminders and checks."""
from zoneinfo import available_timezones

from flask import abort
from flask_babel import gettext as _
from flask_login import current_user

from companion.accounts.services import AccountError
from companion.audit import services as audit
from companion.clinic import queries, rules, services
from companion.clinic.forms import (LADDERS_IN_HOURS, LADDERS_OUT_OF_HOURS, ROLE_LABELS, THRESHOLD_NAMES,
                                    WEEKDAY_LABELS, ContactsForm, HoursForm, OnCallForm, PostRefillForm, RemindersForm,
                                    ShiftForm, StaffTwoFactorForm, ThresholdsForm, id_or_none, ladder_label)
from companion.clinic.views import bp
from companion.clock import utcnow
from companion.escalation.models import LADDER
from companion.web import render_page, roles_required, wants_partial

SECTIONS = ("contacts", "hours", "oncall", "rota", "thresholds", "security", "reminders", "postrefill")
FORMS = {"contacts": ContactsForm, "hours": HoursForm, "oncall": OnCallForm, "rota": ShiftForm,
         "thresholds": ThresholdsForm, "security": StaffTwoFactorForm, "reminders": RemindersForm,
         "postrefill": PostRefillForm}


def _stored_form(section: str):
    """A section's form filled from what is stored now (the rota's add form starts empty)."""
    clinic, esc = current_user.clinic, queries.escalation_settings(current_user.clinic_id)
    data = {
        "contacts": lambda: {"phone": clinic.phone, "out_of_hours_phone": clinic.out_of_hours_phone,
                             "emergency_number": clinic.emergency_number or "911"},
        "hours": lambda: {"timezone": clinic.timezone, "hours_start": esc.hours_start, "hours_end": esc.hours_end,
                          "working_days": rules.parse_days(esc.working_days)},
        "oncall": lambda: {"on_call_user_id": str(esc.on_call_user_id or ""), "ladder_in_hours": esc.ladder_in_hours,
                           "ladder_out_of_hours": esc.ladder_out_of_hours,
                           "emergency_ack_minutes": esc.emergency_ack_minutes,
                           "urgent_ack_minutes": esc.urgent_ack_minutes},
        "rota": lambda: {"weekday": "0"},
        "thresholds": lambda: {r["name"]: f"{r['value']:g}" for r in queries.threshold_rows(current_user.clinic_id)},
        "security": lambda: {"staff_two_factor": clinic.staff_two_factor},
        "reminders": lambda: {"offsets": ", ".join(map(str, queries.reminder_offsets(clinic)))},
        "postrefill": lambda: {"first_post_refill_hours": clinic.first_post_refill_hours},
    }[section]()
    return _with_choices(FORMS[section](formdata=None, prefix=section, data=data))


def _with_choices(form):
    """Fill the people choices (active nurses and physicians of this clinic) of the on-call and rota forms."""
    people = [(str(u.id), f"{u.display_name} ({ROLE_LABELS[u.role]})")
              for u in queries.on_call_candidates(current_user.clinic_id)]
    if isinstance(form, OnCallForm):
        form.on_call_user_id.choices = [("", _("Nobody: page the physicians"))] + people
        form.ladder_in_hours.choices = [(v, ladder_label(v)) for v in LADDERS_IN_HOURS]
        form.ladder_out_of_hours.choices = [(v, ladder_label(v)) for v in LADDERS_OUT_OF_HOURS]
    elif isinstance(form, ShiftForm):
        form.user_id.choices = [("", _("Choose a person"))] + people
    return form


def _rota_week(clinic_id: int) -> list[tuple[str, list]]:
    """(day name, its shifts) for Monday to Sunday: the week table of the rota."""
    shifts = queries.rota(clinic_id)
    return [(label, [s for s in shifts if s.weekday == day]) for day, label in WEEKDAY_LABELS]


def _settings_page(section: str | None = None, form=None, message: str = "", status: int = 200):
    """The settings page, or one section's partial for htmx, with a message for its status region."""
    forms = {name: _stored_form(name) for name in SECTIONS if name != section}
    if section:
        forms[section] = form
    clinic = current_user.clinic
    ctx = {"forms": forms, "section": section, "message": message, "oob": wants_partial(), "failed": status == 422,
           "thresholds": queries.threshold_rows(clinic.id), "threshold_names": THRESHOLD_NAMES,
           "routing_now": queries.routing_now(clinic, utcnow()), "ladder": LADDER,
           "offsets": queries.reminder_offsets(clinic), "timezones": sorted(available_timezones()),
           "tz": clinic.timezone, "week": _rota_week(clinic.id), "shift_text": services.shift_text,
           "fallback": queries.escalation_settings(clinic.id).on_call_user}
    partial = f"clinic/_{section}.html" if section else "clinic/settings.html"  # no partial of the whole page
    return render_page("clinic/settings.html", partial, status=status, **ctx)


@bp.route("/admin/settings")
@roles_required("admin")
def index():
    """The clinic's settings, one section per form."""
    return _settings_page()


def _save(section: str, save, done: str = ""):
    """Validate a section's form, save it with `save(form)`, answer 422 with errors or the fresh section."""
    form = _with_choices(FORMS[section](prefix=section))
    if form.validate_on_submit():
        try:
            changed = save(form)
        except AccountError as error:
            form[error.field].errors.append(str(error))
        else:
            message = (done or _("Saved.")) if changed else _("No changes to save.")
            return _settings_page(section, _stored_form(section), message)
    return _settings_page(section, form, _("Not saved. Check the fields marked."), status=422)


@bp.route("/admin/settings/contacts", methods=["POST"])
@roles_required("admin")
def contacts():
    """Save the clinic's phone numbers."""
    return _save("contacts", lambda f: services.save_contacts(
        current_user, phone=f.phone.data, out_of_hours_phone=f.out_of_hours_phone.data,
        emergency_number=f.emergency_number.data))


@bp.route("/admin/settings/hours", methods=["POST"])
@roles_required("admin")
def hours():
    """Save the time zone and working hours."""
    return _save("hours", lambda f: services.save_hours(
        current_user, timezone=f.timezone.data, hours_start=f.hours_start.data, hours_end=f.hours_end.data,
        working_days=f.working_days.data))


@bp.route("/admin/settings/on-call", methods=["POST"])
@roles_required("admin")
def oncall():
    """Save the on-call clinician (used outside rota shifts) and the acknowledgement deadlines."""
    return _save("oncall", lambda f: services.save_on_call(
        current_user, on_call_user_id=id_or_none(f.on_call_user_id.data),
        emergency_ack_minutes=f.emergency_ack_minutes.data, urgent_ack_minutes=f.urgent_ack_minutes.data,
        ladder_in_hours=f.ladder_in_hours.data if f.ladder_in_hours.data in LADDERS_IN_HOURS else None,
        ladder_out_of_hours=f.ladder_out_of_hours.data if f.ladder_out_of_hours.data in LADDERS_OUT_OF_HOURS
        else None))


@bp.route("/admin/settings/rota", methods=["POST"])
@roles_required("admin")
def add_shift():
    """Add a weekly on-call shift (overlaps are refused beside the field)."""
    return _save("rota", lambda f: services.add_shift(current_user, **f.shift), _("Shift added."))


@bp.route("/admin/settings/rota/<int:shift_id>/remove", methods=["POST"])
@roles_required("admin")
def remove_shift(shift_id: int):
    """Take one shift off the clinic's rota (another clinic's shift: 404, audited)."""
    shift = queries.shift(current_user.clinic_id, shift_id)
    if shift is None:
        audit.record_now("access_refused", object_type="on_call_shift", object_id=shift_id, outcome="refused")
        abort(404)
    services.remove_shift(current_user, shift)
    return _settings_page("rota", _stored_form("rota"), _("Shift removed."))


@bp.route("/admin/settings/thresholds", methods=["POST"])
@roles_required("admin")
def thresholds():
    """Tighten red-flag thresholds (loosening is refused beside the field)."""
    return _save("thresholds", lambda f: services.tighten_thresholds(current_user, f.values))


@bp.route("/admin/settings/two-factor", methods=["POST"])
@roles_required("admin")
def staff_two_factor():
    """Require two-step sign-in for the clinic's nurses and physicians, or stop requiring it."""
    return _save("security", lambda f: services.save_staff_two_factor(current_user, f.staff_two_factor.data))


@bp.route("/admin/settings/reminders", methods=["POST"])
@roles_required("admin")
def reminders():
    """Save the days before a booked refill visit when patients are reminded."""
    return _save("reminders", lambda f: services.save_reminder_offsets(current_user, f.days))


@bp.route("/admin/settings/post-refill-check", methods=["POST"])
@roles_required("admin")
def post_refill_check():
    """Save how many hours after a refill or dose increase the first breathing check is offered."""
    return _save("postrefill", lambda f: services.save_first_post_refill_hours(
        current_user, f.first_post_refill_hours.data))
