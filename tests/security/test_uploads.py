"""Uploads the diary tests do not already cover (tests/diary/test_diary_photos.py has GPS stripping on the
form, PDF/GIF refusal and the 10 MB limit): decompression bombs, markup dressed as a photo, metadata in
PNG and WebP, photos through the offline sync API, bodies over the request limit, signature data URLs,
and how a stored photo is served. ASVS 5.0 V5.2 (file upload) and V14.2.8 (metadata removed)."""
import io
import json
import re
import struct
import uuid
import zlib
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin
from sqlalchemy import func, select

from companion.diary.models import DiaryEntry, WoundPhoto
from companion.diary.services import photos as photo_files
from companion.extensions import db
from tests.conftest import HX, login
from tests.diary.helpers import jpeg_with_gps
from tests.security.records import WOUND, entry_form

TYPE_MESSAGE = "Please choose a photo"


def post_wound(client, raw: bytes, name: str = "photo.jpg", headers=None):
    data = entry_form(WOUND)
    data["belly.photo"] = (io.BytesIO(raw), name)
    return client.post("/wound", data=data, content_type="multipart/form-data", headers=headers or HX)


def stored_files(app) -> list[Path]:
    folder = Path(app.config["UPLOAD_DIR"]) / photo_files.SUBDIR
    return sorted(folder.iterdir()) if folder.exists() else []


