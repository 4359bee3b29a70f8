"""The factory, configuration, health report, demo data and scheduler heartbeat."""
import pytest
from sqlalchemy import func, select

from companion import config, create_app
from companion.accounts.models import Patient, User
from companion.extensions import db
from companion.scheduler import JOBS, build_scheduler, heartbeat


def test_factory_applies_overrides(app):
    assert app.config["TESTING"] is True
    assert {"accounts", "audit", "careteam", "health", "home", "pwa"} <= set(app.blueprints)


def test_production_refuses_to_start_without_secrets(monkeypatch):
    monkeypatch.setenv("COMPANION_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql://x@localhost/x")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        config.load()
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.delenv("DATABASE_URL")
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        config.load()


def test_postgres_url_uses_psycopg3(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://app:app@127.0.0.1/app")
    assert config.database_url().startswith("postgresql+psycopg://")


def test_healthz_reports_database_migrations_and_scheduler(app, client):
    app.config["HEALTH_TOKEN"] = "monitor-token"
    auth = {"Authorization": "Bearer monitor-token"}
    body = client.get("/healthz", headers=auth).get_json()
    assert body["database"]["ok"] is True
    assert body["scheduler"]["running"] is False  # no heartbeat yet
    assert body["migrations"]["at_head"] is False  # create_all, not migrated
    heartbeat()
    assert client.get("/healthz", headers=auth).get_json()["scheduler"]["running"] is True


def test_scheduler_has_fixed_ids_and_one_instance_per_job(app):
    scheduler = build_scheduler(app)
    jobs = scheduler.get_jobs()
    assert sorted(j.id for j in jobs) == sorted(j.id for j in JOBS)
    assert all(j.max_instances == 1 and j.coalesce for j in jobs)


def test_web_workers_never_start_a_scheduler(tmp_path, monkeypatch):
    monkeypatch.setenv("COMPANION_SCHEDULER", "off")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    assert "scheduler" not in app.extensions


def test_demo_seed_is_idempotent_and_links_the_caregiver(app):
    from companion.demo import seed

    app.config["DEMO_MODE"] = True
    logins = seed()
    seed()
    emails = {e for e, _ in logins}
    assert {"nurse@demo.test", "doctor@demo.test", "admin@demo.test", "patient@demo.test", "newpatient@demo.test",
            "postop@demo.test", "caregiver@demo.test", "paciente@demo.test"} == emails
    assert db.session.scalar(select(func.count()).select_from(User)) == 8
    assert db.session.scalar(select(func.count()).select_from(Patient)) == 4
    spanish = db.session.scalar(select(User).where(User.email == "paciente@demo.test"))
    assert spanish.language == "es" and db.session.scalar(
        select(Patient.needs_interpreter).where(Patient.user_id == spanish.id)) is True


def test_demo_staff_skip_two_factor_only_in_demo_mode(app, client):
    from companion.demo import PASSWORD, seed

    app.config["DEMO_MODE"] = True
    seed()
    assert client.post("/login", data={"email": "admin@demo.test", "password": PASSWORD}).headers["Location"] == "/"
    assert client.get("/admin/audit").status_code == 200
    client.post("/logout")
    app.config["DEMO_MODE"] = False
    client.post("/login", data={"email": "admin@demo.test", "password": PASSWORD})
    assert client.get("/admin/audit").headers["Location"].endswith("/account/two-factor")


def test_utc_datetime_column_refuses_naive_values(app, world):
    from datetime import datetime

    world.nurse1.last_login_at = datetime(2026, 1, 1, 12, 0)
    with pytest.raises(Exception, match="naive"):
        db.session.commit()
    db.session.rollback()


def test_foreign_keys_are_enforced(app, world):
    from sqlalchemy.exc import IntegrityError

    db.session.add(Patient(clinic_id=9999, given_name="x", family_name="y", record_number="z"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
