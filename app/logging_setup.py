"""Logging for Lambda (Powertools' JSON lines) and the local server (text), level from settings.

Our modules log through the standard library (`logging.getLogger(__name__)`); what makes a line
structured is the root logger's handler. Every line carries the current task's log context
(domain.log_context: the correlation id, the order, the command) through one filter, so the
code that logs never passes them by hand.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from domain.log_context import current_log_context

if TYPE_CHECKING:
    from aws_lambda_powertools.logging import Logger

# The SDKs log every retry at INFO; keep them to warnings. So is Mangum's line for every request
# ("POST /graphql 200"): API Gateway's access log has each request already, with its latency,
# and formatting the line as JSON cost a read about 2% of its CPU.
_NOISY_LOGGERS = ("botocore", "aiobotocore", "aioboto3", "urllib3", "mangum")
_TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


class LogContextFilter(logging.Filter):
    """Puts the current task's log context on each record, as attributes the formatters print."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in current_log_context().items():
            if not hasattr(record, name):  # a key passed in `extra=` wins
                setattr(record, name, value)
        return True


class KeyedTextFormatter(logging.Formatter):
    """One text line per record, ending with the log context's keys (`order_id=...`)."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        keys = " ".join(
            f"{name}={getattr(record, name)}"
            for name in current_log_context()
            if hasattr(record, name)
        )
        return f"{line} [{keys}]" if keys else line


def configure_logging(level: str) -> None:
    """Text lines for a developer's terminal (the local server and its worker)."""
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(KeyedTextFormatter(_TEXT_FORMAT))
        handler.addFilter(LogContextFilter())
        root.addHandler(handler)
    _set_levels(root, level)


def configure_lambda_logging(service: str, level: str) -> Logger:
    """JSON lines through Powertools' formatter, for every logger (ours and the libraries').

    Returns the Powertools Logger whose formatter the root logger now uses: its
    `inject_lambda_context` adds the invocation's keys (request id, cold start, X-Ray trace id)
    to every line. The Lambda runtime's own plain-text handler is replaced, so no line is
    written twice.
    """
    from aws_lambda_powertools.logging import Logger  # only the Lambda handlers need it

    # `name` prints which of our modules wrote the line; timestamps in UTC, as stored.
    powertools = Logger(service=service, level=level, name="%(name)s", utc=True)
    handler = powertools.registered_handler
    if not any(isinstance(known, LogContextFilter) for known in handler.filters):
        handler.addFilter(LogContextFilter())
    # Each line is written once: the Powertools logger's own through its handler, every other
    # logger's through the root logger's, which is the same handler.
    logging.getLogger(powertools.name).propagate = False
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    _set_levels(root, level)
    return powertools


def _set_levels(root: logging.Logger, level: str) -> None:
    root.setLevel(level)
    for noisy in _NOISY_LOGGERS:
        logging.getLogger(noisy).setLevel(logging.WARNING)
