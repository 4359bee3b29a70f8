"""The pump blueprint: the patient's /pump pages and the care team's pump record and refill calendar."""
from flask import Blueprint

bp = Blueprint("pump", __name__)


@bp.app_context_processor
def waiting_refills_block() -> dict:
    """The triage queue's "refills waiting for a second check" block reads its rows through this."""
    from companion.pump.dose_checks import needs_physician
    from companion.pump.queries import waiting_refills

    return {"pump_waiting_refills": waiting_refills, "pump_needs_physician": needs_physician}


from companion.pump import jobs  # noqa: E402,F401  (registers the refill_reminders job)
from companion.pump.views import patient, staff  # noqa: E402,F401  (routes)
