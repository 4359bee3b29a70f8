"""One pass of GET requests over every route as several people, kept as plain data for the ASVS checks:
status, headers, body, the tables whose rows changed (added, updated or deleted), and the audit events
each request wrote."""
import hashlib
from dataclasses import dataclass, field

from sqlalchemy import select

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


# Tables a GET may legitimately write, left out of the "nothing changed" snapshot:
# - audit_event: every staff view of patient data and every refusal is recorded there, by design (append-only).
# - scheduler_heartbeat: the background scheduler stamps its row on its own timer, whatever the request.
# Sessions live in the signed cookie (no server table), and login_attempt (throttling) is written only by
# sign-in POSTs, so both stay in: a GET that touched them would be a bug.
WRITTEN_BY_READS = {"audit_event", "scheduler_heartbeat"}


def _counts() -> dict:
    """Per table: (row count, digest of every row), so a GET that updates a row shows up as well as one that adds."""
    snapshot = {}
    for table in db.metadata.sorted_tables:
        if table.name in WRITTEN_BY_READS:
            continue
        rows = db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
        digest = hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest()[:12]
        snapshot[table.name] = (len(rows), digest)
    return snapshot


def _audits_after(last_id: int) -> tuple[list, int]:
    """Audit events written since `last_id`."""
    from companion.audit.models import AuditEvent

    rows = db.session.execute(select(AuditEvent.id, AuditEvent.action, AuditEvent.patient_id, AuditEvent.user_id,
                                     AuditEvent.outcome).where(AuditEvent.id > last_id)).all()
    return [tuple(r[1:]) for r in rows], max([last_id] + [r[0] for r in rows])


def _unread_case_news(world, records: Records) -> None:
    """An unread in-app note about A's case, so a case page that marked it read on GET would show up."""
    from companion.notify import services as notify

    notify.enqueue(user_id=world.patient_a_user.id, kind="case_seen", channels=("in_app",),
                   patient_id=world.patient_a.id, dedupe_key=f"case:{records.case_id}:patient:seen")
    db.session.commit()


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
        _unread_case_news(world, records)
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
