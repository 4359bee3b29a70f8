"""Manifest, service worker (scope /) and the offline page with the emergency guidance."""
from flask import Blueprint, current_app, jsonify, make_response, render_template, send_from_directory, url_for

from companion.web import public

bp = Blueprint("pwa", __name__)
ICON_SIZES = (192, 512)


@bp.route("/manifest.webmanifest")
@public
def manifest():
    """The web app manifest (installable: name, icons 192 and 512, standalone)."""
    icons = [{"src": url_for("pwa.icon", size=s), "sizes": f"{s}x{s}", "type": "image/png", "purpose": "any"}
             for s in ICON_SIZES]
    icons.append({"src": url_for("pwa.icon", size=512, maskable=1), "sizes": "512x512", "type": "image/png",
                  "purpose": "maskable"})
    body = {"name": "Companion", "short_name": "Companion", "start_url": "/", "scope": "/",
            "display": "standalone", "background_color": "#f6f8f7", "theme_color": "#0b5c4a",
            "description": "Your pump, your diary and your care team.", "icons": icons,
            "prefer_related_applications": False}
    response = jsonify(body)
    response.mimetype = "application/manifest+json"
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.route("/icons/icon-<int:size>.png")
@public
def icon(size: int):
    """App icons (the maskable one has a wider safe area)."""
    from flask import request

    name = f"icon-{size}{'-maskable' if request.args.get('maskable') else ''}.png"
    return send_from_directory(current_app.static_folder + "/icons", name, max_age=86400)


@bp.route("/sw.js")
@public
def service_worker():
    """The service worker from the site root, so its scope is the whole app."""
    response = make_response(send_from_directory(current_app.static_folder, "sw.js", max_age=0))
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    response.mimetype = "text/javascript"
    return response


@bp.route("/offline")
@public
def offline():
    """What the phone shows with no signal: emergency guidance first, no patient data."""
    return render_template("pwa/offline.html", bare=True)
