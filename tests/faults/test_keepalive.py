"""A client that reuses an idle connection (a load balancer, a phone between two answers) is answered, not reset:
gunicorn keeps idle connections longer than its 2 s default (gunicorn.conf.py)."""
import http.client
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.perf.two_hosts import free_port

ROOT = Path(__file__).resolve().parents[2]
IDLE = 3  # seconds between two requests on one connection: longer than gunicorn's default keepalive of 2 s


def test_a_connection_idle_for_a_few_seconds_is_still_answered(tmp_path):
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'k.sqlite3'}", "COMPANION_INSTANCE": str(tmp_path),
           "COMPANION_SCHEDULER": "off"}
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "-w", "1",
                             "-k", "gthread", "--threads", "2", "-b", f"127.0.0.1:{port}", "companion:create_app()"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                conn.request("GET", "/static/css/app.css")
                first = conn.getresponse()
                first.read()
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.3)
        assert first.status == 200 and first.getheader("Connection", "").lower() != "close"
        time.sleep(IDLE)
        conn.request("GET", "/static/css/app.css")  # the same socket: a closed one raises RemoteDisconnected here
        second = conn.getresponse()
        second.read()
        assert second.status == 200
        conn.close()
    finally:
        proc.terminate()
        proc.wait(20)
