"""Issue 15 finding 9: a one-time enrolment or caregiver code used by several posts at once makes one account;
the others get a clear refusal and nothing is created."""
import threading

from sqlalchemy import func, select

from companion.accounts import services
from companion.accounts.models import User
from companion.extensions import db

STRONG = "maple lantern orbit 42"


def _race(app, url: str, bodies: list[dict]) -> list[tuple[int, str]]:
    """Post each body from its own thread and client, all released at the same moment."""
    gate, answers = threading.Barrier(len(bodies)), []

    def post(body):
        with app.app_context():
            client = app.test_client()
            gate.wait()
            response = client.post(url, data=body)
            answers.append((response.status_code, response.get_data(as_text=True)))
            db.session.remove()

    threads = [threading.Thread(target=post, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return answers


def _users() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(User))


def test_four_posts_of_one_enrolment_code_make_one_account(app, world):
    patient = world.patient_b
    patient.user_id = None
    db.session.commit()
    code = services.issue_enrolment_code(world.nurse1, patient)
    before = _users()
    bodies = [{"code": code, "email": f"racer{n}@example.org", "password": STRONG, "confirm": STRONG}
              for n in range(4)]
    answers = _race(app, "/enrol", bodies)
    assert sorted(status for status, _ in answers) == [302, 422, 422, 422]
    assert all("This code does not work" in text for status, text in answers if status == 422)
    assert _users() == before + 1


def test_four_posts_of_one_caregiver_invite_make_one_account(app, world):
    code = services.invite_caregiver(world.patient_b, world.patient_b_user)
    before = _users()
    bodies = [{"code": code, "email": f"carer{n}@example.org", "password": STRONG, "confirm": STRONG,
               "display_name": f"Carer {n}"} for n in range(4)]
    answers = _race(app, "/caregiver/join", bodies)
    assert sorted(status for status, _ in answers) == [302, 422, 422, 422]
    assert _users() == before + 1
