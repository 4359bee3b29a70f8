"""The route matrix, generated from app.url_map: concrete URLs with patient A's ids, and the status each
person should get according to tests/security/expectations.py."""
from dataclasses import dataclass

from tests.security.expectations import GET_REDIRECTS, NO_PATIENT_404, POST_FORBIDDEN, TABLE

WHO = ["anonymous", "patient_a_user", "patient_b_user", "unlinked_caregiver", "caregiver", "nurse1", "physician1",
       "admin1", "nurse2", "admin2"]
SEES_A = {"patient_a_user", "caregiver", "nurse1", "physician1", "admin1"}  # may see patient A's data
CLINIC1_STAFF = {"nurse1", "physician1", "admin1"}
HAS_PATIENT = {"patient_a_user", "patient_b_user", "caregiver"}  # a patient record of their own, or a link


@dataclass(frozen=True)
class Route:
    """One URL of the app, built with patient A's ids."""

    endpoint: str
    rule: str
    method: str
    url: str
    arguments: frozenset


def path_values(world, records, endpoint: str) -> dict:
    """The value for each URL argument: patient A's ids, by the argument's name (record_id by package)."""
    values = {"patient_id": world.patient_a.id, "link_id": records.link_id, "case_id": records.case_id,
              "item_id": records.item_id, "medicine_id": records.medicine_id, "notice_id": records.notice_id,
              "notification_id": records.notification_id, "photo_id": records.photo_id,
              "module_id": records.module_id, "question_id": records.question_id, "size": 192,
              "filename": "css/app.css", "user_id": world.nurse1.id, "shift_id": records.shift_id,
              "appointment_id": records.appointment_id, "account_id": world.unlinked_caregiver.id}
    values["record_id"] = records.refill_record_id if endpoint.startswith("pump.") else records.consent_record_id
    return values


def routes(app, world, records) -> list[Route]:
    """Every (rule, method) of the URL map, GETs first and sign-out last; fails on a rule it cannot fill."""
    found, unknown = [], []
    for rule in app.url_map.iter_rules():
        values = path_values(world, records, rule.endpoint)
        missing = set(rule.arguments) - set(values)
        if missing:
            unknown.append(f"{rule.rule} needs a value for {sorted(missing)} in tests/security/matrix.py")
            continue
        url = rule.build({k: values[k] for k in rule.arguments}, append_unknown=False)[1]
        for method in sorted(rule.methods & {"GET", "POST"}):
            found.append(Route(rule.endpoint, rule.rule, method, url, frozenset(rule.arguments)))
    assert not unknown, "\n".join(unknown)
    return sorted(found, key=lambda r: (r.endpoint == "accounts.logout", r.method != "GET", r.rule))


def untabled(app) -> list[str]:
    """Endpoints nobody has decided on yet."""
    return sorted({rule.endpoint for rule in app.url_map.iter_rules()} - set(TABLE))


def role_of(world, who: str) -> str:
    """The role of a matrix person ('anonymous' for nobody signed in)."""
    return "anonymous" if who == "anonymous" else getattr(world, who).role


def expected(route: Route, who: str, role: str) -> tuple[str, set[int] | None]:
    """('exact', statuses) the response must be one of, or ('allowed', None): anything but 401/403/404/5xx."""
    roles, scope = TABLE[route.endpoint]
    redirects = GET_REDIRECTS.get(route.endpoint, set())
    if scope == "anyone":
        if route.endpoint in NO_PATIENT_404 and role in ("patient", "caregiver") and who not in HAS_PATIENT:
            return "exact", {404}
        if route.method == "GET":
            return "exact", {302} if role in redirects or "*" in redirects else {200}
        return "allowed", None
    if who == "anonymous":
        return "exact", {401} if route.url.startswith("/api/") else {302}
    if scope == "signed_in":
        return "exact", {302}
    if role not in roles:
        return "exact", {403}
    if scope == "patient" and who not in HAS_PATIENT or scope == "a_data" and who not in SEES_A \
            or scope == "a_owner" and who != "patient_a_user" \
            or scope == "clinic1" and who not in CLINIC1_STAFF:
        return "exact", {404}
    if route.method == "POST" and role in POST_FORBIDDEN.get(route.endpoint, ()):
        return "exact", {403}
    if route.method == "GET":
        return "exact", {302} if role in redirects or "*" in redirects else {200}
    return "allowed", None
