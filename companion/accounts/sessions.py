"""Session lifetime rules: staff idle timeout, absolute lifetime, HX-Redirect when expired."""
import time
from urllib.parse import urlsplit

from flask import current_app, jsonify, make_response, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user

from companion.extensions import htmx

PUBLIC_ASSETS = frozenset({None, "static", "pwa.manifest", "pwa.icon", "pwa.service_worker"})


def safe_next(target: str | None) -> str | None:
    """Only same-site relative paths may be a `next` target (no open redirects)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def start(user) -> None:
    """Sign in with a fresh session (ASVS 7.2.4) and stamp its start."""
    session.clear()
    staff = user.is_staff
    session.permanent = not staff  # patients stay signed in on their own phone
    login_user(user, remember=False)
    now = int(time.time())
    session["login_at"] = session["seen_at"] = now


def expiry_reason(now: float | None = None) -> str | None:
    """'idle' when the staff idle limit has passed, 'lifetime' when the absolute lifetime has, else None."""
    now = now or time.time()
    cfg = current_app.config
    login_at, seen_at = session.get("login_at", 0), session.get("seen_at", 0)
    if current_user.is_staff:
        if now - seen_at > cfg["STAFF_IDLE_MINUTES"] * 60:
            return "idle"
        return "lifetime" if now - login_at > cfg["STAFF_ABSOLUTE_HOURS"] * 3600 else None
    return "lifetime" if now - login_at > cfg["PATIENT_SESSION_DAYS"] * 86400 else None


def expired(now: float | None = None) -> bool:
    """True when the staff idle limit or the absolute lifetime has passed."""
    return expiry_reason(now) is not None


def enforce_lifetime():
    """before_request: end an expired session, else note activity."""
    # Public assets are answered without loading the user, so they still load while the database is down.
    if request.endpoint in PUBLIC_ASSETS or not current_user.is_authenticated:
        return None
    reason = expiry_reason()
    if reason:
        logout_user()
        session.clear()
        return unauthorized(reason)
    # Background polls must not keep an idle staff session alive.
    if request.headers.get("HX-Trigger-Name") != "poll" and not request.args.get("poll"):
        session["seen_at"] = int(time.time())
    return None


def _return_to() -> str | None:
    """Where to go after signing in again: the page itself (for htmx, the page that polled, not the partial)."""
    if htmx:
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        return safe_next(current.path + (f"?{current.query}" if current.query else "")) if current.path else None
    return request.full_path.rstrip("?") if request.method == "GET" else None


def unauthorized(reason: str | None = None):
    """Send people to sign in: HX-Redirect for htmx, 401 JSON for the sync API, else a redirect.

    After the staff idle timeout the sign-in page says so (reason=idle) and returns to the page, e.g. the queue.
    """
    target = url_for("accounts.login", next=_return_to(), reason="idle" if reason == "idle" else None)
    if htmx:
        response = make_response("", 200)
        response.headers["HX-Redirect"] = target
        return response
    if request.accept_mimetypes.best == "application/json" or request.path.startswith("/api/"):
        return make_response(jsonify(error="signed_out", login=url_for("accounts.login")), 401)
    return redirect(target)


def end() -> None:
    """Sign out of this browser."""
    logout_user()
    session.clear()
