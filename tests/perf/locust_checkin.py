"""Locust users: bench patients signing in once, then posting ordinary daily check-ins."""
import os
import random
import re
import time
import uuid
from datetime import datetime, timezone

from locust import FastHttpUser, between, constant, task

CLINICS = int(os.environ.get("BENCH_CLINICS", "1"))
THINK = os.environ.get("BENCH_THINK", "1")  # "0": closed loop, for the throughput ceiling
STARTED = time.monotonic()  # locust imports this file as the run starts
WARMUP = float(os.environ.get("BENCH_WARMUP", "15"))


def named(name: str) -> str:
    """The request's name, marked "(warm-up)" in the first seconds so the report can leave them out."""
    return f"{name} (warm-up)" if time.monotonic() - STARTED < WARMUP else name


TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')
# Several web hosts, no sticky sessions: each request goes to any of them ("http://a http://b"); empty: -H only.
HOSTS = os.environ.get("BENCH_HOSTS", "").split()


def at(path: str) -> str:
    """The path on a host picked per request (the same signed session cookie works on every host)."""
    return random.choice(HOSTS) + path if HOSTS else path


class Patient(FastHttpUser):
    """One patient on a phone."""

    wait_time = constant(0) if THINK == "0" else between(0.5, 1.5)

    def on_start(self) -> None:
        """Sign in as a random bench patient and read the CSRF token."""
        clinic, n = random.randint(1, CLINICS), random.randint(0, 999)
        page = self.client.get(at("/login"), name="login page").text
        token = TOKEN.search(page).group(1)
        self.client.post(at("/login"), data={"email": f"p{clinic}-{n}@bench.test", "password": "bench-password-1",
                                         "csrf_token": token}, name="sign in")
        self.token = TOKEN.search(self.client.get(at("/checkin"), name="check-in page").text).group(1)

    @task
    def checkin(self) -> None:
        """An ordinary day: pain, the weekly PEG, nothing new (htmx post, the partial comes back)."""
        form = {"client_entry_id": str(uuid.uuid4()), "recorded_at": datetime.now(timezone.utc).isoformat(),
                "pain_now": str(random.randint(1, 7)), "anything_new": "no", "peg.pain_avg": "4",
                "peg.enjoyment": "4", "peg.activity": "4", "csrf_token": self.token}
        with self.client.post(at("/checkin"), data=form, headers={"HX-Request": "true", "X-CSRFToken": self.token},
                              name=named("check-in post"), catch_response=True) as response:
            if response.status_code != 200 or "data-entry-saved" not in response.text:
                response.failure(f"status {response.status_code}")
