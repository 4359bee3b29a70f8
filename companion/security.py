"""Security baseline: session lifetime, forced two-factor for admins, headers on every response."""
from flask import Flask, Request, current_app, redirect, request, url_for
from flask_login import current_user
from werkzeug.datastructures import ImmutableMultiDict, iter_multi_items

from companion.accounts import sessions
from companion.accounts.permissions import needs_two_factor

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "media-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
# Responses that may be stored by the browser: versioned static files and the public PWA shell.
CACHEABLE_ENDPOINTS = {"static", "pwa.manifest", "pwa.icon", "pwa.service_worker"}


def _without_nul(value):
    """Text without NUL characters, through lists and dicts (PostgreSQL refuses NUL in text: a 500)."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    return value


class _ParamsWithoutNul(ImmutableMultiDict):
    """Query and form values as typed, minus NUL characters nobody can type (uploaded files untouched)."""

    def __init__(self, mapping=None):
        super().__init__(None if mapping is None else
                         [(_without_nul(k), _without_nul(v)) for k, v in iter_multi_items(mapping)])


class CompanionRequest(Request):
    """Flask's request with NUL characters dropped from query strings, forms and JSON bodies."""

    parameter_storage_class = _ParamsWithoutNul

    def get_json(self, *args, **kwargs):
        """The JSON body, minus NUL characters."""
        return _without_nul(super().get_json(*args, **kwargs))


def init_app(app: Flask) -> None:
    """Install the request class and the before/after request hooks."""
    app.request_class = CompanionRequest
    app.before_request(sessions.enforce_lifetime)
    app.before_request(require_admin_two_factor)
    app.after_request(add_headers)


def require_admin_two_factor():
    """A clinic admin without two-factor may only set it up (or sign out)."""
    if not current_user.is_authenticated or request.endpoint in (
            None, "static", "accounts.two_factor_setup", "accounts.logout") or request.endpoint.startswith("pwa."):
        return None
    if current_user.role == "admin" and not current_user.totp_enabled and needs_two_factor(
            "admin", False, current_user.demo, current_app.config["DEMO_MODE"]):
        return redirect(url_for("accounts.two_factor_setup"))
    return None


def add_headers(response):
    """CSP and friends everywhere; no-store on anything that is not a public static asset."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.endpoint not in CACHEABLE_ENDPOINTS:
        headers["Cache-Control"] = "no-store"
    response.vary.add("HX-Request")
    response.vary.add("Cookie")
    return response
