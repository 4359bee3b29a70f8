"""Several web hosts behind no sticky sessions: start real gunicorn processes on one PostgreSQL database, and
check over plain HTTP that what one host wrote (a wound photo, a check-in) the other serves. Used by `make bench`
and by tests/faults/test_two_hosts_postgres.py."""
import io
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import requests

TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')
PHOTO = re.compile(r'src="(/diary/photos/\d+)"')  # the diary's thumbnail (its link opens the comparison page)


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(base: str, proc: subprocess.Popen, seconds: float = 120) -> None:
    """Poll /healthz until the host answers (or its process died)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"the web host for {base} exited with {proc.returncode}")
        try:
            if requests.get(base + "/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{base} did not come up")


@contextmanager
def web_hosts(env: dict, instances: list[Path], workers: int = 2, cwd: Path | None = None):
    """One gunicorn per instance folder (its own local disk), each on a free port, same database and secret key;
    yields their base URLs and stops them afterwards."""
    procs, bases = [], []
    try:
        for folder in instances:
            folder.mkdir(parents=True, exist_ok=True)
            port = free_port()
            log = open(folder / "gunicorn.log", "w")  # noqa: SIM115 - closed when the process ends
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-w", str(workers), "-k", "gthread", "--threads", "4",
                 "-b", f"127.0.0.1:{port}", "--log-level", "warning", "companion:create_app()"],
                env={**env, "COMPANION_INSTANCE": str(folder), "COMPANION_STORAGE": "database"}, cwd=cwd,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
            bases.append(f"http://127.0.0.1:{port}")
        for base, proc in zip(bases, procs):
            wait_up(base, proc)
        yield bases
    finally:
        for proc in procs:
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


def sign_in(base: str, email: str, password: str) -> tuple[requests.Session, str]:
    """A browser-like session signed in through the real login form; returns it and the page's CSRF token."""
    s = requests.Session()
    token = TOKEN.search(s.get(base + "/login", timeout=30).text).group(1)
    response = s.post(base + "/login", data={"email": email, "password": password, "csrf_token": token}, timeout=30)
    response.raise_for_status()
    page = s.get(base + "/checkin", timeout=30)
    if page.status_code != 200 or not TOKEN.search(page.text):
        raise RuntimeError(f"sign-in as {email} on {base} failed ({page.status_code})")
    return s, TOKEN.search(page.text).group(1)


def jpeg(size=(1200, 900)) -> bytes:
    """A phone-sized photo (a gradient, so the re-encoded file is not trivially small)."""
    from PIL import Image

    image = Image.linear_gradient("L").resize(size).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def upload_wound_photo(s: requests.Session, base: str, token: str) -> str:
    """Post a calm wound check with a belly photo through this host; the photo's path on the diary page."""
    answers = {f"{site}.{k}": v for site in ("belly", "back")
               for k, v in (("redness", "edges_only"), ("drainage", "none"), ("swelling", "stable"))}
    before = set(PHOTO.findall(s.get(base + "/diary", timeout=30).text))
    response = s.post(base + "/wound", data={**answers, "client_entry_id": str(uuid.uuid4()), "csrf_token": token},
                      files={"belly.photo": ("IMG_0001.jpg", jpeg(), "image/jpeg")},
                      headers={"X-CSRFToken": token}, timeout=60)
    if response.status_code != 200:
        raise RuntimeError(f"wound upload on {base} answered {response.status_code}")
    new = set(PHOTO.findall(s.get(base + "/diary", timeout=30).text)) - before
    if len(new) != 1:
        raise RuntimeError(f"expected one new photo on {base}'s diary, found {sorted(new)}")
    return new.pop()


def post_checkin(s: requests.Session, base: str, token: str, pain: int) -> requests.Response:
    """An ordinary htmx check-in through this host (with the weekly PEG, due on a first check-in)."""
    return s.post(base + "/checkin", headers={"HX-Request": "true", "X-CSRFToken": token}, timeout=30,
                  data={"client_entry_id": str(uuid.uuid4()), "pain_now": str(pain), "anything_new": "no",
                        "peg.pain_avg": "4", "peg.enjoyment": "4", "peg.activity": "4", "csrf_token": token})


def cross_host_check(bases: list[str], email: str, password: str) -> dict:
    """Sign in once on each host with the one account (no sticky sessions); a photo uploaded through the first is
    served byte-identical by the second, and a check-in posted on the first is in the second's diary."""
    a, b = bases[0], bases[1]
    on_a, token = sign_in(a, email, password)
    on_b = requests.Session()
    on_b.cookies.update(on_a.cookies)  # the same browser, routed to another host: same signed session cookie
    path = upload_wound_photo(on_a, a, token)
    from_a, from_b = on_a.get(a + path, timeout=30), on_b.get(b + path, timeout=30)
    checkin = post_checkin(on_a, a, token, pain=7)
    diary_b = on_b.get(b + "/diary", timeout=30)
    return {"photo_bytes": len(from_a.content), "photo_status_b": from_b.status_code,
            "photo_identical": from_a.status_code == 200 and from_b.content == from_a.content,
            "photo_type_b": from_b.headers.get("Content-Type"), "checkin_status_a": checkin.status_code,
            "checkin_saved_a": "data-entry-saved" in checkin.text, "diary_status_b": diary_b.status_code,
            "checkin_in_b_diary": "Pain 7 of 10" in diary_b.text}
