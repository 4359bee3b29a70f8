"""Staff pages show stored codes in words and amounts without trailing zeros."""
from sqlalchemy import select

from companion.escalation import services as escalation
from companion.escalation.models import Case
from companion.extensions import db
from tests.conftest import login
from tests.pump.conftest import confirm, pumped, record  # noqa: F401 - pumped is a fixture


def test_case_page_and_queue_show_codes_in_words(client, world):
    escalation.assess(world.patient_a, observations={"temperature_c": 38.4, "confusion_new": True, "sleepiness": "alert"},
                      context={"days_since_implant": 5}, source_type="test", source_id=7,
                      reported_by_user=world.patient_a_user)
    db.session.commit()
    case = db.session.scalar(select(Case))
    login(client, world.nurse1)
    for url in (f"/care/cases/{case.id}", "/care/queue", f"/care/patients/{world.patient_a.id}"):
        page = client.get(url).get_data(as_text=True)
        assert "confusion_new" not in page and "days_since" not in page, url


def test_pump_record_shows_amounts_without_trailing_zeros(client, pumped):
    confirm(pumped, record(pumped, fill="19.5"))
    login(client, pumped.nurse1)
    page = client.get(f"/care/patients/{pumped.patient_a.id}/pump").get_data(as_text=True)
    assert "19.5 mL" in page and "2 mg/day" in page and ".0000" not in page
