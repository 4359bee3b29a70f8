"""One pass of GET requests over every route as several people, kept as plain data for the ASVS checks:
status, headers, body, the tables whose row counts changed, and the audit events each request wrote."""
from dataclasses import dataclass, field

from sqlalchemy import func, select

from companion import clock
from companion.extensions import db
from tests.conftest import FIXED_NOW, login, make_app
from tests.security.matrix import Route, routes
from tests.security.records import Records, seed_patient_a

PEOPLE = ("anonymous", "patient_a_user", "caregiver", "patient_b_user", "unlinked_caregiver", "nurse1",
          "physician1", "admin1", "nurse2")
EXTRA = ("/no-such-page", "/care/patients/999999", "/cases/999999")  # error pages are responses too


@dataclass
class Hit:
    """One GET and what it did."""

    who: str
    role: str
    route: Route | None
    url: str
    status: int
    headers: dict
    body: str
    changed_tables: dict
    audits: list = field(default_factory=list)  # (action, patient_id, user_id, outcome)


@dataclass
class Sweep:
    """Every hit, plus the facts about the people and patient A the checks need."""

    hits: list[Hit]
    routes: list[Route]
    patient_a_id: int
    user_ids: dict
    secrets: dict  # patient key -> names, record number, emails


def _counts() -> dict:
    """Rows per table, except the append-only audit log (reads are meant to write to it)."""
    return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables
            if t.name != "audit_event"}


def _audits_after(last_id: int) -> tuple[list, int]:
    """Audit events written since `last_id`."""
    from companion.audit.models import AuditEvent

    rows = db.session.execute(select(AuditEvent.id, AuditEvent.action, AuditEvent.patient_id, AuditEvent.user_id,
                                     AuditEvent.outcome).where(AuditEvent.id > last_id)).all()
    return [tuple(r[1:]) for r in rows], max([last_id] + [r[0] for r in rows])


def run(tmp_path) -> Sweep:
    """Build an app with the two-clinic world and patient A's records, and GET everything as everyone."""
    from tests.factories import Factory

    clock.freeze(FIXED_NOW)
    app = make_app(tmp_path)
    ctx = app.app_context()
    ctx.push()
    try:
        world = Factory().world()
        records: Records = seed_patient_a(app, world)
        all_routes = routes(app, world, records)
        gets = [r for r in all_routes if r.method == "GET"]
        _, last = _audits_after(0)
        hits = []
        for who in PEOPLE:
            client = app.test_client()
            role = "anonymous"
            if who != "anonymous":
                user = getattr(world, who)
                role = user.role
                login(client, user)
                _, last = _audits_after(last)
            for route, url in [*((r, r.url) for r in gets), *((None, u) for u in EXTRA)]:
                before = _counts()
                response = client.get(url)
                after = _counts()
                audits, last = _audits_after(last)
                text = response.get_data(as_text=True) if response.mimetype.startswith(
                    ("text/", "application/json", "application/manifest")) else ""
                hits.append(Hit(who, role, route, url, response.status_code, dict(response.headers), text,
                                {k: (before[k], after[k]) for k in before if before[k] != after[k]}, audits))
        secrets = {key: [p.given_name, p.family_name, p.record_number] + ([p.user.email] if p.user else [])
                   for key, p in (("a", world.patient_a), ("b", world.patient_b), ("c", world.patient_c2))}
        user_ids = {who: getattr(world, who).id for who in PEOPLE if who != "anonymous"}
        return Sweep(hits, all_routes, world.patient_a.id, user_ids, secrets)
    finally:
        db.session.remove()
        ctx.pop()
        clock.freeze(None)
