"""Fault injection for the fault tests: a database outage switch; the SMTP and diary fixtures of other suites."""
import re

import pytest
from sqlalchemy import event

from companion.extensions import db
from tests.diary.conftest import peg_done  # noqa: F401 - a fixture, shared so the replay tests need no PEG answers
from tests.notify.conftest import smtp  # noqa: F401 - a fixture: a local SMTP server that can go down and come back


class Outage:
    """While `down`, every statement on the app's engine fails the way a lost server does (the DBAPI's own error)."""

    def __init__(self, engine, error: str = "OperationalError"):
        self.engine, self.error, self.down, self.only = engine, error, False, None

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        if self.down and (self.only is None or re.search(self.only, statement)):
            raise getattr(self.engine.dialect.loaded_dbapi, self.error)(
                "server closed the connection unexpectedly (simulated outage)")


@pytest.fixture
def outage(app):
    """Switch the database off and on: `outage.down = True`; `outage.only` limits it to matching SQL."""
    switch = Outage(db.engine)
    event.listen(db.engine, "before_cursor_execute", switch)
    yield switch
    event.remove(db.engine, "before_cursor_execute", switch)
