"""Security baseline: session lifetime, forced two-factor (admins; clinicians if the clinic says), headers."""
from flask import Flask, Request, abort, current_app, make_response, redirect, request, url_for
from flask_login import current_user
from werkzeug.datastructures import ImmutableMultiDict, iter_multi_items

from companion.accounts import context, sessions
from companion.accounts.permissions import CLINICAL_ROLES, STAFF_ROLES, needs_two_factor

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
        """The JSON body, minus NUL characters; a body nested too deeply to parse is a 400, not a 500."""
        try:
            return _without_nul(super().get_json(*args, **kwargs))
        except RecursionError:
            abort(400)


def init_app(app: Flask) -> None:
    """Install the request class and the before/after request hooks."""
    app.request_class = CompanionRequest
    app.before_request(sessions.enforce_lifetime)
    app.before_request(require_staff_two_factor)
    app.after_request(add_headers)
    app.after_request(context.audit_caregiver_view)


def require_staff_two_factor():
    """Staff who must use two-factor but have none (admins; clinicians where the clinic says so) may only set it up."""
    if request.endpoint in (None, "static", "accounts.two_factor_setup", "accounts.logout") \
            or request.endpoint.startswith("pwa.") or not current_user.is_authenticated \
            or current_user.totp_enabled or current_user.role not in STAFF_ROLES:
        return None
    # The clinic row is read only for a clinician without two-factor (one look-up by primary key).
    clinic_requires = current_user.role in CLINICAL_ROLES and current_user.clinic.staff_two_factor
    if not needs_two_factor(current_user.role, False, current_user.demo, current_app.config["DEMO_MODE"],
                            clinic_requires):
        return None
    target = url_for("accounts.two_factor_setup")
    if request.headers.get("HX-Request") == "true":
        response = make_response("", 200)
        response.headers["HX-Redirect"] = target  # htmx follows this with a full page load
        return response
    return redirect(target)


def _current_version(req) -> bool:
    """Whether ?v= names the static file's current content hash."""
    from companion.template_globals import asset

    wanted = req.args.get("v")
    return bool(wanted) and asset(req.view_args.get("filename", "")).endswith(f"v={wanted}")


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
    elif request.endpoint == "static" and response.status_code == 200 and _current_version(request):
        # asset() puts the file's content hash in ?v=: while it matches, this URL's body never changes
        headers["Cache-Control"] = "public, max-age=31536000, immutable"
    response.vary.add("HX-Request")
    response.vary.add("Cookie")
    return response
