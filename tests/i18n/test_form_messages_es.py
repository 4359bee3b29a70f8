"""The diary's own messages (pure rules, so marked N_ or Message) show in Spanish with their values kept."""
from companion.diary.rules import Message
from companion.extensions import db
from tests.conftest import HX, login
from tests.diary.conftest import peg_done  # noqa: F401  (the fixture: PEG done, so only today's items count)
from tests.diary.helpers import ORDINARY, form


def test_a_message_keeps_its_english_text_and_its_values():
    message = Message("Please pick a number from %(low)s to %(high)s.", low="0", high="10")
    assert message == "Please pick a number from 0 to 10." and message.params == {"low": "0", "high": "10"}


def test_a_spanish_patient_sees_the_checkin_errors_in_spanish(client, peg_done):
    user = peg_done.patient_a_user
    user.language = "es"
    db.session.commit()
    login(client, user)
    bad = form({**ORDINARY, "pain_now": "42"})
    page = client.post("/checkin", data=bad, headers=HX).get_data(as_text=True)
    assert "Por favor, elija un número del 0 al 10." in page, page[:2000]
    assert "Please pick a number" not in page
    page = client.post("/checkin", data=form({**ORDINARY, "temperature": "abc"}), headers=HX).get_data(as_text=True)
    assert "Escriba la temperatura con números" in page and "Please type" not in page
