"""The triage queue against issue 7: order, deadlines with a frozen clock, filters, one-click acknowledge, access."""
import re

from sqlalchemy import select

from companion.audit.models import AuditEvent
from companion.extensions import db
from tests.careteam.conftest import EMERGENCY, URGENT, open_case
from tests.conftest import HX, login


def _ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'id="case-(\d+)"', html)]


def _row(html: str, case_id: int) -> str:
    """One case's <li>, from its opening tag to the next row."""
    start = html.rindex("<li", 0, html.index(f'id="case-{case_id}"'))
    end = html.find('<li class="card case-row', start + 3)
    return html[start:end if end > 0 else len(html)]


def test_queue_orders_overdue_first_then_emergency_then_oldest_and_shows_deadlines(client, world):
    urgent_old = open_case(world.patient_a, 70, URGENT, 1)      # 60-min deadline: 10 min overdue
    urgent_new = open_case(world.patient_b, 5, URGENT, 2)       # 55 min left
    emergency = open_case(world.patient_b, 12, EMERGENCY, 3)    # 15-min deadline: 3 min left
    login(client, world.nurse1)
    html = client.get("/care").get_data(as_text=True)
    # Nothing overdue is hidden: the overdue urgent case comes before an emergency still within its deadline.
    assert _ids(html) == [urgent_old, emergency, urgent_new]
    row = _row(html, emergency)
    assert "3 min left" in row and "12 min" in row and "case-overdue" not in row
    row = _row(html, urgent_old)
    assert "Overdue by 10 min" in row and "deadline-passed" in row and "case-overdue" in row and "1 h 10 min" in row
    assert "55 min left" in _row(html, urgent_new)


def test_acknowledged_cases_sink_below_open_ones_and_poll_keeps_filters(client, world):
    first = open_case(world.patient_a, 30, URGENT, 1)
    second = open_case(world.patient_b, 10, URGENT, 2)
    login(client, world.nurse1)
    partial = client.post(f"/care/cases/{first}/acknowledge?tier=urgent&patient=", headers=HX).get_data(as_text=True)
    assert _ids(partial) == [second, first] and "Seen by" in partial
    assert "poll=1" in partial and "tier=urgent" in partial


def test_filters_team_patient_and_tier(client, world):
    a = open_case(world.patient_a, 30, URGENT, 1)
    b = open_case(world.patient_b, 10, EMERGENCY, 2)
    login(client, world.nurse1)
    assert set(_ids(client.get("/care?scope=team").get_data(as_text=True))) == {a, b}  # routed to the nurses
    assert _ids(client.get(f"/care?patient={world.patient_a.id}").get_data(as_text=True)) == [a]
    assert _ids(client.get("/care?tier=emergency").get_data(as_text=True)) == [b]
    assert _ids(client.get(f"/care?patient={world.patient_c2.id}").get_data(as_text=True)) == []  # other clinic
    login(client, world.physician1)
    assert _ids(client.get("/care?scope=team").get_data(as_text=True)) == []  # in hours the nurses get them


def test_queue_page_has_filters_cue_and_polling(client, world):
    open_case(world.patient_a, 5, URGENT, 1)
    login(client, world.nurse1)
    html = client.get("/care").get_data(as_text=True)
    assert 'hx-trigger="every 5s"' in html and "data-queue-sound" in html and "data-queue-alert" in html
    assert "My team" in html and 'name="patient"' in html and world.patient_a.family_name in html
    poll = client.get("/care/queue?poll=1", headers=HX).get_data(as_text=True)
    assert poll.lstrip().startswith("{#") is False and '<section id="queue"' in poll and "<html" not in poll


def test_patient_gets_403_on_care_and_other_clinic_sees_nothing(client, world):
    case = open_case(world.patient_a, 5, URGENT, 1)
    login(client, world.patient_a_user)
    assert client.get("/care").status_code == 403
    login(client, world.nurse2)
    assert case not in _ids(client.get("/care").get_data(as_text=True))
    assert client.post(f"/care/cases/{case}/acknowledge").status_code == 404


def test_queue_views_are_audited_but_polls_are_not(client, world):
    login(client, world.nurse1)
    client.get("/care")
    client.get("/care/queue?poll=1", headers=HX)
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.user_id == world.nurse1.id)).all()
    assert actions.count("triage_queue_viewed") == 1
