"""The home screen: patients see today's tasks and help; staff go to the care-team queue."""
from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from companion.accounts.context import current_patient
from companion.clock import utcnow
from companion.diary import queries as diary
from companion.escalation import queries as cases
from companion.notify import queries as messages
from companion.web import PATIENT_SIDE, public, roles_required

bp = Blueprint("home", __name__)


@bp.route("/")
@public
def index():
    """Home for patients and caregivers; staff go to /care; others to sign in."""
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login"))
    if current_user.is_staff:
        return redirect(url_for("careteam.queue"))
    patient = current_patient()
    return render_template("home/index.html", patient=patient, open_cases=cases.open_patient_cases(patient.id),
                           messages=messages.recent_in_app(current_user.id, limit=3),
                           kept_context=diary.kept_rules_context(patient, utcnow()))


@bp.route("/help")
@public
def help_now():
    """What to do now if something is wrong: the same guidance as the offline page."""
    return render_template("pwa/help.html")


@bp.route("/more")
@roles_required(*PATIENT_SIDE)
def more():
    """The rest of the app behind the tab bar's More: messages, learning, reminders, alerts, account, help."""
    return render_template("home/more.html")
