"""A live server with the demo data, and Debian's Chromium driven by Playwright at phone size."""
import os
import shutil
import socket
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from companion.extensions import db
from tests.conftest import make_app

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
SHOTS = Path(__file__).parent / "screenshots"


def pytest_collection_modifyitems(config, items):
    """Browser tests skip only outside CI when Chromium is missing; in CI a missing browser fails."""
    here = Path(__file__).parent
    ours = [item for item in items if Path(str(item.fspath)).is_relative_to(here)]  # the hook sees every item
    missing = not Path(CHROMIUM).exists() and not os.environ.get("CI") and not os.environ.get("REQUIRE_BROWSER")
    for item in ours:
        item.add_marker(pytest.mark.browser)
        if missing:
            item.add_marker(pytest.mark.skip(reason="Debian chromium is not installed (apt-get install chromium)"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """The real app with demo data, served on 127.0.0.1 in a thread."""
    tmp = tmp_path_factory.mktemp("live")
    app = make_app(tmp, DEMO_MODE=True, SERVER_NAME=None)
    with app.app_context():
        from companion.demo import seed

        seed()
        db.session.remove()
    port = _free_port()
    app.config["COMPANION_BASE_URL"] = f"http://127.0.0.1:{port}"  # links in emails and set-up pages point here
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}", app
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    assert shutil.which(CHROMIUM) or Path(CHROMIUM).exists(), "install Debian's chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield p, browser
        browser.close()


@pytest.fixture
def phone(browser):
    """A fresh phone-sized context (Pixel 7)."""
    p, b = browser
    context = b.new_context(**p.devices["Pixel 7"])
    yield context
    context.close()


@pytest.fixture
def tablet(browser):
    """A fresh tablet-sized context."""
    p, b = browser
    context = b.new_context(viewport={"width": 1024, "height": 1366}, device_scale_factor=1, has_touch=True)
    yield context
    context.close()


def shot(page, name: str) -> Path:
    """Save a full-page screenshot to look at."""
    SHOTS.mkdir(exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page, base: str, email: str, password: str = "companion-demo") -> None:
    """Sign in through the login form."""
    page.goto(base + "/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("form#login-form button[type=submit]")
    page.wait_for_load_state("networkidle")


@pytest.fixture
def clinic_today():
    """Freeze the live server's clock at noon in the demo clinic's zone for one test and give that date, so a test
    that compares with "today" cannot fail when it runs across midnight."""
    from datetime import datetime, time, timezone
    from zoneinfo import ZoneInfo

    from companion import clock

    zone = ZoneInfo("America/New_York")
    noon = datetime.combine(datetime.now(zone).date(), time(12), tzinfo=zone)
    clock.freeze(noon.astimezone(timezone.utc))
    yield noon.date()
    clock.freeze(None)


def wait_until(page, predicate: str, seconds: float = 15) -> None:
    """Poll a JavaScript predicate, which may be async, until it returns true (page.evaluate awaits a promise;
    wait_for_function does not: microsoft/playwright#29132)."""
    for _ in range(int(seconds * 10)):
        if page.evaluate(predicate) is True:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"still false after {seconds} s: {predicate}")


def wait_for_empty_outbox(page, seconds: float = 15) -> None:
    """Poll the offline outbox until it is empty (wait_for_function does not await an async predicate:
    microsoft/playwright#29132, so `async () => ...` would pass at once)."""
    for _ in range(int(seconds * 10)):
        if page.evaluate("window.companionOutbox.count()") == 0:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"the outbox still holds {page.evaluate('window.companionOutbox.count()')} entries")
