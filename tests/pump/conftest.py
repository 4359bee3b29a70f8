"""Pump test helpers: a pump profile, refills recorded and confirmed through the services, a local SMTP server."""
import threading
from decimal import Decimal as D

import pytest

from companion.pump import services


@pytest.fixture
def pumped(world):
    """Patient A with a SynchroMed II 20 mL profile."""
    services.save_profile(world.nurse1, world.patient_a, model="synchromed_ii_20", reservoir_ml=None,
                          implanted_on=world.patient_a.implanted_on, opioid_tolerant=True)
    return world


def morphine(conc="10", dose="2"):
    """One morphine line."""
    return [services.DrugEntry("Morphine", D(conc), D(dose), "mg")]


def record(world, *, by=None, filled_on=None, drugs=None, kind="refill", expected="2", withdrawn="2",
           fill="20", alarm="2", stability=60, **kw):
    """A refill recorded by nurse1 (pending)."""
    from tests.conftest import FIXED_NOW

    return services.record_refill(
        by or world.nurse1, world.patient_a, kind=kind, filled_on=filled_on or FIXED_NOW.date(),
        fill_volume_ml=D(fill), alarm_volume_ml=D(alarm), drugs=drugs or morphine(),
        expected_residual_ml=None if expected is None else D(expected),
        withdrawn_ml=None if withdrawn is None else D(withdrawn), stability_days=stability, **kw)


def volumes(refill, **changed):
    """The bolus dose and count, fill and alarm volume as the second clinician re-enters them."""
    values = {"bolus_dose": refill.regimen.bolus_dose, "boluses_per_day": refill.regimen.boluses_per_day,
              "fill_volume_ml": refill.fill_volume_ml, "alarm_volume_ml": refill.alarm_volume_ml}
    return {**values, **changed}


def confirm(world, refill, by=None, entries=None, **changed):
    """The physician's blind re-entry of the same numbers (`changed` mistypes some of the volumes)."""
    entries = entries or [(d.concentration, d.daily_dose) for d in refill.regimen.drugs]
    return services.confirm_refill(by or world.physician1, refill, entries, volumes=volumes(refill, **changed))


class _Collector:
    """aiosmtpd handler keeping every message it receives."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes

        with self.lock:
            self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1 (aiosmtpd, in its own thread) that collects messages."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    handler = _Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    handler.url = f"smtp://127.0.0.1:{port}"
    yield handler
    controller.stop()
