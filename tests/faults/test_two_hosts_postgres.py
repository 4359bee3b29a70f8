"""Two real gunicorn web hosts on one PostgreSQL database, no sticky sessions: a wound photo uploaded through one
is served byte-identical by the other, and a check-in posted on one is in the other's diary."""
import os
from pathlib import Path

import pytest
from sqlalchemy import func, select

from companion.diary.models import DiaryEntry, WoundPhoto
from companion.extensions import db
from companion.storage import StoredFile
from tests.conftest import PASSWORD, PG_URL
from tests.perf.two_hosts import cross_host_check, web_hosts

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[2]


def test_a_photo_and_a_check_in_written_on_host_a_are_served_by_host_b(app, world, tmp_path):
    env = {**os.environ, "DATABASE_URL": PG_URL, "SECRET_KEY": "two-hosts-secret", "COMPANION_DEMO": "0",
           "COMPANION_SCHEDULER": "off", "SMTP_URL": ""}
    with web_hosts(env, [tmp_path / "host-a", tmp_path / "host-b"], workers=1, cwd=ROOT) as bases:
        assert len(set(bases)) == 2
        result = cross_host_check(bases, world.patient_a_user.email, PASSWORD)
    assert result["photo_status_b"] == 200 and result["photo_type_b"] == "image/jpeg"
    assert result["photo_identical"] and result["photo_bytes"] > 1000
    assert result["checkin_status_a"] == 200 and result["checkin_saved_a"]
    assert result["diary_status_b"] == 200 and result["checkin_in_b_diary"]
    db.session.rollback()  # read what the hosts committed, not this session's snapshot
    assert db.session.scalar(select(func.count()).select_from(WoundPhoto)) == 1
    assert db.session.scalar(select(func.count()).select_from(StoredFile)) == 1  # in the database, not a disk
    assert not list(tmp_path.rglob("*.jpg"))  # neither host wrote the photo to its own disk
    kinds = sorted(db.session.scalars(select(DiaryEntry.kind).where(
        DiaryEntry.patient_id == world.patient_a.id)))
    assert kinds == ["checkin", "wound"]
