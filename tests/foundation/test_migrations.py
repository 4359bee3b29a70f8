"""Alembic: upgrade from empty, downgrade to nothing and upgrade again; the models match head."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _flask(url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url, "FLASK_APP": "companion", "COMPANION_SCHEDULER": "off"}
    return subprocess.run([sys.executable, "-m", "flask", "db", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def _cycle(url: str) -> None:
    for args in (("upgrade",), ("check",), ("downgrade", "base"), ("upgrade",)):
        result = _flask(url, *args)
        assert result.returncode == 0, (args, result.stdout, result.stderr)


def test_upgrade_downgrade_upgrade_on_sqlite(tmp_path):
    _cycle(f"sqlite:///{tmp_path / 'migrate.sqlite3'}")


@pytest.mark.postgres
def test_upgrade_downgrade_upgrade_on_postgres():
    url = os.environ.get("TEST_MIGRATE_DATABASE_URL")
    assert url, "the PostgreSQL run sets TEST_MIGRATE_DATABASE_URL to an empty database"
    _cycle(url)
