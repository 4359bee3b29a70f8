"""The clinic quality report page and CSV: the clinic's own aggregates, staff only, audited, no patient named."""
import csv
import io
from datetime import timedelta

from sqlalchemy import select

from companion.audit.models import AuditEvent
from companion.clock import utcnow
from companion.escalation import services as escalation
from companion.escalation.models import Case
from companion.extensions import db
from tests.careteam.conftest import entry
from tests.conftest import HX, login


def _history(world):
    """Clinic 1: one urgent case acknowledged after 20 minutes and resolved; four check-ins, one alerting."""
    now = utcnow()
    escalation.assess(world.patient_a, observations={"pump_alarm": "two_tone"}, context={}, source_type="test",
                      source_id=1, reported_by_user=world.patient_a_user, now=now - timedelta(hours=2))
    db.session.commit()
    case = db.session.scalar(select(Case))
    escalation.resolve(case, world.nurse1, "pump_checked", "Checked.", now=now - timedelta(hours=2) + timedelta(minutes=20))
    for days, tier in ((0.1, "none"), (1.1, "routine"), (2.1, "none"), (3.1, "none")):
        entry(world.patient_a, days, tier=tier)
    return case


def _rows(response):
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_staff_see_their_clinics_figures_with_charts_and_tables(client, world):
    case = _history(world)
    login(client, world.nurse1)
    page = client.get("/care/reports")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Quality report" in html and html.count("<svg") == 4
    assert "Figures per period" in html and 'href="/care/reports.csv?by=week"' in html
    for person in (world.patient_a, world.patient_b):
        assert person.family_name not in html and person.record_number not in html  # aggregates only
    partial = client.get("/care/reports?by=month", headers=HX).get_data(as_text=True)
    assert "<html" not in partial and 'id="reports"' in partial
    rows = _rows(client.get("/care/reports.csv"))
    assert len(rows) == 12
    week = rows[-1] if rows[-1]["cases_urgent"] == "1" else rows[-2]  # the case may fall in last week on a Monday
    assert week["cases_urgent"] == "1" and week["median_ack_minutes"] == "20" and week["resolved_pump_checked"] == "1"
    assert week["ack_within_deadline_share"] == "1"
    totals = sum(int(r["checkins"]) for r in rows), sum(int(r["alerts"]) for r in rows)
    assert totals == (4, 1)
    events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "quality_report_viewed")))
    assert len(events) == 3 and {e.user_id for e in events} == {world.nurse1.id} and case.id


def test_another_clinics_staff_see_none_of_it_and_patients_are_refused(client, world):
    _history(world)
    login(client, world.nurse2)
    rows = _rows(client.get("/care/reports.csv"))
    assert sum(int(r["cases_urgent"]) for r in rows) == 0 and sum(int(r["checkins"]) for r in rows) == 0
    for user in (world.patient_a_user, world.caregiver):
        login(client, user)
        assert client.get("/care/reports").status_code == 403
        assert client.get("/care/reports.csv").status_code == 403
    client.post("/logout")
    assert client.get("/care/reports").status_code in (302, 401)


def test_reports_are_in_the_staff_navigation(client, world):
    login(client, world.admin1)
    assert 'href="/care/reports"' in client.get("/care/reports").get_data(as_text=True)
    login(client, world.patient_a_user)
    assert 'href="/care/reports"' not in client.get("/").get_data(as_text=True)
