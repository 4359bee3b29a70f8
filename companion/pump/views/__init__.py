"""The pump blueprint: the patient's /pump pages and the care team's pump record and refill calendar."""
from flask import Blueprint

bp = Blueprint("pump", __name__)

from companion.pump import jobs  # noqa: E402,F401  (registers the refill_reminders job)
from companion.pump.views import patient, staff  # noqa: E402,F401  (routes)
