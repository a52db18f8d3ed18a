"""The embedded AWS emulator: moto's server on loopback, in this process."""

from __future__ import annotations

import logging

from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.ses.models import ses_backends

from app.moto_patches import apply_moto_patches

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


class EmbeddedAwsEmulator:
    """Stands in for DynamoDB, SQS, S3 and SES on a free loopback port."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
        self.url = ""

    def start(self) -> str:
        # werkzeug logs every request at INFO; the worker's long polls would flood the console.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        apply_moto_patches()
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.url = f"http://{host}:{port}"
        _RUNNING[self.url] = self
        return self.url

    def stop(self) -> None:
        _RUNNING.pop(self.url, None)
        self._server.stop()
