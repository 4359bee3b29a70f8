"""Declarative base with a naming convention, a UTC-aware datetime column type, and append-only tables."""
from datetime import datetime, timezone

from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, registry
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Stores aware datetimes as UTC and returns them aware; refuses naive input."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        """Reject naive datetimes so local time never leaks into the database."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(timezone.utc)
        # SQLite has no time zone type: store naive UTC text.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        """Return an aware UTC datetime on every backend."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    """Base of every model: named constraints so Alembic batch mode works on SQLite."""

    registry = registry(metadata=MetaData(naming_convention=NAMING_CONVENTION),
                        type_annotation_map={datetime: UTCDateTime()})


def commit_keeping_loaded(session) -> None:
    """Commit without expiring what the session holds, for a caller that goes on to render rows it has just read
    or written in this transaction: expired, each would be reloaded by its own query as the template touches it."""
    keep, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = keep


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """Enforce foreign keys and let readers and one writer share the SQLite file."""
    module = type(dbapi_connection).__module__
    if "sqlite" not in module:
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def append_only_trigger_sql(table_name: str, word: str = "append-only",
                            function_name: str | None = None) -> tuple[list[str], list[str]]:
    """(PostgreSQL, SQLite) statements whose triggers refuse every UPDATE and DELETE on the table.

    The text is imported by existing migrations, so it must never change for a given argument list.
    """
    function_name = function_name or f"{table_name}_append_only"
    message = f"{table_name} is {word}"
    postgres = [
        f"CREATE OR REPLACE FUNCTION {function_name}() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN RAISE EXCEPTION '{message}'; END $$",
        f"CREATE TRIGGER {table_name}_no_change BEFORE UPDATE OR DELETE ON {table_name} "
        f"FOR EACH ROW EXECUTE FUNCTION {function_name}()",
    ]
    sqlite = [
        f"CREATE TRIGGER IF NOT EXISTS {table_name}_no_{verb} BEFORE {verb.upper()} ON {table_name} "
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
        for verb in ("update", "delete")
    ]
    return postgres, sqlite


def append_only(model_class, refusal: str, word: str = "append-only",
                function_name: str | None = None) -> tuple[list[str], list[str]]:
    """Make a model append-only (triggers at create_all() and an ORM guard); returns its (PG, SQLite) SQL."""
    from sqlalchemy import DDL
    from sqlalchemy.orm import Session

    table = model_class.__table__
    postgres, sqlite = append_only_trigger_sql(table.name, word, function_name)
    for dialect, statements in (("postgresql", postgres), ("sqlite", sqlite)):
        for sql in statements:  # the migration creates the same triggers; these cover create_all() in tests
            event.listen(table, "after_create", DDL(sql).execute_if(dialect=dialect))

    def refuse_changes(session, _context, _instances) -> None:
        """Refuse, in the ORM too, to change or delete a row of this model."""
        for obj in list(session.dirty) + list(session.deleted):
            if isinstance(obj, model_class) and (obj in session.deleted or session.is_modified(obj)):
                raise PermissionError(refusal)

    event.listen(Session, "before_flush", refuse_changes)
    return postgres, sqlite
