"""Every route states who may use it, and each boundary is tried with the wrong user."""
import pytest

from companion.web import PATIENT_SIDE, STAFF
from tests.conftest import HX, login

# Routes open to anyone (sign-in, set-up, the PWA shell, health) and those needing only a sign-in.
PUBLIC = {"accounts.login", "accounts.two_factor", "accounts.enrol", "accounts.caregiver_join", "home.index",
          "home.help_now", "pwa.manifest", "pwa.icon", "pwa.service_worker", "pwa.offline", "health.healthz", "static"}
ANY_SIGNED_IN = {"accounts.logout"}


def test_every_route_states_who_may_use_it(app):
    missing = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if rule.endpoint in PUBLIC | ANY_SIGNED_IN:
            assert rule.endpoint == "static" or getattr(view, "allowed_roles", None) == ("anyone",) or \
                rule.endpoint in ANY_SIGNED_IN, rule.endpoint
            continue
        if not getattr(view, "allowed_roles", None):
            missing.append(rule.endpoint)
    assert missing == [], f"routes without a stated audience: {missing}"


def _routes(app, world):
    """Concrete URLs for every non-public route, with the path ids of clinic 1's patient A."""
    values = {"patient_id": world.patient_a.id, "link_id": 1, "size": 192}
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC | ANY_SIGNED_IN:
            continue
        url = rule.build({k: values.get(k, 1) for k in rule.arguments}, append_unknown=False)[1]
        method = "POST" if "POST" in rule.methods else "GET"
        yield rule.endpoint, method, url, app.view_functions[rule.endpoint].allowed_roles, rule.arguments


def test_anonymous_is_sent_to_sign_in_everywhere(app, client, world):
    for endpoint, method, url, _roles, _args in _routes(app, world):
        response = client.open(url, method=method)
        if url.startswith("/api/"):  # the offline sync API answers 401 JSON so the phone keeps its queue
            assert response.status_code == 401 and response.get_json()["error"] == "signed_out", endpoint
            continue
        assert response.status_code == 302 and "/login" in response.headers["Location"], endpoint
        assert client.open(url, method=method, headers=HX).headers.get("HX-Redirect", "").startswith("/login")


@pytest.mark.parametrize("who", ["patient_b_user", "unlinked_caregiver", "nurse2", "admin2", "patient_a_user",
                                 "caregiver", "nurse1", "admin1"])
def test_wrong_roles_get_403_and_other_clinics_get_404(app, client, world, who):
    user = getattr(world, who)
    login(client, user)
    checked = 0
    for endpoint, method, url, roles, args in _routes(app, world):
        response = client.open(url, method=method)
        if user.role not in roles:
            assert response.status_code == 403, (endpoint, who, response.status_code)
            checked += 1
        elif "patient_id" in args and user.clinic_id != world.clinic1.id:
            assert response.status_code == 404, (endpoint, who, response.status_code)
            checked += 1
        assert response.status_code < 500, (endpoint, who)
        assert world.patient_b.family_name not in response.get_data(as_text=True) or user.is_staff and \
            user.clinic_id == world.clinic1.id, (endpoint, who)
    if who in ("patient_b_user", "unlinked_caregiver", "nurse2", "admin2"):
        assert checked > 0


def test_staff_of_another_clinic_cannot_see_the_patient_in_any_page(client, world):
    login(client, world.nurse2)
    page = client.get("/care/patients").get_data(as_text=True)
    assert world.patient_a.family_name not in page and world.patient_c2.family_name in page
    assert client.get(f"/care/patients/{world.patient_a.id}").status_code == 404


def test_patient_home_shows_only_their_own_name(client, world):
    login(client, world.patient_b_user)
    page = client.get("/").get_data(as_text=True)
    assert "Bruno" in page and "Alice" not in page


def test_linked_caregiver_sees_the_patient_and_unlinked_sees_nothing(app, world):
    linked, unlinked = app.test_client(), app.test_client()
    login(linked, world.caregiver)
    login(unlinked, world.unlinked_caregiver)
    assert "Helping Alice" in linked.get("/").get_data(as_text=True)
    assert unlinked.get("/").status_code == 404


def test_patient_cannot_open_care_team_pages(client, world):
    login(client, world.patient_a_user)
    assert client.get("/care").status_code == 403
    assert client.get(f"/care/patients/{world.patient_a.id}").status_code == 403


@pytest.mark.parametrize("role", sorted(set(STAFF) | set(PATIENT_SIDE)))
def test_permissions_rule_is_pure_and_consistent(role, world):
    from companion.accounts.permissions import can_view_patient

    assert can_view_patient(world.nurse1, world.patient_a)
    assert not can_view_patient(world.nurse2, world.patient_a)
    assert can_view_patient(world.patient_a_user, world.patient_a)
    assert not can_view_patient(world.patient_a_user, world.patient_b)
    assert can_view_patient(world.caregiver, world.patient_a, [world.patient_a.id])
    assert not can_view_patient(world.unlinked_caregiver, world.patient_a, [])
