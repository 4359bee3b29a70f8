"""Clinic admin pages: settings (numbers, hours, on-call and rota, thresholds, two-factor, reminders) and staff."""
from flask import Blueprint

bp = Blueprint("settings", __name__)

from companion.clinic.views import accounts, settings, staff  # noqa: E402,F401  (their routes join the blueprint)
