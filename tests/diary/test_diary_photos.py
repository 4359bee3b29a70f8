"""Wound checks with photos: re-encoding strips EXIF and GPS, friendly errors, who may see a photo."""
import io
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from companion.audit.models import AuditEvent
from companion.diary.models import DiaryEntry, WoundPhoto
from companion.diary.services import photos as photo_files
from companion.extensions import db
from tests.conftest import HX, login
from tests.diary.helpers import form, jpeg_with_gps

CALM = {f"{site}.{k}": v for site in ("belly", "back")
        for k, v in (("redness", "edges_only"), ("drainage", "none"), ("swelling", "stable"))}


def post_wound(client, files: dict, answers=None, headers=None):
    data = form(answers or CALM)
    data.update({f"{site}.photo": (io.BytesIO(raw), name) for site, (raw, name) in files.items()})
    return client.post("/wound", data=data, content_type="multipart/form-data", headers=headers or {})


def stored(app, photo: WoundPhoto) -> Path:
    return photo_files.path_of(photo.stored_name, app.config["UPLOAD_DIR"])


def test_photo_is_reencoded_resized_and_stripped_of_gps(app, client, world):
    raw = jpeg_with_gps()
    assert Image.open(io.BytesIO(raw)).getexif().get_ifd(0x8825)  # the test photo really has GPS
    login(client, world.patient_a_user)
    response = post_wound(client, {"belly": (raw, "IMG_0001 Alice home.jpg")}, headers=HX)
    assert response.status_code == 200
    photo = db.session.scalar(select(WoundPhoto))
    path = stored(app, photo)
    assert path.parent.parent == Path(app.config["UPLOAD_DIR"]) and "Alice" not in photo.stored_name
    assert not str(path).startswith(app.static_folder)
    with Image.open(path) as clean:
        assert clean.format == "JPEG" and max(clean.size) == 1600 and clean.size == (1600, 1200)
        assert not clean.getexif() and not clean.getexif().get_ifd(0x8825)
        assert "exif" not in clean.info
    assert b"PhoneCam" not in path.read_bytes()
    assert photo.site == "belly" and photo.entry.kind == "wound"


def test_png_with_transparency_and_webp_are_accepted(client, world):
    login(client, world.patient_a_user)
    png, webp = io.BytesIO(), io.BytesIO()
    Image.new("RGBA", (300, 200), (255, 0, 0, 0)).save(png, "PNG")
    Image.new("RGB", (300, 200), (200, 100, 100)).save(webp, "WEBP")
    response = post_wound(client, {"belly": (png.getvalue(), "a.png"), "back": (webp.getvalue(), "b.webp")})
    assert response.status_code == 200 and db.session.scalar(select(func.count(WoundPhoto.id))) == 2


def test_heic_from_an_iphone_is_stored_as_a_clean_jpeg(app, client, world):
    """pillow-heif is a hard dependency (pyproject), so this never skips."""
    assert photo_files.HEIC
    login(client, world.patient_a_user)
    heic = io.BytesIO()
    Image.new("RGB", (200, 150), (180, 120, 100)).save(heic, "HEIF")
    assert Image.open(io.BytesIO(heic.getvalue())).format == "HEIF"
    assert post_wound(client, {"belly": (heic.getvalue(), "IMG.HEIC")}).status_code == 200
    photo = db.session.scalar(select(WoundPhoto))
    with Image.open(stored(app, photo)) as clean:
        assert clean.format == "JPEG" and clean.size == (200, 150)
        red, green, blue = clean.convert("RGB").getpixel((100, 75))
        assert abs(red - 180) < 12 and abs(green - 120) < 12 and abs(blue - 100) < 12  # the picture, not a blank
    assert photo.site == "belly"


def test_other_files_get_a_friendly_error_and_nothing_is_saved(app, client, world):
    login(client, world.patient_a_user)
    gif = io.BytesIO()
    Image.new("RGB", (20, 20)).save(gif, "GIF")
    for raw, name in ((b"%PDF-1.4 not a photo", "scan.pdf"), (gif.getvalue(), "anim.gif")):
        response = post_wound(client, {"back": (raw, name)}, headers=HX)
        html = response.get_data(as_text=True)
        assert response.status_code == 422 and "Please choose a photo (JPEG, PNG or WebP" in html
        assert 'id="q-back-photo-error"' in html and 'value="edges_only" checked' in html
    assert db.session.scalar(select(func.count(DiaryEntry.id))) == 0
    folder = Path(app.config["UPLOAD_DIR"]) / photo_files.SUBDIR
    assert not folder.exists() or not any(folder.iterdir())


def test_a_photo_over_10_mb_is_refused_kindly(client, world):
    login(client, world.patient_a_user)
    response = post_wound(client, {"belly": (b"\xff\xd8" + b"0" * (10 * 1024 * 1024 + 10), "big.jpg")}, headers=HX)
    assert response.status_code == 422 and "smaller than 10 MB" in response.get_data(as_text=True)


def test_wound_check_shows_the_previous_check_beside_the_new_one(client, world):
    login(client, world.patient_a_user)
    post_wound(client, {"belly": (jpeg_with_gps((400, 300)), "x.jpg")})
    html = client.get("/wound").get_data(as_text=True)
    assert "Last time (" in html and "A little pink or red along the edges" in html
    assert 'class="dq-prev-photo"' in html


def test_missing_wound_answers_are_422(client, world):
    login(client, world.patient_a_user)
    response = post_wound(client, {}, answers={"belly.redness": "none"}, headers=HX)
    assert response.status_code == 422 and 'id="q-back-drainage-error"' in response.get_data(as_text=True)


@pytest.fixture
def photo(app, world):
    """A wound photo of patient A."""
    client = app.test_client()
    login(client, world.patient_a_user)
    assert post_wound(client, {"belly": (jpeg_with_gps((400, 300)), "x.jpg")}).status_code == 200
    return db.session.scalar(select(WoundPhoto))


@pytest.mark.parametrize("who,status", [("patient_a_user", 200), ("caregiver", 200), ("nurse1", 200),
                                        ("physician1", 200), ("patient_b_user", 404),
                                        ("unlinked_caregiver", 404), ("nurse2", 404), ("admin2", 404)])
def test_who_may_see_a_wound_photo(client, world, photo, who, status):
    login(client, getattr(world, who))
    response = client.get(f"/diary/photos/{photo.id}")
    assert response.status_code == status
    if status == 200:
        assert response.mimetype == "image/jpeg" and response.headers["Cache-Control"] == "no-store"
    views = db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "wound_photo_viewed"))
    assert views == (1 if status == 200 and getattr(world, who).is_staff else 0)


def test_anonymous_cannot_see_a_photo(client, photo):
    response = client.get(f"/diary/photos/{photo.id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_staff_photo_view_is_audited_with_the_patient(client, world, photo):
    login(client, world.nurse1)
    client.get(f"/diary/photos/{photo.id}")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "wound_photo_viewed"))
    assert event.patient_id == world.patient_a.id and event.user_id == world.nurse1.id
