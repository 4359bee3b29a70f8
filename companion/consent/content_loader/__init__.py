"""Load versioned patient-education content (Markdown modules with YAML front matter)."""
from __future__ import annotations

import functools
import re
from pathlib import Path

from companion.consent.content_loader.markup import (  # noqa: F401 (re-exported)
    _ALLOW_RE, ALLOW_LIST, html_to_text, readability_text,
)
from companion.consent.content_loader.model import (  # noqa: F401 (re-exported)
    Choice, ContentError, ContentVersion, Module, Question, Source,
)
from companion.consent.content_loader.parse import (  # noqa: F401 (re-exported)
    _FRONT_MATTER_RE, _load_folder, _parse_module, content_hash,
)

CONTENT_DIR = Path(__file__).resolve().parents[1] / "content"
STATIC_IMG_DIR = Path(__file__).resolve().parents[3] / "static" / "img"
_FOLDER_RE = re.compile(r"^\d{4}-\d{2}$")


def _load_language(folder: Path, language: str) -> ContentVersion:
    """A version folder as read in one language (English, or a translation with English where it is not ready)."""
    english = _load_folder(folder)
    if language == "en":
        return english
    from companion.consent.content_languages import translate

    return translate(english, folder, language)


@functools.lru_cache(maxsize=16)
def _load_cached(folder: str, language: str) -> ContentVersion:
    """Load a packaged version folder in one language once per process."""
    return _load_language(Path(folder), language)


def available_versions(base_dir: Path | str | None = None) -> list[str]:
    """Return the version strings present (e.g. '2026.11'), oldest first."""
    base = Path(base_dir) if base_dir is not None else CONTENT_DIR
    if not base.is_dir():
        return []
    names = sorted(p.name for p in base.iterdir() if p.is_dir() and _FOLDER_RE.match(p.name))
    return [n.replace("-", ".") for n in names]


def load_version(version: str | None = None, language: str = "en",
                 base_dir: Path | str | None = None) -> ContentVersion:
    """Load a version ('2026.11' or '2026-11'; the newest when None) in a language; packaged versions are cached."""
    base = Path(base_dir) if base_dir is not None else CONTENT_DIR
    if version is None:
        versions = available_versions(base)
        if not versions:
            raise ContentError(f"{base}: no content versions")
        version = versions[-1]
    folder_name = version.replace(".", "-")
    if not _FOLDER_RE.match(folder_name):
        raise ContentError(f"invalid version {version!r}")
    folder = base / folder_name
    if not folder.is_dir():
        raise ContentError(f"unknown content version {version!r}")
    if base_dir is None:
        return _load_cached(str(folder), language)
    return _load_language(folder, language)


def clear_cache() -> None:
    """Forget cached versions (for tests and after deploying new content)."""
    _load_cached.cache_clear()
