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


# For each role: who in the world fixture holds it, and which patients (a, b, c2) that person may see.
# Hand-written from the access rules in the README, not derived from the code under test.
SEES = {
    "nurse": ("nurse1", {"a": True, "b": True, "c2": False}),
    "physician": ("physician1", {"a": True, "b": True, "c2": False}),
    "admin": ("admin1", {"a": True, "b": True, "c2": False}),
    "patient": ("patient_a_user", {"a": True, "b": False, "c2": False}),
    "caregiver": ("caregiver", {"a": True, "b": False, "c2": False}),
}


def test_every_role_has_an_access_row():
    assert set(SEES) == set(STAFF) | set(PATIENT_SIDE)


@pytest.mark.parametrize("role", sorted(set(STAFF) | set(PATIENT_SIDE)))
def test_permissions_rule_is_pure_and_consistent(role, world):
    from companion.accounts.permissions import can_view_patient

    user = getattr(world, SEES[role][0])
    assert user.role == role
    linked = [world.patient_a.id] if role == "caregiver" else []
    patients = {"a": world.patient_a, "b": world.patient_b, "c2": world.patient_c2}
    seen = {key: can_view_patient(user, patient, linked) for key, patient in patients.items()}
    assert seen == SEES[role][1]
    user.active = False  # a deactivated account of any role sees nobody
    assert not any(can_view_patient(user, patient, linked) for patient in patients.values())
    user.active = True
    if role == "caregiver":
        assert not can_view_patient(world.unlinked_caregiver, world.patient_a, [])
