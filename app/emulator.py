"""The embedded AWS emulator: moto's server on loopback, in this process."""

from __future__ import annotations

import logging
import threading
from typing import Any

from moto.dynamodb.responses import DynamoHandler
from moto.moto_server.threaded_moto_server import ThreadedMotoServer

_DYNAMODB_LOCK = threading.Lock()


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


class EmbeddedAwsEmulator:
    """Stands in for DynamoDB, SQS, S3 and SES on a free loopback port."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
        self.url = ""

    def start(self) -> str:
        # werkzeug logs every request at INFO; the worker's long polls would flood the console.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        _serialize_dynamodb()
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.url = f"http://{host}:{port}"
        return self.url

    def stop(self) -> None:
        self._server.stop()
