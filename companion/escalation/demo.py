"""Demo data: one open urgent case and one routine review item for the demo patient."""
from companion.escalation import services

# Not a pump alarm: the browser tests report the alarm themselves, and a report of the signs an open case already
# holds joins that case instead of opening one.
MASS_SIGNS = {"numbness_new": True, "pain_character_new": True, "pain_now": 7}


def seed(clinic, patients) -> None:
    """Assess two demo reports for patient@demo.test (new numbness with a new kind of pain, the warning signs of an
    inflammatory mass; four days of constipation)."""
    patient = patients.get("patient@demo.test")
    if patient is None:
        return
    for source_id, observations in ((1, MASS_SIGNS), (2, {"constipation_days": 4})):
        services.assess(patient, observations=observations, context={}, source_type="demo_report",
                        source_id=source_id, reported_by_user=patient.user)
