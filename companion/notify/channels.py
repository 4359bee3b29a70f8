"""The delivery channels: in-app (the row itself), email over SMTP (SMTP_URL) and web push (VAPID keys in instance/)."""
import hashlib
import json
import ipaddress
import os
import smtplib
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import unquote, urlsplit

from cryptography.hazmat.primitives import serialization
from flask import current_app
from flask_babel import force_locale, gettext
from py_vapid import Vapid02
from py_vapid.utils import b64urlencode
from pywebpush import WebPushException, webpush

from companion.accounts.models import User
from companion.i18n import N_, language_of
from companion.clock import utcnow
from companion.extensions import db
from companion.notify import queries
from companion.notify.models import Notification

# No health details ever leave the app: these are the only words an email or push carries.
STAFF_SUBJECT = "Companion: a patient needs attention"
STAFF_BODY = "Open Companion to see it."
PATIENT_SUBJECT = N_("Companion: you have a new message")  # sent in the patient's language (companion.i18n)
PATIENT_BODY = N_("Open Companion to see a new message.")
PUSH_TTL = 86400  # pywebpush's default TTL of 0 drops pushes to a phone that is offline
# The browsers' push services (Chrome/Edge/Samsung via FCM, Firefox, Safari, Edge legacy WNS). A leading dot
# means "this domain and any host under it". PUSH_ALLOWED_HOSTS in the settings replaces this list.
PUSH_HOSTS = ("fcm.googleapis.com", "android.googleapis.com", ".push.services.mozilla.com", ".push.apple.com",
              ".notify.windows.com")
PUSH_CONNECT_SECONDS, PUSH_READ_SECONDS = 5, 10  # pywebpush's default timeout=None waited for ever


class DeliveryError(Exception):
    """A channel could not deliver now; the dispatcher retries with backoff."""


