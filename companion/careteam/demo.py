"""Demo cases for the care team's queue: an emergency and an overdue urgent case for the post-operative patient."""
from datetime import timedelta

from companion.clock import utcnow
from companion.escalation import services

# (minutes ago, observations, context): the queue shows emergency first, then the urgent cases oldest first.
CASES = (
    (12, {"temperature_c": 38.4, "confusion_new": True, "sleepiness": "alert"}, {"days_since_implant": 5}),
    (70, {"temperature_c": 37.9, "headache": "severe", "stiff_neck": True}, {"days_since_implant": 5}),
)


def seed(clinic, patients) -> None:
    """Open the demo cases for postop@demo.test at fixed ages, so deadlines show as left and as passed."""
    # Numbers the care team can call (555-01xx: reserved for fiction).
    for email, number in (("patient@demo.test", "+1 555 010 2030"), ("postop@demo.test", "+1 555 010 4455")):
        if patients.get(email) is not None and patients[email].user is not None:
            patients[email].user.phone = number
    patient = patients.get("postop@demo.test")
    if patient is None:
        return
    now = utcnow()
    for source_id, (minutes, observations, context) in enumerate(CASES, start=1):
        services.assess(patient, observations=observations, context=context, source_type="demo_careteam",
                        source_id=source_id, reported_by_user=patient.user, now=now - timedelta(minutes=minutes))
