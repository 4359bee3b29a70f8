"""`make bench`: the production shape on this machine (PostgreSQL, gunicorn, the scheduler process),
seeded data, load on 127.0.0.1 only, each figure beside a baseline from the same run; writes a table
into the README. Bounded in time; BENCH_QUICK=1 shortens every phase."""
import csv
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "out" / "bench"
BIN = Path(sys.executable).parent
DB = os.environ.get("BENCH_DB", "companion_bench")  # the PostgreSQL cluster may be shared: a name of one's own
PG = f"postgresql+psycopg://app:app@127.0.0.1:5432/{DB}"
QUICK = os.environ.get("BENCH_QUICK") == "1"
LOAD_SECONDS = 20 if QUICK else 60
WARMUP = 15  # seconds of each load run left out of the steady-state figures (see locust())
SOAK_SECONDS = int(os.environ.get("BENCH_SOAK", "60" if QUICK else "600"))
CLINICS_FULL = 2 if QUICK else 10
WORKERS = 2 * os.cpu_count() + 1
APP_PORT, BARE_PORT, SMTP_PORT = 8011, 8012, 8025
ENV = {**os.environ, "DATABASE_URL": PG, "SECRET_KEY": "bench-secret", "FLASK_APP": "companion",
       "COMPANION_SCHEDULER": "off", "COMPANION_INSTANCE": str(OUT / "instance"),
       "SMTP_URL": f"smtp://127.0.0.1:{SMTP_PORT}", "PYTHONUNBUFFERED": "1"}
results: dict = {}


