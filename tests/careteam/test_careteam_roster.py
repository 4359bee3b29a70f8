"""The roster: facts per patient, attention order, search, audit, and a fixed number of SQL statements."""
from datetime import timedelta

from sqlalchemy import event, select

from companion.audit.models import AuditEvent
from companion.careteam.queries import roster_rows
from companion.clock import utcnow
from companion.extensions import db
from tests.careteam.conftest import EMERGENCY, URGENT, entry, open_case, refill
from tests.conftest import HX, login


def test_roster_sorts_by_attention_and_shows_the_facts(client, world, factory, record_world):
    quiet = factory.patient(world.clinic1, given="Quinn", family="Aaquiet", implanted_on=utcnow().date())
    entry(quiet, 4, pain_now=3)
    calm = factory.patient(world.clinic1, given="Cal", family="Abcalm")  # not implanted: no check-in expected
    open_case(world.patient_b, 5, EMERGENCY, 1)
    open_case(world.patient_a, 5, URGENT, 2)
    rows = roster_rows(world.clinic1, utcnow())
    assert [r.patient.id for r in rows] == [world.patient_b.id, world.patient_a.id, quiet.id, calm.id]
    assert [r.rank for r in rows] == [0, 1, 3, 4]
    a = rows[1]
    assert a.drugs == ["Morphine 2.2 mg/day"] and a.sedating == ["Lorazepam 1 mg"] and a.due_on is not None
    assert a.last_checkin_on == (utcnow() - timedelta(days=0.2)).date() and rows[2].quiet_days == 4
    login(client, world.nurse1)
    html = client.get("/care/patients").get_data(as_text=True)
    assert html.index("Bruno") < html.index("Alice") < html.index("Quinn") < html.index("Cal")
    assert "No check-in for 4 days" in html and "Lorazepam 1 mg" in html and "Morphine 2.2 mg/day" in html
    assert "Emergency ×1" in html and "Urgent ×1" in html and "not started" in html


def test_overdue_refill_comes_before_a_quiet_patient(world, factory):
    from companion.pump import services as pump

    quiet = factory.patient(world.clinic1, given="Quinn", family="Aaquiet", implanted_on=utcnow().date())
    pump.save_profile(world.nurse1, world.patient_b, model="synchromed_ii_20", reservoir_ml=None, opioid_tolerant=True)
    refill(world, world.patient_b, 200, stability=30)
    entry(world.patient_b, 0.1, pain_now=3)
    rows = roster_rows(world.clinic1, utcnow())
    assert [r.patient.id for r in rows][:2] == [world.patient_b.id, quiet.id] and rows[0].overdue


def test_search_by_name_or_record_number_and_htmx_partial(client, world, factory):
    """The term is POSTed (never in the URL); same results, order and page-or-partial as the roster."""
    other = factory.patient(world.clinic1, given="Alina", family="Aaron")
    login(client, world.nurse1)
    html = client.post("/care/patients/search", data={"q": " ali "}, headers=HX).get_data(as_text=True)
    assert "Alice" in html and "Bruno" not in html and "<html" not in html
    assert html.index("Aaron") < html.index("Alice") and 'value="ali"' in html  # by name, the term kept
    html = client.post("/care/patients/search", data={"q": world.patient_b.record_number}).get_data(as_text=True)
    assert "Bruno" in html and "Alice" not in html and "<html" in html and other.given_name not in html
    html = client.post("/care/patients/search", data={"q": ""}).get_data(as_text=True)
    assert "Alice" in html and "Bruno" in html and "Alina" in html  # an empty search is the whole roster


def test_roster_view_is_audited_and_scoped(client, world):
    login(client, world.nurse2)
    html = client.get("/care/patients").get_data(as_text=True)
    assert "Alice" not in html and "Cora" in html
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "roster_viewed",
                                                      AuditEvent.user_id == world.nurse2.id)) is not None


def _statements(clinic) -> int:
    """SQL statements one roster load runs."""
    count = 0

    def counter(*_args, **_kwargs):
        nonlocal count
        count += 1

    engine = db.engine
    event.listen(engine, "before_cursor_execute", counter)
    try:
        db.session.expire_all()
        rows = roster_rows(clinic, utcnow())
        for row in rows:  # touch what the template touches
            _ = (row.patient.clinic.timezone, row.drugs, row.sedating, row.consent)
    finally:
        event.remove(engine, "before_cursor_execute", counter)
    return count


def _busy_patient(world, factory, n: int):
    from companion.pump import services as pump

    patient = factory.patient(world.clinic1, given=f"P{n}", implanted_on=utcnow().date() - timedelta(days=100))
    pump.save_profile(world.nurse1, patient, model="synchromed_ii_20", reservoir_ml=None, opioid_tolerant=True)
    refill(world, patient, 10)
    pump.add_medicine(world.nurse1, patient, name="Diazepam", medicine_class="benzodiazepine", reported_by="staff")
    entry(patient, 1, pain_now=4)
    open_case(patient, 5, URGENT, 1000 + n)
    return patient


def test_roster_query_count_does_not_grow_with_patients(world, factory):
    for n in range(5):
        _busy_patient(world, factory, n)
    five = _statements(world.clinic1)
    for n in range(5, 50):
        _busy_patient(world, factory, n)
    fifty = _statements(world.clinic1)
    assert len(roster_rows(world.clinic1, utcnow())) == 52  # plus Alice and Bruno
    assert fifty == five, (five, fifty)
    assert five <= 15, five


def test_a_large_clinic_is_paged_with_the_neediest_first(client, world, factory):
    for n in range(58):  # with Alice and Bruno: 60 patients, two pages of 50
        factory.patient(world.clinic1, given=f"Pat{n:02d}", family=f"Zz{n:02d}")
    open_case(world.patient_b, 5, EMERGENCY, 1)
    login(client, world.nurse1)
    first = client.get("/care/patients").get_data(as_text=True)
    assert first.count('<tr class="roster-rank-') == 50 and "(60)" in first
    assert first.index("Bruno") < first.index("Alice") and "Page 1 of 2" in first and "Zz57" not in first
    second = client.get("/care/patients?page=2").get_data(as_text=True)
    assert second.count('<tr class="roster-rank-') == 10 and "Zz57" in second and "Bruno" not in second
    beyond = client.get("/care/patients?page=99").get_data(as_text=True)
    assert "Page 2 of 2" in beyond  # an out-of-range page shows the last one, not an empty table


def test_a_broad_search_says_how_many_more_match(client, world, factory):
    for n in range(55):
        factory.patient(world.clinic1, given=f"Sam{n:02d}", family="Smith")
    login(client, world.nurse1)
    html = client.post("/care/patients/search", data={"q": "smith"}, headers=HX).get_data(as_text=True)
    assert html.count('<tr class="roster-rank-') == 50
    assert "Showing the first 50 of 55 matches" in html and "Page 1 of" not in html
