"""Locust users: nurses opening the triage queue, the roster and patient records."""
import os
import random
import re
import time

from locust import FastHttpUser, between, task

CLINICS = int(os.environ.get("BENCH_CLINICS", "1"))
STARTED = time.monotonic()  # locust imports this file as the run starts
WARMUP = float(os.environ.get("BENCH_WARMUP", "15"))


def named(name: str) -> str:
    """The request's name, marked "(warm-up)" in the first seconds so the report can leave them out."""
    return f"{name} (warm-up)" if time.monotonic() - STARTED < WARMUP else name


TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')


class Nurse(FastHttpUser):
    """A nurse at a clinic tablet."""

    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        """Sign in as the nurse of a random bench clinic."""
        self.clinic = random.randint(1, CLINICS)
        token = TOKEN.search(self.client.get("/login", name="login page").text).group(1)
        self.client.post("/login", data={"email": f"nurse{self.clinic}@bench.test", "password": "bench-password-1",
                                         "csrf_token": token}, name="sign in")

    @task(3)
    def queue(self) -> None:
        """The triage queue."""
        self.client.get("/care", name=named("queue"))

    @task(2)
    def roster(self) -> None:
        """The roster."""
        self.client.get("/care/patients", name=named("roster"))

    @task(3)
    def record(self) -> None:
        """A patient record with a year of entries."""
        patient = self.clinic * 100_000 + random.randint(0, 999)
        self.client.get(f"/care/patients/{patient}", name=named("patient record"))
