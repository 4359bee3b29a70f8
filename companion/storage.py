"""Where uploaded files live: the local disk (the embedded default) or the database (several web hosts).

Wound photos are small after re-encoding (a 1600 px JPEG is about 200 KB), so PostgreSQL keeps them well and every
web host sees each one at once; a file on one host's disk is missing on the others. The database backend also
writes in the entry's own transaction, so a rolled-back entry leaves no orphan file behind.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from companion.clock import utcnow
from companion.extensions import db

BACKENDS = ("disk", "database")


class StoredFile(db.Model):
    """One uploaded file's bytes, under the random name its row elsewhere points to."""

    __tablename__ = "stored_file"
    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def backend() -> str:
    """The configured backend (STORAGE_BACKEND)."""
    return current_app.config["STORAGE_BACKEND"]


def _path(kind: str, name: str) -> Path:
    # the name is ours (random hex), and Path(name).name keeps it from climbing out of the folder
    return Path(current_app.config["UPLOAD_DIR"]) / kind / Path(name).name


def save(kind: str, name: str, data: bytes) -> None:
    """Keep a file: on disk now, or as a row in the caller's transaction."""
    if backend() == "database":
        db.session.add(StoredFile(name=name, kind=kind, data=data))
        return
    path = _path(kind, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def load(kind: str, name: str) -> bytes | None:
    """A kept file's bytes, from either backend (so switching backends loses nothing), or None."""
    row = db.session.get(StoredFile, name)
    if row is not None and row.kind == kind:
        return row.data
    path = _path(kind, name)
    return path.read_bytes() if path.is_file() else None


def discard(kind: str, name: str) -> None:
    """Remove a file written for a transaction that did not commit (disk only: a row went with the rollback)."""
    if backend() == "disk":
        _path(kind, name).unlink(missing_ok=True)