def log(message: str) -> None:
    """Progress on stderr."""
    print(f"[bench {datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def run(*cmd: str, env=None, timeout: int = 1800) -> str:
    """Run a command, fail loudly, return its output."""
    done = subprocess.run(cmd, cwd=ROOT, env=env or ENV, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"{cmd} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return done.stdout


def wait_for(url: str, seconds: float = 180) -> None:
    """Poll a URL until it answers."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not come up")


@contextmanager
def process(*cmd: str, url: str | None = None, env=None):
    """A background process (its own process group), stopped afterwards."""
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env or ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        if url:
            wait_for(url)
        yield proc
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:  # a worker stuck in a long request: do not hang the run
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)


HEALTH = {"companion": "/healthz", "tests.perf.bare_app": "/bare", "tests.perf.durable_app": "/durable"}


def gunicorn(app: str, port: int, env=None):
    """The production web tier: gthread workers, (2 x cores) + 1 of them."""
    return process(str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "-w", str(WORKERS), "-k", "gthread",
                   "--threads", "4", "-b", f"127.0.0.1:{port}", "--log-level", "warning", app,
                   url=f"http://127.0.0.1:{port}{HEALTH[app.split(':')[0]]}", env=env)


def locust(locustfile: str, users: int, seconds: int, port: int, name: str, extra_env=None) -> dict:
    """Run locust headless on loopback; return the aggregated and per-name rows of its CSV."""
    prefix = OUT / name
    env = {**ENV, "BENCH_WARMUP": str(WARMUP), **(extra_env or {})}
    # Users start 5 a second; requests in the first WARMUP seconds carry their own "(warm-up)" names, so the
    # figures are the steady state, not the sign-in storm (dozens of Argon2id hashes at once on two cores)
    # that only happens when a benchmark starts everyone together. The warm-up rows stay in the CSV.
    run(str(BIN / "locust"), "-f", f"tests/perf/{locustfile}", "--headless", "-u", str(users), "-r", "5",
        "-t", f"{seconds + WARMUP}s", "-H", f"http://127.0.0.1:{port}", "--csv", str(prefix), "--only-summary",
        "--stop-timeout", "5", "--exit-code-on-error", "0", env=env, timeout=seconds + WARMUP + 120)
    rows = {}
    with open(f"{prefix}_stats.csv") as f:
        for row in csv.DictReader(f):
            rows[row["Name"]] = {"count": int(row["Request Count"]), "failures": int(row["Failure Count"]),
                                 "rps": float(row["Requests/s"]), "p50": float(row["50%"]),
                                 "p95": float(row["95%"]), "p99": float(row["99%"])}
    return rows


def flask_python(code: str, env=None) -> str:
    """Run Python against the bench database inside an app context (a separate process)."""
    script = ("from companion import create_app\nfrom companion.extensions import db\napp = create_app()\n"
              "with app.app_context():\n" + "\n".join("    " + line for line in code.strip().splitlines()))
    return run(str(BIN / "python"), "-c", script, env=env)


def fresh_database() -> None:
    """An empty PostgreSQL database at the migrations' head."""
    run("bash", ".ci/postgres", DB)
    run(str(BIN / "flask"), "db", "upgrade")


def seed(clinics: int, first: int, with_diary: bool = True, env=None) -> dict:
    """Bulk rows through tests/perf/seed.py."""
    out = flask_python(f"from tests.perf.seed import seed\nprint(seed({clinics}, first_clinic={first}, "
                       f"with_diary={with_diary}))", env=env)
    return eval(out.strip().splitlines()[-1])  # noqa: S307 - our own dict literal


def measure_pages(label: str) -> None:
    """p95 of queue, roster and record pages at 10 concurrent nurses (with the scheduler running)."""
    with gunicorn("companion:create_app()", APP_PORT), process(str(BIN / "flask"), "scheduler"):
        rows = locust("locust_pages.py", 10, LOAD_SECONDS, APP_PORT, f"pages-{label}",
                      {"BENCH_CLINICS": "1"})
    results[f"pages_{label}"] = {k: rows[k] for k in ("queue", "roster", "patient record") if k in rows}


def measure_checkin() -> None:
    """Check-in posts at 50 users (latency), closed-loop throughput, the bare-Flask ceiling and the minimal
    durable write (session, CSRF, one row, commit) that is the check-in's honest baseline."""
    with gunicorn("companion:create_app()", APP_PORT), process(str(BIN / "flask"), "scheduler"):
        paced = locust("locust_checkin.py", 50, LOAD_SECONDS, APP_PORT, "checkin-50", {"BENCH_CLINICS": "1"})
        flat = locust("locust_checkin.py", 50, LOAD_SECONDS, APP_PORT, "checkin-max",
                      {"BENCH_CLINICS": "1", "BENCH_THINK": "0"})
    with gunicorn("tests.perf.bare_app:app", BARE_PORT):
        bare = locust("locust_bare.py", 50, LOAD_SECONDS, BARE_PORT, "bare-max")
    run(str(BIN / "python"), "-m", "tests.perf.durable_app")  # its one table, before the workers start
    with gunicorn("tests.perf.durable_app:app", BARE_PORT):
        durable = locust("locust_durable.py", 50, LOAD_SECONDS, BARE_PORT, "durable-max")
    results["checkin_50"] = paced["check-in post"]
    results["checkin_max"] = flat["check-in post"]
    results["bare_max"] = bare["/bare"]
    results["durable_max"] = durable["durable write"]


def measure_two_hosts() -> None:
    """Two web hosts on one database behind no sticky sessions (photos in the database): a photo uploaded through
    one is served byte-identical by the other, a check-in on one is in the other's diary; then the check-in load at
    50 users with each request sent to either host."""
    from tests.perf.two_hosts import cross_host_check, web_hosts

    half = os.cpu_count() + 1  # the two hosts together have about the workers of the single host above
    with web_hosts(ENV, [OUT / "host-a", OUT / "host-b"], workers=half, cwd=ROOT) as bases, \
            process(str(BIN / "flask"), "scheduler"):
        check = cross_host_check(bases, "p1-9@bench.test", "bench-password-1")
        rows = locust("locust_checkin.py", 50, LOAD_SECONDS, int(bases[0].rsplit(":", 1)[1]), "checkin-2hosts",
                      {"BENCH_CLINICS": "1", "BENCH_HOSTS": " ".join(bases)})
    results["two_hosts"] = {**check, "workers_each": half, "checkin": rows["check-in post"]}


def measure_red_flag_to_email(samples: int = 20 if QUICK else 40) -> None:
    """Seconds from a red-flag check-in post to the email accepted by a local SMTP server."""
    from aiosmtpd.controller import Controller

    arrivals: list[float] = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
            arrivals.append(time.monotonic())
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=SMTP_PORT)
    controller.start()
    try:
        with gunicorn("companion:create_app()", APP_PORT):
            import requests

            s = requests.Session()
            token = re.search(r'"X-CSRFToken": "([^"]+)"', s.get(f"http://127.0.0.1:{APP_PORT}/login").text).group(1)
            s.post(f"http://127.0.0.1:{APP_PORT}/login", data={"email": "p1-7@bench.test",
                                                                "password": "bench-password-1", "csrf_token": token})
            token = re.search(r'"X-CSRFToken": "([^"]+)"', s.get(f"http://127.0.0.1:{APP_PORT}/checkin").text).group(1)
            delays = []
            for i in range(samples):
                seen = len(arrivals)
                start = time.monotonic()
                s.post(f"http://127.0.0.1:{APP_PORT}/checkin", headers={"HX-Request": "true", "X-CSRFToken": token},
                       data={"client_entry_id": f"00000000-0000-4000-8000-{i:012d}", "pain_now": "5",
                             "anything_new": "yes", "pump_alarm": "two_tone", "peg.pain_avg": "4",
                             "peg.enjoyment": "4", "peg.activity": "4"})
                while len(arrivals) == seen and time.monotonic() - start < 30:
                    time.sleep(0.005)
                if len(arrivals) > seen:
                    delays.append(arrivals[seen] - start)
                time.sleep(0.2)  # let every recipient's email land before the next case
    finally:
        controller.stop()
    delays.sort()
    results["red_flag_email"] = {"samples": len(delays), "of": samples,
                                 "p50": statistics.median(delays) if delays else None,
                                 "p99": delays[min(len(delays) - 1, int(len(delays) * 0.99))] if delays else None}


def measure_reminder_sweep(label: str, env=None) -> None:
    """Seconds and peak memory of the reminder sweeps of one day over every seeded patient (the seed's today,
    New York): refill reminders at 00:05, the day's first (each clinic's review digest; no reminder is due before
    09:00); 09:05, the busiest (every 09:00 reminder falls due); 09:10, the next one, which finds nothing new; then
    the check-in reminders at 12:05 as the first sweep of the day (every time chosen since 08:00 at once, nobody
    checked in: a catch-up after the scheduler was down all morning), at 18:35, and at 19:05 (the 19:00 times, as
    every day when the sweep runs each 5 minutes) and 19:10 (nothing new)."""
    out = flask_python("""
import resource, time
from datetime import date, datetime, time as clock_time
from zoneinfo import ZoneInfo
from sqlalchemy import func, select
from companion.accounts.models import Patient
from companion.notify.models import Notification
from companion.diary.services import send_checkin_reminders
from companion.pump.jobs import send_refill_reminders
day = lambda h, m: datetime.combine(date.today(), clock_time(h, m), ZoneInfo("America/New_York"))
rows = lambda: db.session.scalar(select(func.count()).select_from(Notification).where(Notification.kind.in_(("refill_reminder", "refill_review", "checkin_reminder"))))
out = {"patients": db.session.scalar(select(func.count()).select_from(Patient))}
for name, at, sweep in (("midnight", day(0, 5), send_refill_reminders),
                        ("peak", day(9, 5), send_refill_reminders),
                        ("repeat", day(9, 10), send_refill_reminders),
                        ("checkin_catchup", day(12, 5), send_checkin_reminders),
                        ("checkin_1835", day(18, 35), send_checkin_reminders),
                        ("checkin", day(19, 5), send_checkin_reminders),
                        ("checkin_repeat", day(19, 10), send_checkin_reminders)):
    before = rows()
    db.session.commit()
    t = time.perf_counter()  # no tracemalloc: it slows the sweep several times over; memory is the process's RSS
    due = sweep(at)
    seconds = time.perf_counter() - t
    out[name] = {"at": at.isoformat(), "seconds": seconds, "due": due, "new_rows": rows() - before}
    db.session.commit()
out["maxrss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(out)
""", env=env)
    results[f"sweep_{label}"] = eval(out.strip().splitlines()[-1])  # noqa: S307 - our own dict literal


def measure_sweep_sqlite() -> None:
    """The same sweeps on SQLite, the embedded default: 100,000 patients in a file database (plain inserts)."""
    path = OUT / "sweep.sqlite3"
    path.unlink(missing_ok=True)
    env = {**ENV, "DATABASE_URL": f"sqlite:///{path}"}
    run(str(BIN / "flask"), "db", "upgrade", env=env)
    results["seed_sqlite"] = seed(10 if QUICK else 100, 1, with_diary=False, env=env)
    measure_reminder_sweep("sqlite_100k", env=env)


def measure_first_load(with_lighthouse: bool = True) -> None:
    """Bytes of the check-in page's first load as Chromium receives them from the app (no proxy): a Pixel 7, an
    empty cache, no service worker, the signed-in cookie; headers and bodies as sent (compressed or not)."""
    import requests
    from playwright.sync_api import sync_playwright

    with gunicorn("companion:create_app()", APP_PORT):
        s = requests.Session()
        base = f"http://127.0.0.1:{APP_PORT}"
        token = re.search(r'"X-CSRFToken": "([^"]+)"', s.get(base + "/login").text).group(1)
        s.post(base + "/login", data={"email": "p1-8@bench.test", "password": "bench-password-1", "csrf_token": token})
        cookie = s.cookies.get("companion")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic"])
            context = browser.new_context(**p.devices["Pixel 7"], service_workers="block")
            context.add_cookies([{"name": "companion", "value": cookie, "url": base}])
            page = context.new_page()
            loads = []
            page.on("requestfinished", lambda request: loads.append(request))
            page.goto(base + "/checkin")
            page.wait_for_load_state("networkidle")
            sizes, encodings = {"html": 0, "css": 0, "js": 0, "other": 0}, set()
            for request in loads:
                kind = request.response().headers.get("content-type", "")
                wire = request.sizes()
                kind = next((k for k, t in (("html", "text/html"), ("css", "text/css"), ("js", "javascript"))
                             if t in kind), "other")
                sizes[kind] += wire["responseBodySize"] + wire["responseHeadersSize"]
                encodings.add(request.response().headers.get("content-encoding", "identity"))
            browser.close()
        results["first_load"] = sizes | {"total": sum(sizes.values()), "responses": len(loads),
                                         "encodings": sorted(encodings), "how": "Chromium, on the wire"}
        if with_lighthouse:
            results["lighthouse"] = lighthouse(base, cookie)


def lighthouse(base: str, cookie: str | None) -> dict:
    """Lighthouse 12 (pinned devDependency) mobile scores for login, home, check-in and queue."""
    scores = {}
    staff_cookie = None
    import requests

    nurse = requests.Session()
    token = re.search(r'"X-CSRFToken": "([^"]+)"', nurse.get(base + "/login").text).group(1)
    nurse.post(base + "/login", data={"email": "nurse1@bench.test", "password": "bench-password-1", "csrf_token": token})
    staff_cookie = nurse.cookies.get("companion")
    for name, path, jar in (("login", "/login", None), ("home", "/", cookie), ("check-in", "/checkin", cookie),
                            ("queue", "/care", staff_cookie)):
        target = OUT / f"lh-{name}.json"
        cmd = [str(ROOT / "node_modules/.bin/lighthouse"), base + path, "--quiet", "--output=json",
               f"--output-path={target}", "--only-categories=performance,accessibility",
               "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-background-networking"]
        if jar:
            cmd.append("--extra-headers=" + json.dumps({"Cookie": f"companion={jar}"}))
        for attempt in range(3):  # Lighthouse sometimes loses the trace (NO_NAVSTART): a fresh run records it
            try:
                run(*cmd, env={**ENV, "CHROME_PATH": "/usr/bin/chromium"}, timeout=180)
                break
            except RuntimeError as error:
                if attempt == 2 or "Please run Lighthouse again" not in str(error):
                    raise
                log(f"Lighthouse {name}: {str(error).splitlines()[-1][:80]}; again")
        report = json.loads(target.read_text())
        scores[name] = {k: round(report["categories"][k]["score"] * 100) for k in ("performance", "accessibility")}
    return scores


def soak() -> None:
    """Load at 50 users for BENCH_SOAK seconds: errors, and worker memory at start and end."""
    with gunicorn("companion:create_app()", APP_PORT) as server, process(str(BIN / "flask"), "scheduler"):
        def rss() -> float:
            children = run("pgrep", "-g", str(server.pid)).split()
            return sum(int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * 4096 for pid in children) / 2**20

        time.sleep(2)
        start = rss()
        rows = locust("locust_checkin.py", 50, SOAK_SECONDS, APP_PORT, "soak", {"BENCH_CLINICS": "1"})
        end = rss()
    row = rows["Aggregated"]
    results["soak"] = {"seconds": SOAK_SECONDS, "requests": row["count"], "failures": row["failures"],
                       "rss_start_mib": round(start), "rss_end_mib": round(end)}


def main() -> None:
    """Every phase in order; the table goes to out/bench/results.json and the README."""
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    load_before = os.getloadavg()[0]  # other work on the machine skews every figure: say so in the table
    log("fresh database, 1,000 patients with a year of check-ins")
    fresh_database()
    results["seed_1k"] = seed(1, 1)
    measure_pages("1k")
    log(f"growing to {CLINICS_FULL * 1000:,} patients")
    results["seed_full"] = seed(CLINICS_FULL - 1, 2)
    measure_pages("full")
    measure_reminder_sweep("full")
    log("check-in load and the bare-Flask ceiling")
    measure_checkin()
    log("two web hosts, no sticky sessions")
    measure_two_hosts()
    log("red flag to email")
    measure_red_flag_to_email()
    log("first load and Lighthouse")
    measure_first_load()
    log(f"soak for {SOAK_SECONDS} s")
    soak()
    log("reminder sweep over 100,000 patients")
    results["seed_100k"] = seed(100 - CLINICS_FULL if not QUICK else 8, CLINICS_FULL + 1, with_diary=False)
    measure_reminder_sweep("100k")
    log("the same sweeps on SQLite")
    measure_sweep_sqlite()
    results["meta"] = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "quick": QUICK,
                       "cpus": os.cpu_count(), "workers": WORKERS, "warmup": WARMUP, "load_before": round(load_before, 1), "minutes": round((time.monotonic() - started) / 60, 1),
                       "machine": run("uname", "-srm").strip()}
    (OUT / "results.json").write_text(json.dumps(results, indent=2, default=str))
    from tests.perf.report import write_readme

    table = write_readme(results, ROOT / "README.md")
    print(table)


def only(phases: list[str]) -> None:
    """`python -m tests.perf.bench PHASE...`: single phases on a fresh database with just the seed they need, for
    a busy machine; results to out/bench/phases.json, the README untouched."""
    OUT.mkdir(parents=True, exist_ok=True)
    if phases != ["sweep-sqlite"]:  # SQLite alone needs no PostgreSQL database
        fresh_database()
        results["seed_1k"] = seed(1, 1, with_diary="sweep" not in phases or len(phases) > 1)
    for phase in phases:
        log(f"phase {phase}")
        if phase == "sweep":
            results["seed_100k"] = seed(99 if not QUICK else 9, 2, with_diary=False)
            measure_reminder_sweep("100k")
        elif phase == "sweep-sqlite":
            measure_sweep_sqlite()
        else:
            {"checkin": measure_checkin, "hosts": measure_two_hosts, "first-load": lambda: measure_first_load(False)}[phase]()
    results["meta"] = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "quick": QUICK,
                       "load_before": round(os.getloadavg()[0], 1), "phases": phases}
    (OUT / "phases.json").write_text(json.dumps(results, indent=2, default=str))
    print(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    only(sys.argv[1:]) if sys.argv[1:] else main()
