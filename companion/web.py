"""Rendering helpers shared by every blueprint: page or partial, and access decorators."""
from functools import wraps
from typing import Callable, Iterable
from urllib.parse import urlencode

from flask import abort, current_app, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user

from companion.extensions import htmx


def wants_partial() -> bool:
    """A real htmx request, not a history restore, gets the partial."""
    return bool(htmx) and not htmx.history_restore_request


def render_page(page: str, partial: str, status: int = 200, **ctx):
    """Render the whole page, or only its partial for a real htmx request."""
    body = render_template(partial if wants_partial() else page, **ctx)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response


def roles_required(*roles: str) -> Callable:
    """Allow only signed-in users whose role is one of `roles` (403 otherwise)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            from companion.extensions import login_manager

            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                from companion.audit import services as audit

                # ASVS 16.3.2: every failed authorisation leaves an audit event.
                audit.record_now("access_refused", object_type="route", object_id=request.endpoint,
                                 outcome="refused")
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = tuple(roles)  # read by the route-matrix test
        return wrapped

    return decorator


def public(view):
    """Mark a view as open to anyone (documented for the route-matrix test)."""
    view.allowed_roles = ("anyone",)
    return view


STAFF: tuple[str, ...] = ("nurse", "physician", "admin")
CLINICIANS: tuple[str, ...] = ("nurse", "physician")
PATIENT_SIDE: tuple[str, ...] = ("patient", "caregiver")


def form_values(names: Iterable[str]) -> dict:
    """The submitted values to put back in a form that came back with errors."""
    return {name: request.form.get(name, "") for name in names}


PER_PAGE = 50  # rows a nurse can scan on a tablet before paging


def page_of(items: list, page: int, per_page: int = PER_PAGE) -> tuple[list, int, int]:
    """One page of a list: (the rows, the page number kept in range, how many pages)."""
    pages = max(1, -(-len(items) // per_page))
    page = min(max(1, page), pages)
    return items[(page - 1) * per_page:page * per_page], page, pages


def found_or_404(found, object_type: str, object_id):
    """`found`, or an audited refusal and a 404: another clinic's record looks like no record (no existence leak)."""
    if found is None:
        from companion.audit import services as audit

        audit.record_now("access_refused", object_type=object_type, object_id=object_id, outcome="refused")
        abort(404)
    return found



def absolute_url(endpoint: str, **values) -> str:
    """A full link for QR codes, set-up pages and emails: COMPANION_BASE_URL plus the path, never built from the
    request's Host header (which a client chooses)."""
    return current_app.config["COMPANION_BASE_URL"].rstrip("/") + url_for(endpoint, **values)


def code_link(endpoint: str, code: str) -> str:
    """A link (and QR code) that carries a one-time code in its fragment (#code=...): browsers never send the
    fragment to a server nor put it in a Referer, so no log sees it; the page's script (js/code_link.js) moves
    it into the form and it travels in the POST body."""
    return absolute_url(endpoint) + "#" + urlencode({"code": code})


def code_from_link(session_key: str):
    """An old link's one-time code (?code=...) is moved into the session and the browser sent on to the same
    page without it, so the code is not left in the address bar, history or later access-log lines (the access
    logs redact it too: companion.access_log); the redirect sends no Referer. Returns that redirect, or None
    when there is nothing to move."""
    code = request.args.get("code")
    if request.method != "GET" or not code:
        return None
    session[session_key] = code[:200]
    response = redirect(request.path, 303)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def code_page(response, status: int = 200):
    """A code-entry page: its URL never carries a secret (links put the code in the fragment, which no Referer
    includes; old ?code= links are redirected away first), so `same-origin` is enough: no Referer leaves the
    site, and Flask-WTF's HTTPS check still gets the Referer it needs on the page's own post."""
    response = make_response(response, status)
    response.headers["Referrer-Policy"] = "same-origin"
    return response
