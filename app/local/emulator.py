"""The embedded AWS emulator: moto's server on loopback, in this process."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from moto.core.base_backend import BackendDict
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.ses.models import RawMessage, ses_backends
from moto.sqs.models import sqs_backends

from app.local.moto_patches import apply_moto_patches

# The emulators this process runs, by URL: their state can be read directly, without moto's
# /moto-api/data.json (which serializes every table, queue and object on each call).
_RUNNING: dict[str, EmbeddedAwsEmulator] = {}


def raw_emails_sent(emulator_url: str) -> list[str] | None:
    """The raw MIME of every email SES accepted, oldest first; None if not an embedded one."""
    emulator = _RUNNING.get(emulator_url)
    return None if emulator is None else [email.raw_data for email in emulator.emails_sent()]


@dataclass(frozen=True, slots=True)
class QueuedMessage:
    """A message an SQS queue holds (the service sends no message attributes)."""

    body: str
    group_id: str | None
    deduplication_id: str | None


@dataclass(frozen=True, slots=True)
class RawEmail:
    """An email SES accepted, as the worker sent it."""

    source: str
    destinations: list[str]
    raw_data: str


class EmbeddedAwsEmulator:
    """Stands in for DynamoDB, SQS, S3 and SES on a free loopback port.

    moto keeps its state in module globals: one state per process, which a new emulator
    empties, as a new process would start empty.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
        self.url = ""

    def start(self) -> str:
        # werkzeug logs every request at INFO; the worker's long polls would flood the console.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        apply_moto_patches()
        BackendDict.reset()
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.url = f"http://{host}:{port}"
        _RUNNING[self.url] = self
        return self.url

    def stop(self) -> None:
        _RUNNING.pop(self.url, None)
        self._server.stop()

    def messages_queued(self, queue_name: str, region: str) -> list[QueuedMessage]:
        """Every message a queue holds, oldest first, received ones not yet deleted included
        (SQS's API shows those to no one until their visibility timeout ends)."""
        queue = sqs_backends[DEFAULT_ACCOUNT_ID][region].get_queue(queue_name)
        return [
            QueuedMessage(message.body, message.group_id, message.deduplication_id)
            for message in list(queue._messages)  # in-flight ones are only here
        ]

    def emails_sent(self) -> list[RawEmail]:
        """The raw emails SES accepted, oldest first in each region."""
        # The account's backends are a dict of the regions used so far (others made on demand).
        return [
            RawEmail(message.source, list(message.destinations), message.raw_data)
            for backend in list(dict.values(ses_backends[DEFAULT_ACCOUNT_ID]))
            for message in backend.sent_messages
            if isinstance(message, RawMessage)
        ]

    def keep_emails_sent(self, emails: list[RawEmail], region: str) -> None:
        """Record emails as sent, as they were, without sending them again (SES's API would
        check senders and quotas, and stamp each as new)."""
        sent = ses_backends[DEFAULT_ACCOUNT_ID][region].sent_messages
        for email in emails:
            sent.append(
                RawMessage(str(uuid.uuid4()), email.source, email.destinations, email.raw_data)
            )
