"""Wound photos with several web hosts: kept in the database, so a photo uploaded through one host is served by
another; on local disk (the embedded default) the other host cannot find it, which is why production uses the
database."""
import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from companion import create_app
from companion.diary.models import WoundPhoto
from companion.extensions import db
from companion.storage import StoredFile
from tests.conftest import login
from tests.diary.test_diary_photos import CALM, post_wound


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (190, 120, 110)).save(out, "JPEG")
    return out.getvalue()


def _other_host(app, tmp_path):
    """A second web host: the same database and secret key, its own disk (no sticky sessions between them)."""
    settings = {key: app.config[key] for key in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "WTF_CSRF_ENABLED",
                                                 "ARGON2_PROFILE", "DEMO_MODE", "SERVER_NAME", "STORAGE_BACKEND")}
    return create_app({**settings, "TESTING": True, "UPLOAD_DIR": str(tmp_path / "host-b-uploads")})


@pytest.mark.parametrize("backend,served_by_other", [("database", True), ("disk", False)])
def test_a_photo_uploaded_through_one_host_is_served_by_the_other(app, client, world, tmp_path, backend,
                                                                  served_by_other):
    app.config["STORAGE_BACKEND"] = backend
    login(client, world.patient_a_user)
    assert post_wound(client, {"belly": (_jpeg(), "IMG_1.jpg")}).status_code == 200
    photo = db.session.scalar(select(WoundPhoto))
    rows = db.session.scalar(select(func.count()).select_from(StoredFile))
    on_disk = list((tmp_path / "uploads").rglob("*.jpg"))
    assert (rows, len(on_disk)) == ((1, 0) if backend == "database" else (0, 1))
    own = client.get(f"/diary/photos/{photo.id}")
    assert own.status_code == 200 and own.mimetype == "image/jpeg" and own.data[:2] == b"\xff\xd8"
    host_b = _other_host(app, tmp_path).test_client()
    login(host_b, world.patient_a_user)
    other = host_b.get(f"/diary/photos/{photo.id}")
    if served_by_other:
        assert other.status_code == 200 and other.data == own.data
    else:
        assert other.status_code == 404


def test_a_failed_entry_leaves_no_stored_photo_in_the_database(app, client, world):
    app.config["STORAGE_BACKEND"] = "database"
    login(client, world.patient_a_user)
    bad = dict(CALM, **{"belly.redness": "not-a-choice"})
    response = post_wound(client, {"belly": (_jpeg(), "IMG_2.jpg")}, answers=bad)
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(StoredFile)) == 0