def png_bomb(width=20000, height=20000) -> bytes:
    """A tiny PNG whose header claims 400 million pixels (a decompression bomb)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + \
        chunk(b"IEND", b"")


@pytest.mark.parametrize("raw,name", [
    (png_bomb(), "bomb.png"),
    (b"<html><script>alert(1)</script></html>", "photo.jpg"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "photo.svg"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 40, "truncated.jpg"),
    (b"MZ\x90\x00" + b"\x00" * 100, "setup.exe"),
])
def test_non_images_and_bombs_are_refused_kindly(app, client, world, raw, name):
    login(client, world.patient_a_user)
    response = post_wound(client, raw, name)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and TYPE_MESSAGE in html and 'id="q-belly-photo-error"' in html
    assert db.session.scalar(select(func.count(DiaryEntry.id))) == 0 and stored_files(app) == []


EMPTY_MESSAGE = "That photo is empty. Take it again or leave it out."


@pytest.mark.parametrize("headers", [HX, {}])
def test_v5_2_an_empty_photo_is_refused_beside_its_field_with_values_kept(app, client, world, headers):
    """A chosen file of 0 bytes (a failed camera shot) is not silently dropped: 422, message, answers kept."""
    login(client, world.patient_a_user)
    response = post_wound(client, b"", "empty.jpg", headers=headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and EMPTY_MESSAGE in html
    assert re.search(r'<p class="error" id="q-belly-photo-error">[^<]*' + re.escape(EMPTY_MESSAGE), html)
    assert re.search(r'name="belly\.photo"[^>]*aria-invalid="true"', html)
    assert re.search(r'value="edges_only"[^>]*checked|checked[^>]*value="edges_only"', html)  # answers kept
    assert 'id="q-back-photo-error"' not in html  # only the empty one is flagged
    assert db.session.scalar(select(func.count(DiaryEntry.id))) == 0 and stored_files(app) == []


def test_no_photo_at_all_is_still_fine(app, client, world):
    login(client, world.patient_a_user)
    assert client.post("/wound", data=entry_form(WOUND), headers=HX).status_code == 200
    assert db.session.scalar(select(func.count(DiaryEntry.id))) == 1 and stored_files(app) == []


def test_an_empty_photo_in_an_offline_replay_is_dropped_not_refused(app, client, world):
    """The outbox would discard a refused entry, symptoms and all, so the sync API leaves an empty photo out."""
    login(client, world.patient_a_user)
    payload = {"kind": "wound", "answers": WOUND, "client_entry_id": str(uuid.uuid4())}
    response = client.post("/api/diary/entries", data={"payload": json.dumps(payload),
                                                       "belly.photo": (io.BytesIO(b""), "IMG_2.jpg")},
                           content_type="multipart/form-data")
    assert response.status_code == 201 and db.session.scalar(select(func.count(WoundPhoto.id))) == 0


def _metadata_png() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "Alice at 12 Quill Lane")
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (51.0, 30.0, 12.0)})
    out = io.BytesIO()
    Image.new("RGB", (300, 200), (180, 90, 90)).save(out, "PNG", pnginfo=info, exif=exif)
    return out.getvalue()


def _metadata_webp() -> bytes:
    exif = Image.Exif()
    exif[0x0110] = "PhoneCam 9"
    exif.get_ifd(0x8825).update({1: "N", 2: (51.0, 30.0, 12.0)})
    out = io.BytesIO()
    Image.new("RGB", (300, 200), (180, 90, 90)).save(out, "WEBP", exif=exif)
    return out.getvalue()


@pytest.mark.parametrize("raw,name,secret", [(_metadata_png(), "a.png", b"Quill Lane"),
                                             (_metadata_webp(), "b.webp", b"PhoneCam")])
def test_metadata_in_png_and_webp_is_stripped(app, client, world, raw, name, secret):
    assert secret in raw
    login(client, world.patient_a_user)
    assert post_wound(client, raw, name).status_code == 200
    [path] = stored_files(app)
    data = path.read_bytes()
    assert secret not in data and b"Exif" not in data
    with Image.open(path) as clean:
        assert clean.format == "JPEG" and not clean.getexif() and "exif" not in clean.info


def test_photos_through_the_offline_sync_api_are_stripped_too(app, client, world):
    login(client, world.patient_a_user)
    payload = {"kind": "wound", "answers": WOUND, "client_entry_id": str(uuid.uuid4())}
    response = client.post("/api/diary/entries", data={
        "payload": json.dumps(payload), "belly.photo": (io.BytesIO(jpeg_with_gps((800, 600))), "IMG_1.jpg")},
        content_type="multipart/form-data")
    assert response.status_code == 201, response.get_data(as_text=True)
    [path] = stored_files(app)
    assert b"PhoneCam" not in path.read_bytes()
    with Image.open(path) as clean:
        assert not clean.getexif().get_ifd(0x8825)
    bad = client.post("/api/diary/entries", data={
        "payload": json.dumps({**payload, "client_entry_id": str(uuid.uuid4())}),
        "back.photo": (io.BytesIO(b"<html></html>"), "x.jpg")}, content_type="multipart/form-data")
    assert bad.status_code == 422 and "back.photo" in json.dumps(bad.get_json())


def test_a_body_over_the_request_limit_gets_a_friendly_413(app, client, world):
    login(client, world.patient_a_user)
    huge = b"\xff\xd8" + b"0" * (app.config["MAX_CONTENT_LENGTH"] + 1024)
    response = client.post("/pump/medicines", data={"name": huge.decode("latin-1")[:10],
                                                    "file": (io.BytesIO(huge), "x.jpg")},
                           content_type="multipart/form-data")
    assert response.status_code == 413 and "too big" in response.get_data(as_text=True)
    wound = client.post("/wound", data={**entry_form(WOUND), "belly.photo": (io.BytesIO(huge * 2), "a.jpg")},
                        content_type="multipart/form-data")
    assert wound.status_code == 413 and stored_files(app) == []


def test_a_stored_photo_is_served_as_a_jpeg_never_as_markup(app, client, world):
    login(client, world.patient_a_user)
    assert post_wound(client, jpeg_with_gps((400, 300)), "../../etc/passwd<script>.html").status_code == 200
    photo = db.session.scalar(select(WoundPhoto))
    assert "/" not in photo.stored_name and "script" not in photo.stored_name and photo.stored_name.endswith(".jpg")
    response = client.get(f"/diary/photos/{photo.id}")
    assert response.mimetype == "image/jpeg" and response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store" and response.data.startswith(b"\xff\xd8")


@pytest.mark.parametrize("signature", [
    "data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9ImFsZXJ0KDEpIi8+",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "data:image/png;base64," + "A" * 400_000,
    "javascript:alert(1)",
])
def test_signatures_that_are_not_small_pngs_are_refused(client, world, signature):
    from tests.consent.helpers import sign_form_data

    login(client, world.nurse1)
    response = client.post(f"/care/patients/{world.patient_a.id}/consent/sign",
                           data=sign_form_data(patient_signature=signature), headers=HX)
    assert response.status_code == 422 and 'class="error' in response.get_data(as_text=True)
