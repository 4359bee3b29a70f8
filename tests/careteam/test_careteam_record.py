"""The patient record: key facts, charts with refill markers, timeline, links, audit, htmx range switch."""
from sqlalchemy import select

from companion.audit.models import AuditEvent
from companion.careteam.charts import record_charts
from companion.careteam.queries import markers_for, timeline_for
from companion.clock import utcnow
from companion.diary.queries import trends_for
from companion.extensions import db
from tests.careteam.conftest import URGENT, open_case
from tests.conftest import HX, login


def test_markers_are_the_confirmed_refills_and_dose_changes_in_range(record_world):
    w = record_world
    trends = trends_for(w.patient_a, 90, utcnow())
    markers = markers_for(w.patient_a, trends.start, trends.end)
    assert [m.label for m in markers] == ["Refill", "Dose change, dose up"]
    assert markers_for(w.patient_a, trends.end.replace(day=1), trends.end)[0].label.startswith("Dose change") or \
        trends.end.day < 4
    svg = record_charts(trends, [(m.day, m.label) for m in markers])
    assert svg["pain"].count('stroke-dasharray="4 3"') == 2 and "Dose change, dose up" in svg["pain"]
    assert "Marked: Refill on" in svg["pain"] and "style=" not in "".join(svg.values())
    assert svg["wound"].count('stroke-dasharray="4 3"') == 2


def test_diary_charts_without_markers_are_unchanged(record_world):
    from companion.diary import charts

    trends = trends_for(record_world.patient_a, 30, utcnow())
    plain = charts.line_chart("x", "t", trends.pain, start=trends.start, end=trends.end)
    assert "stroke-dasharray" not in plain and "Marked:" not in plain


def test_timeline_is_newest_first_and_has_every_kind(record_world):
    w = record_world
    open_case(w.patient_a, 30, URGENT, 1)
    trends = trends_for(w.patient_a, 90, utcnow())
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    events = timeline_for(w.patient_a, datetime.combine(trends.start, time.min, ZoneInfo("America/New_York")))
    assert [e.at for e in events] == sorted((e.at for e in events), reverse=True)
    assert {"checkin", "wound", "case", "refill"} <= {e.kind for e in events}
    assert any("dose increase" in e.title for e in events)


def test_record_page_shows_facts_charts_links_and_is_audited(client, record_world):
    w = record_world
    open_case(w.patient_a, 30, URGENT, 1)
    login(client, w.nurse1)
    response = client.get(f"/care/patients/{w.patient_a.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for text in ("Alice", "Lorazepam 1 mg", "Sedating", "Morphine 10 mg/mL · 2.2 mg/day", "Refill due",
                 "Timeline, last 30 days", "Dose change, dose up", 'id="markers-table"', "Account set-up",
                 f"/care/patients/{w.patient_a.id}/pump", f"/care/patients/{w.patient_a.id}/consent",
                 f"/care/patients/{w.patient_a.id}/diary", "export/summary.pdf?days=30", "export/fhir.json",
                 "export/diary.csv", "Caregiver", "not started"):
        assert text in html, text
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "patient_record_viewed"))
    assert event.patient_id == w.patient_a.id and event.user_id == w.nurse1.id


def test_admin_sees_the_record_without_clinician_only_links(client, record_world):
    login(client, record_world.admin1, follow=True)
    html = client.get(f"/care/patients/{record_world.patient_a.id}").get_data(as_text=True)
    assert "Alice" in html and "/pump\"" not in html and "/consent\"" not in html


def test_range_switch_returns_the_partial_for_htmx(client, record_world):
    login(client, record_world.nurse1)
    html = client.get(f"/care/patients/{record_world.patient_a.id}?days=365", headers=HX).get_data(as_text=True)
    assert html.lstrip().startswith("{#") is False and 'id="record-main"' in html and "<html" not in html
    assert "Trends, last 365 days" in html and "Timeline, last 365 days" in html


def test_other_clinic_gets_404_and_a_refusal_is_audited(client, world):
    login(client, world.nurse2)
    assert client.get(f"/care/patients/{world.patient_a.id}").status_code == 404
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "access_refused",
                                                      AuditEvent.user_id == world.nurse2.id)) is not None


def test_timeline_leaves_out_ordinary_check_ins_unless_asked(client, record_world):
    login(client, record_world.nurse1)
    url = f"/care/patients/{record_world.patient_a.id}"
    short = client.get(url).get_data(as_text=True)
    full = client.get(url + "?all=1").get_data(as_text=True)
    assert "ordinary check-ins are left out" in short and "Show every entry" in short
    assert full.count('class="timeline-item timeline-checkin"') > short.count('class="timeline-item timeline-checkin"')
    assert "Wound check" in short and "Dose change" in short
