"""Wound photos: check the upload, re-encode it with Pillow (resized, metadata gone), store it privately."""
from __future__ import annotations

import io
import secrets
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from companion import storage

try:  # HEIC (iPhone photos) only where pillow-heif is installed; everything else works without it.
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIC = True
except ImportError:  # pragma: no cover - depends on the machine
    HEIC = False

MAX_BYTES = 10 * 1024 * 1024
MAX_SIDE = 1600
# Read from the file's header before any decoding (a 58 KB PNG can claim 7700 x 7700). A phone's own photo is
# 12-24 MP (iPhone 15 saves 24 MP HEIC by default); JPEGs are decoded at a reduced scale (draft), so a 50 MP one
# costs no more memory than a small one; every other format is decoded in full and stops at 25 MP.
MAX_PIXELS_JPEG = 52_000_000
MAX_PIXELS = 25_000_000
FORMATS = {"JPEG", "PNG", "WEBP"} | ({"HEIF"} if HEIC else set())
SUBDIR = "wound_photos"
MSG_TYPE = ("Please choose a photo (JPEG, PNG or WebP{heic}). That file could not be used."
            .format(heic=", or HEIC from an iPhone" if HEIC else ""))
MSG_SIZE = "That photo is too big. Please choose one smaller than 10 MB."
MSG_EMPTY = "That photo is empty. Take it again or leave it out."
MSG_PIXELS = "Please choose a photo taken with your phone's usual camera settings. That one is too large."


class PhotoError(ValueError):
    """An upload we cannot use; the message is shown next to the photo field."""


@dataclass(frozen=True)
class PreparedPhoto:
    """A clean JPEG ready to store: no EXIF (so no GPS), at most MAX_SIDE pixels a side."""

    data: bytes
    width: int
    height: int


def prepare(raw: bytes) -> PreparedPhoto:
    """Re-encode an upload as a clean, resized JPEG, or raise PhotoError with a friendly message."""
    if not raw:  # a chosen file of 0 bytes: the camera failed, so say so rather than drop it
        raise PhotoError(MSG_EMPTY)
    if len(raw) > MAX_BYTES:
        raise PhotoError(MSG_SIZE)
    try:
        with Image.open(io.BytesIO(raw)) as probe:  # reads the header only
            if probe.format not in FORMATS:
                raise PhotoError(MSG_TYPE)
            if probe.width * probe.height > (MAX_PIXELS_JPEG if probe.format == "JPEG" else MAX_PIXELS):
                raise PhotoError(MSG_PIXELS)
            if probe.format == "JPEG":
                probe.draft("RGB", (MAX_SIDE, MAX_SIDE))  # decode at 1/2, 1/4 or 1/8 scale: far less memory
            probe.load()
            # Apply the camera's rotation before the metadata that carries it is dropped.
            image = ImageOps.exif_transpose(probe)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        if isinstance(error, PhotoError):
            raise
        raise PhotoError(MSG_TYPE) from error
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        flat = Image.new("RGB", image.size, (255, 255, 255))
        flat.paste(image, mask=image.getchannel("A"))
        image = flat
    image = image.convert("RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # A fresh image saved without exif=/icc_profile= carries no EXIF, GPS or maker notes.
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    clean.save(out, "JPEG", quality=85, optimize=True)
    return PreparedPhoto(out.getvalue(), clean.width, clean.height)


def store(photo: PreparedPhoto) -> str:
    """Keep the photo under a random name (never the patient's file name) in the configured storage; return it."""
    name = f"{secrets.token_hex(20)}.jpg"
    storage.save(SUBDIR, name, photo.data)
    return name


def load(stored_name: str) -> bytes | None:
    """A stored photo's bytes, or None."""
    return storage.load(SUBDIR, stored_name)


def path_of(stored_name: str, upload_dir: str) -> Path:
    """Where a stored photo lives with the disk backend (the name is ours, so it cannot climb out of the folder)."""
    return Path(upload_dir) / SUBDIR / Path(stored_name).name


def discard(stored_name: str) -> None:
    """Remove a photo written for an entry whose transaction did not commit."""
    storage.discard(SUBDIR, stored_name)
