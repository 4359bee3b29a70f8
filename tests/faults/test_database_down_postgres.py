"""A real PostgreSQL outage under load: a TCP proxy between the app and the server is cut, then restored."""
import socket
import threading
import time
import traceback

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from companion.diary.models import DiaryEntry
from companion.extensions import db
from tests.conftest import PG_URL, login, make_app
from tests.diary.helpers import ORDINARY, new_id

pytestmark = pytest.mark.postgres


class Proxy:
    """Forwards 127.0.0.1:port to the database server; `cut()` drops every connection and stops listening."""

    def __init__(self, host: str, port: int):
        self.upstream, self.lock, self.sockets, self.listener = (host, port), threading.Lock(), set(), None
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]

    def start(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", self.port))  # SO_REUSEADDR: the same port again
        self.listener.settimeout(0.05)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def _accept(self, listener) -> None:
        while self.listener is listener:
            try:
                client, _ = listener.accept()
                server = socket.create_connection(self.upstream)
            except OSError:
                continue  # a timeout (look again whether we are cut), or the listener is closed
            client.settimeout(None)
            with self.lock:
                self.sockets |= {client, server}
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(source, target), daemon=True).start()

    def _pipe(self, source, target) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, target):
                self._close(s)

    @staticmethod
    def _close(s) -> None:
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        s.close()

    def cut(self) -> None:
        listener, self.listener = self.listener, None
        if listener:
            listener.close()
        with self.lock:
            for s in self.sockets:
                self._close(s)
            self.sockets.clear()


@pytest.fixture
def proxied(app, tmp_path):
    """A second app whose database connections all go through the proxy (same database as `app`)."""
    url = make_url(PG_URL)
    proxy = Proxy(url.host or "127.0.0.1", url.port or 5432)
    proxy.start()
    web = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=url.set(host="127.0.0.1", port=proxy.port)
                   .render_as_string(hide_password=False))
    yield web, proxy
    proxy.cut()
    with web.app_context():
        db.engine.dispose()


def wait_for(condition, what: str, seconds: float = 10) -> None:
    """Wait until condition() holds (fail with `what` if it never does)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.02)


def entries(client_entry_id: str) -> int:
    return db.session.scalar(select(func.count(DiaryEntry.id)).where(DiaryEntry.client_entry_id == client_entry_id))


def test_a_real_outage_under_load_answers_503_not_500_and_recovers_and_a_replay_arrives_once(proxied, peg_done):
    web, proxy = proxied
    world = peg_done
    clients = []
    for user in (world.patient_a_user, world.patient_b_user, world.caregiver):
        client = web.test_client()
        assert login(client, user).status_code == 302
        clients.append(client)
    phase, stop, errors = ["up"], threading.Event(), []
    results = [[] for _ in clients]  # (phase when the request started and ended, status)

    def load(client, out):
        while not stop.is_set():
            started = phase[0]
            try:
                status = client.get("/diary").status_code
            except Exception as error:  # noqa: BLE001 - an unhandled error is a 500: reported below
                errors.append(traceback.format_exc())
                status = 500
            out.append((started + ">" + phase[0], status))

    threads = [threading.Thread(target=load, args=pair, daemon=True) for pair in zip(clients, results)]
    for t in threads:
        t.start()
    try:
        wait_for(lambda: all(sum(1 for _, s in r if s == 200) >= 2 for r in results), "pages before the cut")
        proxy.cut()
        phase[0] = "down"
        wait_for(lambda: all(sum(1 for p, _ in r if p == "down>down") >= 3 for r in results), "requests during the cut")
        key = new_id()
        body = {"kind": "checkin", "answers": ORDINARY, "recorded_at": "2026-11-23T09:00:00Z"}
        replay = clients[0].post("/api/diary/entries", json=body, headers={"Idempotency-Key": key})
        assert replay.status_code == 503 and replay.get_json()["error"] == "unavailable"
        phase[0] = "restoring"
        proxy.start()
        phase[0] = "back"
        wait_for(lambda: all(sum(1 for p, s in r if p == "back>back" and s == 200) >= 2 for r in results),
                 "pages after the database came back")
    finally:
        stop.set()
        for t in threads:
            t.join(10)
    assert errors == [], "\n".join(errors)
    statuses = {s for r in results for _, s in r}
    assert statuses <= {200, 503} and 503 in statuses
    # Every request made entirely while the proxy was cut was refused cleanly.
    assert all({s for p, s in r if p == "down>down"} == {503} for r in results)
    assert all(r[-1][1] == 200 for r in results)
    assert entries(key) == 0
    replays = [clients[0].post("/api/diary/entries", json=body, headers={"Idempotency-Key": key}).status_code
               for _ in range(2)]
    assert replays == [201, 200] and entries(key) == 1
