"""The only writer of the decision aid: keeps a new save of the values exercise (earlier saves stay)."""
from companion.audit import services as audit
from companion.clock import utcnow
from companion.consent.decision_aid import rules
from companion.consent.decision_aid.models import DecisionAidAnswer
from companion.extensions import db


def save_answers(patient, user, version: str, answers: rules.Answers, now=None) -> DecisionAidAnswer:
    """Keep the patient's ratings, leaning and questions as the newest save, with an audit event, in one transaction."""
    row = DecisionAidAnswer(patient_id=patient.id, saved_by_id=user.id, content_version=version,
                            ratings=dict(answers.ratings), leaning=answers.leaning,
                            questions=answers.questions.strip(), saved_at=now or utcnow())
    db.session.add(row)
    db.session.flush()
    audit.record("decision_aid_saved", user=user, patient_id=patient.id, object_type="decision_aid_answer",
                 object_id=row.id)
    db.session.commit()
    return row
