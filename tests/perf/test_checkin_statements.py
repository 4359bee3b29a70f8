"""An ordinary check-in (no red flag) runs at most 8 SQL statements, from the signed cookie to the last byte of the
result, through the page form, htmx and the offline sync API (issue 18)."""
import json
import uuid
from dataclasses import fields
from datetime import timedelta

import pytest
from sqlalchemy import inspect

from companion.clock import utcnow
from companion.extensions import db
from tests.careteam.conftest import entry, record_world, refill  # noqa: F401 - record_world is a fixture
from tests.conftest import HX, login
from tests.diary.helpers import ORDINARY, form
from tests.factories import World
from tests.statements import counted

LIMIT = 8  # issue 18's target for the whole path, the roster summary row's one UPDATE included


@pytest.fixture
def pump_patient(record_world):
    """Patient A as a real pump patient (care-team record fixture: implant, two confirmed refills, one a dose
    increase, four weeks of check-ins, a wound check, a sedating medicine), the PEG answered two days ago."""
    entry(record_world.patient_a, 2, pain_now=5, peg_score=5.0)
    return record_world


def astuple_shallow(world: World) -> list:
    """The world's rows in field order (dataclasses.astuple would deep-copy them)."""
    return [getattr(world, f.name) for f in fields(world)]


def _fresh_session() -> None:
    """Start the counted request as production does: a new session with nothing loaded (tests share one)."""
    db.session.remove()


def _report(statements: list[str]) -> str:
    """The statements, numbered, for the failure message."""
    return "\n".join(f"{n}. {' '.join(s.split())[:220]}" for n, s in enumerate(statements, 1))


def _posted(client, world, **request) -> tuple[object, list[str]]:
    """Sign patient A in, then count the statements of one request made on a fresh session."""
    login(client, world.patient_a_user)
    _fresh_session()
    with counted() as statements:
        response = client.post(**request)
    return response, statements


def test_the_htmx_checkin_runs_at_most_8_statements(client, pump_patient):
    response, statements = _posted(client, pump_patient, path="/checkin", data=form(ORDINARY), headers=HX)
    assert response.status_code == 200 and 'data-outcome="none"' in response.get_data(as_text=True)
    assert len(statements) <= LIMIT, _report(statements)


def test_the_page_form_checkin_runs_at_most_8_statements(client, pump_patient):
    response, statements = _posted(client, pump_patient, path="/checkin", data=form(ORDINARY))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" in html and 'data-outcome="none"' in html
    assert len(statements) <= LIMIT, _report(statements)


def test_the_offline_sync_checkin_runs_at_most_8_statements(client, pump_patient):
    body = {"kind": "checkin", "answers": ORDINARY, "client_entry_id": str(uuid.uuid4()),
            "recorded_at": (utcnow() - timedelta(minutes=5)).isoformat()}
    response, statements = _posted(client, pump_patient, path="/api/diary/entries", data=json.dumps(body),
                                   content_type="application/json")
    assert response.status_code == 201 and response.get_json()["tier"] == "none"
    assert len(statements) <= LIMIT, _report(statements)


def test_the_checkin_runs_as_many_statements_after_more_refills(client, pump_patient):
    first, counted_first = _posted(client, pump_patient, path="/checkin", data=form(ORDINARY), headers=HX)
    world = World(*(db.session.get(type(row), inspect(row).identity) for row in astuple_shallow(pump_patient)))
    for days_ago in (15, 10, 5):  # the rules context once read each record's regimen with queries of its own
        refill(world, world.patient_a, days_ago, dose="2.2")
    again, counted_again = _posted(client, world, path="/checkin", data=form(ORDINARY), headers=HX)
    assert first.status_code == again.status_code == 200
    assert len(counted_again) == len(counted_first), _report(counted_again)
