"""The worker's Lambda handler: an SQS batch in, `batchItemFailures` out."""

from __future__ import annotations

import asyncio
import os
from typing import Any

from app.aws_clients import AwsClients
from app.logging_setup import configure_logging
from app.settings import Settings
from app.worker_runtime import WorkerRuntime
from workers.sqs_batch import PartialBatchResponse

_settings = Settings.from_environ(os.environ)
configure_logging(_settings.log_level)
# One loop for the life of the process: the clients opened in it are reused by warm invocations
# (asyncio.run would close the loop, and the clients with it, after each batch).
_loop = asyncio.new_event_loop()
_runtime = WorkerRuntime(_settings, AwsClients.for_settings(_settings))


def handler(event: dict[str, Any], _context: object) -> PartialBatchResponse:
    return _loop.run_until_complete(_runtime.process(event))
