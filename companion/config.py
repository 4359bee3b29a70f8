"""Settings from the environment; SQLite in instance/ by default, strict in production."""
import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("COMPANION_INSTANCE", ROOT / "instance"))


def _bool(name: str, default: bool = False) -> bool:
    """Read a yes/no environment variable."""
    value = os.environ.get(name)
    return default if value is None else value.lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    """Read a whole-number environment variable."""
    return int(os.environ.get(name, default))


def database_url() -> str:
    """DATABASE_URL, or a SQLite file in instance/ (the embedded default)."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url
    INSTANCE.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{INSTANCE / 'companion.sqlite3'}"


def _secret_key(production: bool) -> str:
    """SECRET_KEY from the environment; outside production, one kept in instance/."""
    key = os.environ.get("SECRET_KEY")
    if production and len((key or "").encode()) < 32:
        raise RuntimeError("SECRET_KEY must be set in production, at least 32 bytes (e.g. `openssl rand -hex 32`)")
    if key:
        return key
    INSTANCE.mkdir(parents=True, exist_ok=True)
    path = INSTANCE / "secret_key"
    if not path.exists():
        path.write_text(os.urandom(32).hex())
    return path.read_text().strip()


def load() -> dict:
    """Build the settings mapping that create_app applies."""
    production = os.environ.get("COMPANION_ENV") == "production"
    if production and not os.environ.get("DATABASE_URL"):
        raise RuntimeError("DATABASE_URL must be set in production")
    if production and _bool("COMPANION_DEMO"):
        raise RuntimeError("demo mode (COMPANION_DEMO) is refused in production: its accounts have known passwords")
    base_url = os.environ.get("COMPANION_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    hosts = [h.strip() for h in os.environ.get("TRUSTED_HOSTS", "").split(",") if h.strip()]
    if production and not hosts and os.environ.get("COMPANION_BASE_URL"):
        hosts = [urlsplit(base_url).hostname or ""]  # any other Host header is refused with 400
    return {
        "PRODUCTION": production,
        "SECRET_KEY": _secret_key(production),
        "SQLALCHEMY_DATABASE_URI": database_url(),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "DEMO_MODE": _bool("COMPANION_DEMO", not production),
        # Only the embedded default runs the scheduler inside the web process.
        "SCHEDULER_MODE": os.environ.get("COMPANION_SCHEDULER", "off"),
        "STAFF_IDLE_MINUTES": _int("STAFF_IDLE_MINUTES", 15),
        "STAFF_ABSOLUTE_HOURS": _int("STAFF_ABSOLUTE_HOURS", 12),
        "PATIENT_SESSION_DAYS": _int("PATIENT_SESSION_DAYS", 30),
        "PERMANENT_SESSION_LIFETIME": timedelta(days=_int("PATIENT_SESSION_DAYS", 30)),
        "LOGIN_MAX_FAILURES": _int("LOGIN_MAX_FAILURES", 5),
        "LOGIN_WINDOW_MINUTES": _int("LOGIN_WINDOW_MINUTES", 15),
        "ENROLMENT_CODE_HOURS": _int("ENROLMENT_CODE_HOURS", 72),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "SESSION_COOKIE_NAME": "__Host-companion" if production else "companion",
        "REMEMBER_COOKIE_DURATION": timedelta(days=_int("PATIENT_SESSION_DAYS", 30)),
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session it belongs to
        "SMTP_URL": os.environ.get("SMTP_URL", ""),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "companion@localhost"),
        # Links in emails and pushes are built from this, never from the request's Host header.
        "BABEL_DEFAULT_LOCALE": "en",
        "UPLOAD_DIR": str(INSTANCE / "uploads"),
        # Two wound photos of up to 10 MB each plus the answers; Werkzeug refuses a larger body from its
        # Content-Length with 413 before anything (CSRF included) reads it.
        "MAX_CONTENT_LENGTH": 21 * 1024 * 1024,
        "ARGON2_PROFILE": os.environ.get("ARGON2_PROFILE", "default"),
        # Links in emails, QR codes and set-up pages are built from this, never from the request's Host header.
        "COMPANION_BASE_URL": base_url,
        "TRUSTED_HOSTS": hosts or None,
        # How many reverse proxies stand in front: only then are X-Forwarded-For/-Proto believed (0 = none).
        "TRUSTED_PROXIES": _int("TRUSTED_PROXIES", 1 if production else 0),
        "PUSH_ALLOWED_HOSTS": [h.strip() for h in os.environ.get("PUSH_ALLOWED_HOSTS", "").split(",") if h.strip()],
        "NOTIFY_DELIVERY_SECONDS": _int("NOTIFY_DELIVERY_SECONDS", 20),
        "NOTIFY_BACKGROUND": _bool("NOTIFY_BACKGROUND", True),
        "HEALTH_TOKEN": os.environ.get("HEALTH_TOKEN", ""),
        # Wound photos: "database" in production (every web host sees each photo), "disk" for make run.
        "STORAGE_BACKEND": os.environ.get("COMPANION_STORAGE", "database" if production else "disk"),
        # The app compresses its own responses (make run has no proxy in front; a phone on a weak signal
        # pays for every byte). Brotli first: every browser we support sends "br".
        "COMPRESS_MIMETYPES": ["text/html", "text/css", "text/javascript", "application/javascript", "application/json",
                               "application/fhir+json", "application/manifest+json", "image/svg+xml", "text/csv"],
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        "COMPRESS_ALGORITHM_STREAMING": ["br", "deflate"],
        "COMPRESS_BR_LEVEL": 5,
        "COMPRESS_MIN_SIZE": 500,
    }
