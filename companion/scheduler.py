"""The JOBS registry and the one scheduler runner (in-process only for the embedded default)."""
import logging
import os
import socket
from dataclasses import dataclass
from typing import Callable

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from sqlalchemy import select

from companion.clock import utcnow
from companion.extensions import db
from companion.scheduler_models import SchedulerHeartbeat

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """A static job: fixed id, interval, and an idempotent function of the app."""

    id: str
    seconds: int
    func: Callable[[], None]


def heartbeat(name: str = "scheduler") -> None:
    """Record that the scheduler is alive, for /healthz in every web worker."""
    row = db.session.get(SchedulerHeartbeat, name)
    if row is None:
        row = SchedulerHeartbeat(name=name, beat_at=utcnow())
        db.session.add(row)
    row.beat_at, row.host, row.pid = utcnow(), socket.gethostname()[:200], os.getpid()
    db.session.commit()


JOBS: list[Job] = [Job("heartbeat", 30, heartbeat)]


def register(job: Job) -> None:
    """Capabilities add their jobs here at import time (ids are unique)."""
    if any(existing.id == job.id for existing in JOBS):
        raise ValueError(f"duplicate job id {job.id}")
    JOBS.append(job)


def _run(app: Flask, job: Job) -> None:
    """Run one job inside an app context; a failure is logged and retried next tick."""
    with app.app_context():
        try:
            job.func()
        except Exception:  # noqa: BLE001 - one failing tick must not stop the scheduler
            db.session.rollback()
            log.exception("job %s failed", job.id)
        finally:
            db.session.remove()


def build_scheduler(app: Flask, blocking: bool = False):
    """A scheduler with every registered job: coalesced, one instance each, fixed ids."""
    scheduler = (BlockingScheduler if blocking else BackgroundScheduler)(timezone="UTC")
    for job in JOBS:
        scheduler.add_job(_run, "interval", seconds=job.seconds, args=(app, job), id=job.id,
                          replace_existing=True, coalesce=True, max_instances=1, misfire_grace_time=3600,
                          next_run_time=utcnow())
    return scheduler


def start_in_process(app: Flask):
    """Embedded default only: a background scheduler in the single dev process."""
    scheduler = build_scheduler(app)
    scheduler.start()
    app.extensions["scheduler"] = scheduler
    return scheduler


def latest_beat() -> SchedulerHeartbeat | None:
    """The newest heartbeat row."""
    return db.session.scalar(select(SchedulerHeartbeat).order_by(SchedulerHeartbeat.beat_at.desc()))
