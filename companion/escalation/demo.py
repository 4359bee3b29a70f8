"""Demo data: one open urgent case and one routine review item for the demo patient."""
from companion.escalation import services


def seed(clinic, patients) -> None:
    """Assess two demo reports for patient@demo.test (a two-tone pump alarm; four days of constipation)."""
    patient = patients.get("patient@demo.test")
    if patient is None:
        return
    for source_id, observations in ((1, {"pump_alarm": "two_tone"}), (2, {"constipation_days": 4})):
        services.assess(patient, observations=observations, context={}, source_type="demo_report",
                        source_id=source_id, reported_by_user=patient.user)