def ordinal(n: int) -> str:
    """1 -> '1st', 2 -> '2nd', 11 -> '11th'."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def case_link(detail: dict) -> str:
    """The absolute link to the staff case page, from COMPANION_BASE_URL (never the request's Host)."""
    return current_app.config["COMPANION_BASE_URL"].rstrip("/") + detail["path"]


def staff_headline(detail: dict) -> str:
    """'Companion: URGENT case, 2nd reminder': the tier and the round only, never a name or a health detail."""
    tier = "EMERGENCY" if detail.get("tier") == "emergency" else "URGENT"
    round_no = int(detail.get("round") or 1)
    return f"Companion: {tier} case" + (f", {ordinal(round_no - 1)} reminder" if round_no > 1 else "")


def wording(user: User, notification: Notification | None = None) -> tuple[str, str]:
    """Subject and body for this person: staff get the case's tier, round and link when the row carries them
    (else that a patient needs attention), patients that a message waits."""
    if not user.is_staff:
        with force_locale(language_of(user)):
            return gettext(PATIENT_SUBJECT), gettext(PATIENT_BODY)
    detail = getattr(notification, "detail", None) or {}
    if not detail.get("path"):
        return STAFF_SUBJECT, STAFF_BODY
    headline = staff_headline(detail)
    return headline, f"{headline} – open {case_link(detail)}"


def send(notification: Notification) -> str:
    """Deliver one notification; return 'sent' or 'skipped' (nothing to send to); raise DeliveryError to retry."""
    user = db.session.get(User, notification.user_id)
    if user is None or not user.active:
        return "skipped"
    if notification.channel == "in_app":
        return "sent"  # the row is the message: the home screen lists it
    if notification.channel == "email":
        return send_email(notification, user)
    if notification.channel == "push":
        return send_push(notification, user)
    raise DeliveryError(f"unknown channel {notification.channel}")


def message_id(notification: Notification) -> str:
    """The same Message-ID on every try of a row: a resend after a crash after the hand-off is a known copy."""
    digest = hashlib.sha256(f"{notification.id}:{notification.channel}:{notification.dedupe_key}".encode()).hexdigest()
    domain = current_app.config.get("MAIL_FROM", "companion@localhost").rpartition("@")[2] or "localhost"
    return f"<companion.{notification.id}.{digest[:24]}@{domain}>"  # the key is hashed: it names patients and dates


def send_email(notification: Notification, user: User) -> str:
    """One plain email over SMTP_URL (smtp://[user:pass@]host:port, smtp+starttls://, smtps://)."""
    url = current_app.config.get("SMTP_URL") or ""
    if not url:
        return "skipped"  # email is not configured for this installation
    subject, body = wording(user, notification)
    message = EmailMessage()
    message["From"] = current_app.config.get("MAIL_FROM", "companion@localhost")
    message["To"] = user.email
    message["Subject"] = subject
    message["X-Companion-Notification"] = str(notification.id)  # lets tests and mail logs spot a duplicate
    message["Message-ID"] = message_id(notification)
    message.set_content(body)
    parts = urlsplit(url)
    try:
        cls = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
        with cls(parts.hostname or "localhost", parts.port or (465 if parts.scheme == "smtps" else 25),
                 timeout=10) as smtp:
            if parts.scheme == "smtp+starttls":
                smtp.starttls()
            if parts.username:
                smtp.login(unquote(parts.username), unquote(parts.password or ""))
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise DeliveryError(f"email: {type(error).__name__}: {error}") from error
    return "sent"


def vapid_dir() -> Path:
    """Where the VAPID key pair lives: VAPID_DIR, else the app's instance folder."""
    return Path(current_app.config.get("VAPID_DIR") or current_app.instance_path)


def vapid() -> Vapid02:
    """The server's VAPID key pair, generated into the instance folder on first use."""
    path = vapid_dir() / "vapid_private.pem"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = Vapid02()
        key.generate_keys()
        key.save_key(str(path))
        os.chmod(path, 0o600)
    return Vapid02.from_file(str(path))


def application_server_key() -> str:
    """The public VAPID key as the browser's pushManager.subscribe() wants it (base64url, uncompressed point)."""
    raw = vapid().public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return b64urlencode(raw)


def push_endpoint_allowed(endpoint: object) -> bool:
    """Whether a push endpoint is a URL on a browser push service (never an internal address: SSRF)."""
    if not isinstance(endpoint, str) or len(endpoint) > 1000:
        return False
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        return False
    https = parts.scheme == "https" and port in (None, 443)
    insecure_ok = current_app.config.get("PUSH_ALLOW_HTTP") and parts.scheme == "http"  # local tests only
    host = (parts.hostname or "").lower().rstrip(".")
    if not (https or insecure_ok) or not host or parts.username or parts.password:
        return False
    try:
        ipaddress.ip_address(host)
        literal = True
    except ValueError:
        literal = False
    allowed = current_app.config.get("PUSH_ALLOWED_HOSTS") or PUSH_HOSTS
    for entry in allowed:
        entry = entry.lower()
        if host == entry.lstrip(".") or (entry.startswith(".") and host.endswith(entry) and not literal):
            return True
    return False


def send_push(notification: Notification, user: User) -> str:
    """Push the neutral text to each of the person's subscriptions; a gone endpoint (404/410) is revoked."""
    subscriptions = queries.active_subscriptions(user.id)
    if not subscriptions:
        return "skipped"
    subject, body = wording(user, notification)
    path = (notification.detail or {}).get("path", "/") if user.is_staff else "/"
    payload = json.dumps({"title": "Companion", "body": body, "url": path})
    key, failures, delivered = vapid(), [], 0
    timeout = (current_app.config.get("PUSH_CONNECT_SECONDS", PUSH_CONNECT_SECONDS),
               current_app.config.get("PUSH_READ_SECONDS", PUSH_READ_SECONDS))
    for sub in subscriptions:
        if not push_endpoint_allowed(sub.endpoint):
            continue  # saved before the allow-list (or the list changed): never contacted
        info = {"endpoint": sub.endpoint, "keys": {"p256dh": sub.p256dh, "auth": sub.auth}}
        try:
            # A fresh claims dict per call: pywebpush fills in aud and exp in place.
            webpush(info, payload, vapid_private_key=key, ttl=PUSH_TTL, timeout=timeout,
                    vapid_claims={"sub": f"mailto:{current_app.config.get('MAIL_FROM', 'companion@localhost')}"})
            delivered += 1
        except WebPushException as error:
            status = getattr(error.response, "status_code", None)
            if status in (404, 410):
                sub.revoked_at = utcnow()
            else:
                failures.append(f"{status}: {error}")
        except Exception as error:  # noqa: BLE001 - network errors of any kind mean "try again later"
            failures.append(f"{type(error).__name__}: {error}")
    if failures and not delivered:
        raise DeliveryError("push: " + "; ".join(failures)[:500])
    return "sent" if delivered else "skipped"
