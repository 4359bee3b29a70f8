"""Issue 15 finding 4: a decompression bomb is refused from its header, before any decoding, and the memory a
photo costs stays bounded (measured as the peak resident size of a fresh process)."""
import io
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from PIL import Image

from companion.diary.services import photos

PROBE = """
import resource, sys
from companion.diary.services import photos
raw = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    photos.prepare(raw)
    outcome = "kept"
except photos.PhotoError:
    outcome = "refused"
print(outcome, (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)
"""


def bomb_png(side: int = 7700) -> bytes:
    """A tiny PNG whose header claims side x side pixels (1-bit, all zero: it compresses to ~60 KB)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" * (1 + (side + 7) // 8)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * side, 9)) + chunk(b"IEND", b""))


def phone_jpeg(width: int = 4032, height: int = 3024) -> bytes:
    """A 12 MP camera-sized JPEG with real detail (noise), as a phone would send."""
    image = Image.effect_noise((width, height), 60).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def peak_mib(tmp_path: Path, raw: bytes) -> tuple[str, int]:
    """Prepare the photo in a fresh interpreter; return its outcome and how much its peak memory grew (MiB)."""
    path = tmp_path / "upload.bin"
    path.write_bytes(raw)
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", PROBE, str(path)], capture_output=True, text=True, cwd=root,
                          timeout=120, check=True)
    outcome, grown = done.stdout.split()
    return outcome, int(grown)


def test_the_review_bomb_is_refused_from_its_header(tmp_path):
    raw = bomb_png()
    assert len(raw) < 100_000
    with pytest.raises(photos.PhotoError) as refused:
        photos.prepare(raw)
    assert str(refused.value) == photos.MSG_PIXELS


def test_a_bomb_costs_almost_no_memory(tmp_path):
    outcome, grown = peak_mib(tmp_path, bomb_png())
    assert outcome == "refused" and grown < 16, grown  # before the fix: about 600 MiB


def test_a_phone_photo_is_kept_within_a_memory_bound(tmp_path):
    outcome, grown = peak_mib(tmp_path, phone_jpeg())
    assert outcome == "kept" and grown < 120, grown


def test_non_jpeg_formats_stop_at_25_megapixels():
    out = io.BytesIO()
    Image.new("L", (6000, 4500)).save(out, "PNG")  # 27 MP, decoded in full if it were let through
    with pytest.raises(photos.PhotoError):
        photos.prepare(out.getvalue())
