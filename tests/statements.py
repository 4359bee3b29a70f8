"""Count the SQL statements a block of code runs (tests that prove work does not grow with the data)."""
from contextlib import contextmanager

from sqlalchemy import event

from companion.extensions import db


@contextmanager
def counted():
    """Yield a list whose length is the number of statements run inside the block, so far."""
    seen: list[str] = []

    def counter(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", counter)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", counter)
