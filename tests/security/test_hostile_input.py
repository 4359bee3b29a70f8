"""Property-based tests: random and hostile values posted to every form the app shows (found by reading
its pages), to the offline sync API and to the push subscription API. Never a 500; always either a
success or a clear message (422 with the error beside the field); stored text is always shown escaped.
"""
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from tests.conftest import HX, login
from tests.security.forms import IMG, RAW_MARKERS, WRAPPED, XSS, Form, forms_in, value_strategy
from tests.security.matrix import expected, role_of, routes
from tests.security.records import entry_form, seed_patient_a

EXAMPLES = 25
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=False,
                suppress_health_check=list(HealthCheck))
OK = {200, 201, 204, 302, 303}
ERROR_MARKERS = ('class="error', "error-summary", 'aria-invalid="true"', "flash-error", '"errors"')
SKIP_ACTIONS = {"/logout"}


@pytest.fixture
def records(app, world):
    """Patient A's diary, photo, case, consent, refills and more (so every form is on its page)."""
    return seed_patient_a(app, world)


def _signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def discover(app, client, world, records, who: str) -> tuple[list[Form], list[str]]:
    """Every distinct form on every page this person may open, and those pages."""
    role = role_of(world, who)
    found, pages = {}, []
    for route in routes(app, world, records):
        if route.method != "GET" or expected(route, who, role) != ("exact", {200}):
            continue
        response = client.get(route.url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        pages.append(route.url)
        for form in forms_in(route.url, response.get_data(as_text=True)):
            if form.action.split("?")[0] not in SKIP_ACTIONS and form.fields:
                found.setdefault(form.key, form)
    return list(found.values()), pages


def _payload(form: Form, values: dict) -> MultiDict:
    data = MultiDict()
    for name, value in values.items():
        for one in value if isinstance(value, list) else [value]:
            data.add(name, one)
    return data


def check_response(response, where: str, one_shot: bool = False) -> None:
    """Never a 500; a success, or a 422 that says what is wrong; nothing hostile echoed raw.

    A one-shot action (a button on one object: stop this medicine) may find it already done: 404 or 409 with
    the error page is then the right answer."""
    textual = response.mimetype.startswith("text/") or response.mimetype.endswith("json")
    body = response.get_data(as_text=True) if textual else ""  # a download (the clinic's FHIR zip) is data
    assert response.status_code < 500, f"{where}: {response.status_code}"
    assert response.status_code in OK or one_shot and response.status_code in (404, 409) and 'role="alert"' in body or response.status_code == 422 and any(m in body for m in ERROR_MARKERS), \
        f"{where}: {response.status_code} without a clear message: {body[:300]}"
    raw = [m for m in RAW_MARKERS if m in body]
    assert raw == [], f"{where}: hostile markup shown unescaped: {raw}"


def fuzz_form(client, form: Form) -> None:
    """Post hostile values to one form EXAMPLES times."""
    strategies = {}
    for name, f in form.fields.items():
        if f.kind == "file":
            continue
        strategies[name] = st.uuids().map(str) if name == "client_entry_id" else value_strategy(f)

    @FUZZ
    @given(values=st.fixed_dictionaries(strategies), hx=st.booleans())
    def run(values, hx):
        data = _payload(form, values)
        hx = hx and form.htmx  # a plain form is never sent by htmx
        if form.method == "get":
            response = client.get(form.action, query_string=data, headers=HX if hx else {})
        else:
            response = client.post(form.action, data=data, headers=HX if hx else {})
        check_response(response, f"{form.method.upper()} {form.action} from {form.page}", one_shot)

    one_shot = all(f.kind in ("hidden", "button") for f in form.fields.values())

    run()


def fuzz_everyone(app, world, records, people) -> list[str]:
    """Find every form the people see (before anything changes), then fuzz each distinct form once."""
    found, clients, pages = {}, {}, {}
    for who in people:
        client = clients[who] = app.test_client()
        if who != "anonymous":
            login(client, getattr(world, who))
        forms, pages[who] = discover(app, client, world, records, who)
        assert forms, f"{who} should see forms"
        for form in forms:
            found.setdefault(form.key, (who, form))
    for who, form in found.values():
        fuzz_form(clients[who], form)
        if who != "anonymous" and not _signed_in(clients[who]):  # a form ended the session: it should not
            pytest.fail(f"{form.action} signed {who} out")
    for who in people:  # whatever was stored is shown escaped everywhere this person looks (HTML pages)
        for page in pages[who]:
            body = clients[who].get(page).get_data(as_text=True)
            assert not [m for m in RAW_MARKERS if m in body], f"{who} {page}"
    return sorted({form.action.split("?")[0] for _who, form in found.values()})


def test_hostile_values_in_every_patient_and_public_form(app, world, records):
    actions = fuzz_everyone(app, world, records, ["anonymous", "patient_a_user", "caregiver"])
    for must in ("/login", "/enrol", "/caregiver/join", "/checkin", "/wound", "/checkin/breathing", "/pump/medicines",
                 "/pump/procedures", "/account/password", "/diary/settings", "/account/caregivers/accept"):
        assert must in actions, (must, actions)
    print(f"patient side and public: {len(actions)} form actions x {EXAMPLES} examples")


def test_hostile_values_in_every_staff_form(app, world, records):
    actions = fuzz_everyone(app, world, records, ["nurse1", "physician1", "admin1"])
    a = world.patient_a.id
    for must in ("/care/patients/new", f"/care/patients/{a}/consent/sign", f"/care/patients/{a}/consent/questions",
                 f"/care/patients/{a}/pump/refills", f"/care/patients/{a}/pump/profile",
                 f"/care/patients/{a}/pump/appointment", f"/care/cases/{records.case_id}/resolve",
                 "/care/pump-settings", "/account/two-factor"):
        assert must in actions, (must, actions)
    print(f"staff: {len(actions)} form actions x {EXAMPLES} examples")


@FUZZ
@given(answers=st.dictionaries(st.sampled_from(["pain_now", "anything_new", "temperature", "temperature.unit",
                                                "breaths_per_min", "constipation_days", "note", "sleepiness",
                                                "withdrawal_signs", "peg.pain_avg", "nope", ""]),
                               WRAPPED | st.integers() | st.floats() | st.lists(WRAPPED, max_size=3)
                               | st.none() | st.booleans() | st.dictionaries(st.text(max_size=5), st.text(max_size=5),
                                                                             max_size=2), max_size=8),
       kind=st.sampled_from(["checkin", "wound", "post_refill", "nope", None, 7]),
       recorded_at=st.none() | WRAPPED | st.integers(), patient_id=st.none() | st.integers() | WRAPPED)
def _api_examples(client, answers, kind, recorded_at, patient_id):
    body = {"kind": kind, "answers": answers, "recorded_at": recorded_at, "patient_id": patient_id,
            "client_entry_id": str(uuid.uuid4())}
    response = client.post("/api/diary/entries", json=body)
    assert response.status_code in (200, 201, 400, 404, 409, 422), response.status_code
    if response.status_code == 422:
        assert response.get_json()["errors"]


def test_hostile_json_to_the_offline_sync_api(client, world):
    login(client, world.caregiver)
    _api_examples(client)
    assert client.post("/api/diary/entries", data="not json", content_type="application/json").status_code == 400
    assert client.post("/api/diary/entries", json=[1, 2]).status_code == 400


@FUZZ
@given(body=st.none() | st.lists(st.integers(), max_size=2) | st.fixed_dictionaries(
    {"endpoint": WRAPPED | st.just("https://push.example/abc") | st.integers(),
     "keys": st.none() | st.fixed_dictionaries({"p256dh": WRAPPED | st.integers(), "auth": WRAPPED})}))
def _subscription_examples(client, body):
    response = client.post("/notifications/subscriptions", json=body)
    assert response.status_code in (204, 422), response.status_code


def test_hostile_json_to_the_push_subscription_api(client, world):
    login(client, world.patient_a_user)
    _subscription_examples(client)


def test_stored_text_is_shown_escaped_on_every_page_that_shows_it(app, world, records):
    """Markup typed by a patient, a caregiver and a nurse is stored and shown as text on every page."""
    from companion.escalation.models import Case
    from companion.extensions import db

    patient, caregiver, nurse = app.test_client(), app.test_client(), app.test_client()
    login(patient, world.patient_a_user)
    login(caregiver, world.caregiver)
    login(nurse, world.nurse1)
    red = {"anything_new": "yes", "breathing_trouble": "yes", "note": f"Note {XSS} {IMG}",
           "peg.pain_avg": "4", "peg.enjoyment": "3", "peg.activity": "3", "pain_now": "5"}
    assert patient.post("/checkin", data=entry_form(red)).status_code == 200
    assert caregiver.post("/pump/medicines", data={"name": f"Pill {XSS}", "medicine_class": "other"},
                          headers=HX).status_code == 200
    assert patient.post("/pump/procedures", data={"kind": "mri", "planned_on": "2026-12-02", "planned_time": "",
                                                  "details": f"Scan {IMG}"}, headers=HX).status_code == 200
    case = db.session.get(Case, records.case_id)  # the case every route of the matrix opens
    nurse.post(f"/care/cases/{case.id}/acknowledge")
    assert nurse.post(f"/care/cases/{case.id}/resolve", data={"resolution": "advice_by_phone",
                                                              "note": f"Internal {IMG}",
                                                              "message": f"Advice {XSS}"}).status_code in (200, 302)
    nurse.post(f"/care/patients/{world.patient_a.id}/consent/questions",
               data={"question": f"Q {XSS}", "answer": f"A {IMG}"})
    escaped_seen = {}
    for who, client in (("patient", patient), ("caregiver", caregiver), ("nurse", nurse)):
        role = client is nurse and "nurse1" or (client is patient and "patient_a_user" or "caregiver")
        for route in routes(app, world, records):
            if route.method != "GET" or expected(route, role, getattr(world, role).role) != ("exact", {200}):
                continue
            response = client.get(route.url)
            if response.mimetype != "text/html":
                continue  # CSV, JSON, PDF and calendar files are data, not markup (see the CSV test)
            body = response.get_data(as_text=True)
            assert not [m for m in RAW_MARKERS if m in body], f"{who} {route.url} shows markup unescaped"
            if "&lt;script&gt;" in body or "&lt;img src=x" in body or "&#34;&gt;&lt;img" in body:
                escaped_seen[f"{who} {route.endpoint}"] = True
    for page in ("patient diary.history", "caregiver pump.card", "patient pump.card", "nurse careteam.patient",
                 "nurse escalation.staff_case", "nurse pump.record", "nurse diary.staff_diary",
                 "nurse consent.session", "patient escalation.patient_case"):
        assert page in escaped_seen, f"{page} should show the stored text (escaped); saw {sorted(escaped_seen)}"


def test_hostile_text_on_the_queue_is_escaped(app, world):
    """A patient whose name holds markup (typed by a nurse) shows as text on the queue, roster and record."""
    nurse = app.test_client()
    login(nurse, world.nurse1)
    response = nurse.post("/care/patients/new", data={"given_name": XSS, "family_name": IMG,
                                                      "record_number": "MRN-X1", "therapy_stage": "maintenance"})
    assert response.status_code in (302, 303), response.status_code
    from companion.accounts.models import Patient
    from companion.escalation import services as escalation
    from companion.extensions import db
    from sqlalchemy import select

    patient = db.session.scalar(select(Patient).where(Patient.record_number == "MRN-X1"))
    escalation.assess(patient, observations={"breaths_per_min": 7}, context={}, source_type="test", source_id=1,
                      reported_by_user=None)
    db.session.commit()
    for path in ("/care", "/care/queue", "/care/patients", f"/care/patients/{patient.id}", "/care/refills"):
        body = nurse.get(path).get_data(as_text=True)
        assert not [m for m in RAW_MARKERS if m in body], path
    queue = nurse.get("/care").get_data(as_text=True)
    assert "&lt;script&gt;" in queue or "&#34;&gt;&lt;img" in queue


def test_nul_characters_never_reach_the_database(app, client, world):
    """PostgreSQL refuses NUL in text (a 500 there); the request drops them from forms, queries and JSON."""
    from sqlalchemy import select

    from companion.extensions import db
    from companion.pump.models import PatientMedicine

    login(client, world.patient_a_user)
    assert client.post("/pump/medicines", data={"name": "Pill\x00x", "medicine_class": "other"},
                       headers=HX).status_code == 200
    assert db.session.scalar(select(PatientMedicine.name)) == "Pillx"
    assert client.post("/checkin", data=entry_form({"pain_now": "3", "anything_new": "yes", "note": "a\x00b",
                                                    "peg.pain_avg": "4", "peg.enjoyment": "3",
                                                    "peg.activity": "3"})).status_code == 200
    assert client.post("/api/diary/entries", json={"kind": "checkin", "client_entry_id": str(uuid.uuid4()),
                                                   "answers": {"pain_now": "3", "anything_new": "no",
                                                               "note": "x\u0000y"}}).status_code in (201, 422)
    assert login(app.test_client(), "a\x00@b.c", "x\x00").status_code == 422
    nurse = app.test_client()
    login(nurse, world.nurse1)
    found = nurse.post("/care/patients/search", data={"q": "Al\x00ice"})
    assert found.status_code == 200 and "Alice" in found.get_data(as_text=True)
