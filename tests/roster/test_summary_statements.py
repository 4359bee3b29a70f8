"""The roster page reads one summary statement whatever the clinic's size; a check-in adds exactly one UPDATE."""
import importlib.util
import uuid
from datetime import timedelta
from pathlib import Path

from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import inspect, select

from companion.careteam.queries import roster_page
from companion.clock import utcnow
from companion.diary import services as diary
from companion.extensions import db
from companion.roster import services
from companion.roster.models import PatientSummary
from tests.careteam.conftest import URGENT, open_case
from tests.roster.test_summary_consistency import CHECKIN, _refill, recomputed, stored
from tests.statements import counted

MIGRATION = Path(__file__).resolve().parents[2] / "migrations/versions/2026_12_07_s18b_patient_summary.py"


def _load(clinic) -> list[str]:
    db.session.expire_all()
    with counted() as seen:
        page = roster_page(clinic, utcnow())
        for row in page.rows:  # what the template touches
            _ = (row.patient.clinic.timezone, row.drugs, row.sedating, row.consent)
    return seen


def test_the_ranking_is_one_summary_statement_and_never_scans_history(world, factory):
    small = _load(world.clinic1)
    for n in range(120):
        factory.patient(world.clinic1, given=f"Many{n:03d}", implanted_on=utcnow().date())
    large = _load(world.clinic1)
    assert len(large) == len(small), (small, large)
    assert sum("patient_summary" in s for s in large) == 1  # rank, order, page and total in one statement
    assert not any("diary_entry" in s or "escalation_case" in s for s in large)


def test_a_checkin_adds_exactly_one_update_of_the_summary(world):
    with counted() as seen:
        done = diary.record_entry(world.patient_a, "checkin", CHECKIN, reporter_user=world.patient_a_user,
                                  client_entry_id=str(uuid.uuid4()), recorded_at=utcnow() - timedelta(hours=1))
    assert done.ok, done.errors
    touching = [s for s in seen if "patient_summary" in s]
    assert len(touching) == 1 and touching[0].lstrip().upper().startswith("UPDATE"), touching
    assert db.session.get(PatientSummary, world.patient_a.id).last_checkin_at == utcnow() - timedelta(hours=1)


def _migration():
    spec = importlib.util.spec_from_file_location("s18b_migration", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(step) -> None:
    """Run the migration's upgrade or downgrade on the test database, as Alembic would (batch mode)."""
    with db.engine.begin() as connection:
        with Operations.context(MigrationContext.configure(connection, opts={"render_as_batch": True})):
            step()


def test_the_migration_backfills_from_existing_data_and_downgrades(world):
    _refill(world, world.patient_a, 200)  # overdue
    open_case(world.patient_b, 5, URGENT, 77)
    diary.record_entry(world.patient_a, "checkin", CHECKIN, reporter_user=world.patient_a_user,
                       client_entry_id=str(uuid.uuid4()), recorded_at=utcnow() - timedelta(days=2))
    db.session.commit()
    expected, a_id, b_id = recomputed(), world.patient_a.id, world.patient_b.id
    db.session.remove()
    migration = _migration()
    _run(migration.downgrade)
    assert "patient_summary" not in inspect(db.engine).get_table_names()
    _run(migration.upgrade)
    assert stored() == expected and len(expected) == 3
    row = db.session.get(PatientSummary, b_id)
    assert row.urgent_open == 1 and db.session.get(PatientSummary, a_id).refill_due_on is not None
    assert services.rebuild() == 3 and stored() == expected
    assert db.session.scalar(select(PatientSummary.last_checkin_at).where(
        PatientSummary.patient_id == a_id)) == utcnow() - timedelta(days=2)
