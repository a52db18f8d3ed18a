"""The embedded AWS emulator: moto's server on loopback, in this process."""

from __future__ import annotations

import copy
import logging
import threading
from typing import Any

from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.dynamodb import models as dynamodb_models
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.responses import DynamoHandler
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.ses.models import ses_backends

_DYNAMODB_LOCK = threading.Lock()
# The emulators this process runs, by URL: their state can be read directly, without moto's
# /moto-api/data.json (which serializes every table, queue and object on each call).
_RUNNING: dict[str, EmbeddedAwsEmulator] = {}


def raw_emails_sent(emulator_url: str) -> list[str] | None:
    """The raw MIME of every email SES accepted, oldest first; None if not an embedded one."""
    if emulator_url not in _RUNNING:
        return None
    messages: list[str] = []
    # The account's backends are a dict of the regions used so far (others are made on demand).
    for backend in list(dict.values(ses_backends[DEFAULT_ACCOUNT_ID])):
        messages.extend(m.raw_data for m in backend.sent_messages if hasattr(m, "raw_data"))
    return messages


def _serialize_dynamodb() -> None:
    """Make the emulated DynamoDB apply one request at a time, as the real one appears to.

    moto's server answers on many threads, and its TransactWriteItems deep-copies a table
    while other threads write to it ("dictionary changed size during iteration"). Real
    DynamoDB has no such race; serializing the emulator's DynamoDB calls removes it.
    """
    if getattr(DynamoHandler.call_action, "_serialized", False):
        return
    original = DynamoHandler.call_action

    def call_action(self: DynamoHandler) -> Any:
        with _DYNAMODB_LOCK:
            return original(self)

    call_action._serialized = True  # type: ignore[attr-defined]
    DynamoHandler.call_action = call_action  # type: ignore[method-assign]


class _DeepcopyOncePerTransaction:
    """moto's TransactWriteItems deep-copies a whole table once per item it writes, as a
    rollback backup; a transaction of five items copied the table five times. Within one
    (serialized) transaction, each object is copied once."""

    def __init__(self) -> None:
        self.copies: dict[int, Any] | None = None

    def deepcopy(self, value: Any, memo: Any = None) -> Any:
        if self.copies is None:
            return copy.deepcopy(value, memo)
        if id(value) not in self.copies:
            self.copies[id(value)] = copy.deepcopy(value, memo)
        return self.copies[id(value)]

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


def _copy_tables_once_per_transaction() -> None:
    if isinstance(getattr(dynamodb_models, "copy", None), _DeepcopyOncePerTransaction):
        return
    once = _DeepcopyOncePerTransaction()
    original = DynamoDBBackend.transact_write_items

    def transact_write_items(self: DynamoDBBackend, transact_items: Any) -> Any:
        once.copies = {}
        try:
            return original(self, transact_items)
        finally:
            once.copies = None

    # Safe because the emulator applies one DynamoDB request at a time (_serialize_dynamodb).
    setattr(dynamodb_models, "copy", once)  # noqa: B010 (moto's module global, by name)
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


class EmbeddedAwsEmulator:
    """Stands in for DynamoDB, SQS, S3 and SES on a free loopback port."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
        self.url = ""

    def start(self) -> str:
        # werkzeug logs every request at INFO; the worker's long polls would flood the console.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        _serialize_dynamodb()
        _copy_tables_once_per_transaction()
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.url = f"http://{host}:{port}"
        _RUNNING[self.url] = self
        return self.url

    def stop(self) -> None:
        _RUNNING.pop(self.url, None)
        self._server.stop()
