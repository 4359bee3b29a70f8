"""Local delivery targets: a real SMTP server (aiosmtpd) and a push endpoint that decrypts what it receives."""
import base64
import os
import socket
import threading
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import pytest
from aiosmtpd.controller import Controller
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """Collects the messages an aiosmtpd server receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


class Smtp:
    """A local SMTP server that can be stopped and started again on the same port (an outage)."""

    def __init__(self):
        self.port, self.inbox, self.controller = free_port(), Inbox(), None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(app):
    """A running local SMTP server wired into SMTP_URL."""
    server = Smtp()
    server.start()
    app.config["SMTP_URL"] = server.url
    yield server
    server.stop()


class PushEndpoint:
    """A push 'service' on localhost: stores each request and decrypts it with the browser's keys."""

    def __init__(self):
        self.private = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        self.received, self.status = [], 201
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                outer.received.append((dict((k.lower(), v) for k, v in self.headers.items()), body))
                self.send_response(outer.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/push/abc"

    def keys(self) -> dict:
        raw = self.private.public_key().public_bytes(serialization.Encoding.X962,
                                                     serialization.PublicFormat.UncompressedPoint)
        b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()  # noqa: E731
        return {"p256dh": b64(raw), "auth": b64(self.auth)}

    def decrypted(self) -> list[bytes]:
        return [http_ece.decrypt(body, private_key=self.private, auth_secret=self.auth, version="aes128gcm")
                for _headers, body in self.received]


@pytest.fixture
def push_endpoint(app, tmp_path):
    """A local push endpoint; VAPID keys go to a temporary instance folder."""
    app.config["VAPID_DIR"] = str(tmp_path / "vapid")
    app.config.update(PUSH_ALLOWED_HOSTS=["127.0.0.1"], PUSH_ALLOW_HTTP=True)  # this local stand-in only
    endpoint = PushEndpoint()
    yield endpoint
    endpoint.server.shutdown()
