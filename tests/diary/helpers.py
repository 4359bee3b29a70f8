"""Small builders shared by the diary tests."""
import io
import uuid

from PIL import Image

ORDINARY = {"pain_now": "3", "anything_new": "no"}


def new_id() -> str:
    """A fresh client UUID."""
    return str(uuid.uuid4())


def form(answers: dict, client_entry_id: str | None = None, recorded_at: str = "") -> dict:
    """A posted questionnaire with its envelope."""
    return {**answers, "client_entry_id": client_entry_id or new_id(), "recorded_at": recorded_at}


def jpeg_with_gps(size=(2400, 1800)) -> bytes:
    """A JPEG carrying EXIF GPS coordinates and a camera model, like a phone photo."""
    image = Image.new("RGB", size, (200, 120, 110))
    exif = Image.Exif()
    exif[0x0110] = "PhoneCam 9"  # Model
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (51.0, 30.0, 12.0), 3: "W", 4: (0.0, 7.0, 40.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()
