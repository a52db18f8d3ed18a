"""What the current task is about (correlation id, order, command), for every log line it writes.

Set where the fact becomes known (the API's correlation id per request, the worker's order and
command per message) and read by the logging setup and the tracer. A ContextVar, so requests
served and message groups processed concurrently on one event loop each keep their own.
Standard library only: both the read side and the write side use it, and domain is what they
share.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from types import MappingProxyType

# The keys a log line may carry, each named once.
CORRELATION_ID = "correlation_id"
ORDER_ID = "order_id"
COMMAND_ID = "command_id"
MESSAGE_ID = "message_id"

_NO_KEYS: Mapping[str, str] = MappingProxyType({})
_keys: ContextVar[Mapping[str, str]] = ContextVar("log_context", default=_NO_KEYS)


@contextmanager
def log_context(**keys: str | None) -> Iterator[None]:
    """Within the block, the current task's log lines carry `keys` too (None values are left
    out); the keys of an enclosing block stay, and come back when this one ends."""
    known = {name: value for name, value in keys.items() if value is not None}
    token = _keys.set(MappingProxyType({**_keys.get(), **known}))
    try:
        yield
    finally:
        _keys.reset(token)


def current_log_context() -> Mapping[str, str]:
    """The keys the current task's log lines carry."""
    return _keys.get()
