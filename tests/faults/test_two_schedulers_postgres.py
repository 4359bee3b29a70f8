"""Two real `flask scheduler` processes against one PostgreSQL database (a deploy overlap): one sweeps, nobody twice."""
import asyncio
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import datetime, timezone

import pytest
from sqlalchemy import text

from companion.extensions import db
from companion.notify import dispatcher, services
from tests.conftest import PG_URL
from tests.notify.conftest import Inbox, Smtp

pytestmark = pytest.mark.postgres
EMAILS = 8


class GatedInbox(Inbox):
    """A mail server that holds each message (up to 5 s, below the sender's 10 s timeout) until the gate opens:
    the first sweep is still running, holding its lock, when the second process starts."""

    def __init__(self):
        super().__init__()
        self.gate = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        for _ in range(100):
            if self.gate.is_set():
                break
            await asyncio.sleep(0.05)
        return await super().handle_DATA(server, session, envelope)


def lock_holders() -> list[str]:
    """Which scheduler (application_name) holds the dispatch_outbox advisory lock (an xact lock on a bigint key)."""
    key = dispatcher._lock_key("dispatch_outbox") & (2 ** 64 - 1)
    names = db.session.scalars(text(
        "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = :high AND l.objid = :low AND l.objsubid = 1 "
        "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"),
        {"high": key >> 32, "low": key & 0xFFFFFFFF}).all()
    db.session.commit()
    return list(names)


def connected() -> set[str]:
    """The scheduler processes with a connection to the test database now."""
    names = set(db.session.scalars(text("SELECT application_name FROM pg_stat_activity "
                                        "WHERE datname = current_database() AND application_name LIKE 'scheduler-%'")))
    db.session.commit()
    return names


def scheduler(tmp_path, name: str, smtp_url: str) -> subprocess.Popen:
    """Start `flask scheduler` as its own process on the test database; its output goes to a file."""
    env = {**os.environ, "DATABASE_URL": PG_URL, "SMTP_URL": smtp_url, "SECRET_KEY": "fault-test", "PGAPPNAME": name,
           "COMPANION_INSTANCE": str(tmp_path / name), "COMPANION_DEMO": "0", "COMPANION_SCHEDULER": "off"}
    out = open(tmp_path / f"{name}.log", "w")  # noqa: SIM115 - closed with the process below
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "companion", "scheduler"], env=env,
                            stdout=out, stderr=subprocess.STDOUT)


def test_two_scheduler_processes_at_once_one_holds_the_lock_and_each_email_goes_out_once(app, world, tmp_path):
    long_ago = datetime(2020, 1, 1, tzinfo=timezone.utc)  # due whatever the real clock of the processes says
    for n in range(EMAILS):
        services.enqueue(user_id=world.nurse1.id, kind="case_opened", dedupe_key=f"two-{n}", channels=("email",),
                         due_at=long_ago)
    db.session.commit()
    server = Smtp()
    server.inbox = GatedInbox()
    server.start()
    names = ("scheduler-1", "scheduler-2")
    processes = [scheduler(tmp_path, name, server.url) for name in names]
    samples, both_seen = [], None
    try:
        deadline = time.monotonic() + 90  # starting Python and the app takes seconds on a busy machine
        while len(server.inbox.messages) < EMAILS:
            assert time.monotonic() < deadline, "the schedulers never sent every email"
            assert all(p.poll() is None for p in processes), "a scheduler process died"
            samples.append(lock_holders())
            if both_seen is None and connected() == set(names):
                both_seen = time.monotonic()  # each runs its jobs at start: the second's sweep is now under way
            if both_seen and time.monotonic() > both_seen + 1:
                server.inbox.gate.set()
            time.sleep(0.05)
        time.sleep(1.5)  # a late duplicate from the other process would arrive now
        assert all(p.poll() is None for p in processes)  # both still running: the loser skipped, it did not crash
    finally:
        for p in processes:
            p.terminate()
            p.wait(10)
        server.stop()
    assert both_seen is not None  # the two processes really ran at the same time
    assert max(len(s) for s in samples) == 1  # one sweep at a time, never two
    holders = {name for s in samples for name in s}
    assert len(holders) == 1 and holders <= set(names)  # one runner held the lock all through its sweep
    per_row = Counter(m["X-Companion-Notification"] for m in server.inbox.messages)
    assert len(per_row) == EMAILS and set(per_row.values()) == {1}
    for name in names:
        assert "Companion scheduler running" in (tmp_path / f"{name}.log").read_text()
