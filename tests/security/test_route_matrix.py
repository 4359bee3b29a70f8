"""The route matrix: every route of the URL map x every kind of person, with patient A's real ids.

ASVS 5.0 V8.2.1 (function-level access) and V8.2.2 (data-specific access: IDOR/BOLA). The expected status
comes from the explicit table in expectations.py; no response may carry another patient's name or record
number.
"""
import re

import pytest

from tests.conftest import HX, login
from tests.security.expectations import TABLE
from tests.security.matrix import WHO, expected, role_of, routes, untabled
from tests.security.records import seed_patient_a


@pytest.fixture
def records(app, world):
    """Patient A's diary entries, photo, case, review item, consent record, refills, visit and more."""
    return seed_patient_a(app, world)


def test_every_route_has_a_row_in_the_expectation_table(app):
    missing = untabled(app)
    assert missing == [], (
        f"routes with no row in tests/security/expectations.py: {missing}. Decide who may use each "
        "(roles and scope) and add it, so the route matrix can try it with every kind of person.")


def test_the_table_matches_each_views_own_roles(app):
    differ = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint not in TABLE or rule.endpoint == "static":
            continue
        roles, scope = TABLE[rule.endpoint]
        stated = getattr(app.view_functions[rule.endpoint], "allowed_roles", None)
        if scope == "signed_in":
            assert stated is None, rule.endpoint  # login_required only
        elif tuple(sorted(stated or ())) != tuple(sorted(roles)):
            differ.append(f"{rule.endpoint}: view says {stated}, table says {roles}")
    assert differ == []


def _forbidden_names(world, who: str) -> list[str]:
    """Names and record numbers of every patient this person must never see."""
    sees = {"patient_a_user": {"a"}, "caregiver": {"a"}, "patient_b_user": {"b"}, "nurse1": {"a", "b"},
            "physician1": {"a", "b"}, "admin1": {"a", "b"}, "nurse2": {"c"}, "admin2": {"c"}}.get(who, set())
    patients = {"a": world.patient_a, "b": world.patient_b, "c": world.patient_c2}
    return [value for key, p in patients.items() if key not in sees
            for value in (p.given_name, p.family_name, p.record_number)]


@pytest.mark.parametrize("who", WHO)
def test_route_matrix(app, client, world, records, who):
    role = role_of(world, who)
    if who != "anonymous":
        login(client, getattr(world, who))
    forbidden = [re.compile(rf"\b{re.escape(name)}\b") for name in _forbidden_names(world, who)]
    wrong, leaks, tried = [], [], 0
    for route in routes(app, world, records):
        response = client.open(route.url, method=route.method)
        tried += 1
        kind, statuses = expected(route, who, role)
        status = response.status_code
        if status >= 500 or kind == "exact" and status not in statuses or \
                kind == "allowed" and status in (401, 403, 404):
            wrong.append(f"{route.method} {route.rule} ({route.endpoint}): {status}, expected "
                         f"{sorted(statuses) if statuses else 'allowed'}")
        if who == "anonymous" and status == 302 and TABLE[route.endpoint][1] != "anyone":
            assert "/login" in response.headers["Location"], route.url
            hx = client.open(route.url, method=route.method, headers=HX)
            assert hx.headers.get("HX-Redirect", "").startswith("/login"), route.url
        if who == "anonymous" and status == 401:
            assert response.get_json()["error"] == "signed_out", route.url
        body = response.get_data(as_text=True) if response.mimetype.startswith(("text/", "application/j")) else ""
        leaks += [f"{route.method} {route.rule}: {p.pattern}" for p in forbidden if p.search(body)]
    assert wrong == [], f"{who}: " + "\n".join(wrong)
    assert leaks == [], f"{who} saw another patient's name or record number: {leaks}"
    assert tried >= len(TABLE)
