"""Every route states who may use it, and each boundary is tried with the wrong user."""
import pytest

from companion.web import PATIENT_SIDE, STAFF
from tests.conftest import login

# Routes open to anyone (sign-in, set-up, the PWA shell, health) and those needing only a sign-in.
PUBLIC = {"accounts.login", "accounts.two_factor", "accounts.enrol", "accounts.caregiver_join", "home.index",
          "home.help_now", "pwa.manifest", "pwa.icon", "pwa.service_worker", "pwa.offline", "health.healthz", "static",
          "settings.staff_join"}
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


# The anonymous redirect, wrong-role 403, other-clinic 404 and no-other-patient's-name checks over every
# route now live in the generated route matrix: tests/security/test_route_matrix.py.


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
