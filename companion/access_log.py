"""Access logs without one-time codes: old links' ?code=/?token= values are redacted before a line is written."""
import logging
import re

# A query parameter named code or token (or ending in _code/_token), in a request line, query string or Referer.
SECRET_PARAM = re.compile(r"(?i)((?:^|[?&;])[\w.-]*(?:code|token)=)[^&;\s\"#]*")
REDACTED = "[redacted]"


def redact(text: str) -> str:
    """The text with every code/token query value replaced by [redacted]."""
    return SECRET_PARAM.sub(r"\1" + REDACTED, text) if "=" in text else text


class RedactingFilter(logging.Filter):
    """For the werkzeug dev server's request lines (`make run`): redact the message's string arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drop it."""
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True


def install_werkzeug_filter() -> None:
    """Put the filter on werkzeug's logger once (create_app may run many times in one process)."""
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(RedactingFilter())


try:  # gunicorn is a production dependency, but the app itself must not need it to import this module
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover - gunicorn is in pyproject's dependencies
    _GunicornLogger = object


class RedactingGunicornLogger(_GunicornLogger):
    """gunicorn's logger with every string atom of an access line (request line, query, Referer, environ and
    header atoms) redacted; named by gunicorn.conf.py's logger_class."""

    def atoms(self, resp, req, environ, request_time):
        """gunicorn's atoms, redacted."""
        found = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) if isinstance(value, str) else value for key, value in found.items()}
