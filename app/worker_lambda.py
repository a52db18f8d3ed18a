"""The worker's Lambda handler: an SQS batch in, `batchItemFailures` out.

Every log line carries the invocation's request id and, within a message, its command and
order (domain.log_context); the batch's metrics are written as EMF lines when it ends, and its
trace has the handler and each AWS call as subsegments (app.xray).
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from aws_lambda_powertools.tracing import Tracer

from app.aws_clients import WORKER_TIMEOUTS, AwsClients
from app.heap import FreezeAfterFirstCall
from app.logging_setup import configure_lambda_logging
from app.settings import Settings
from app.worker_runtime import WorkerRuntime
from app.xray import AsyncSafeXRayProvider, trace_aws_calls
from domain.metrics import WORKER_SERVICE
from workers.command_metrics import EmfCommandMetrics
from workers.sqs_batch import PartialBatchResponse

SERVICE = WORKER_SERVICE

_settings = Settings.from_environ(os.environ)
_logger = configure_lambda_logging(SERVICE, _settings.log_level)
_xray = AsyncSafeXRayProvider()
_tracer = Tracer(service=SERVICE, provider=_xray, auto_patch=False)
_metrics = EmfCommandMetrics()
# One loop for the life of the process: the clients opened in it are reused by warm invocations
# (asyncio.run would close the loop, and the clients with it, after each batch).
_loop = asyncio.new_event_loop()
_settle = FreezeAfterFirstCall()
_runtime = WorkerRuntime(
    _settings,
    AwsClients.for_settings(
        _settings, WORKER_TIMEOUTS, on_open=lambda client: trace_aws_calls(client, _xray)
    ),
    metrics=_metrics,
)


@_logger.inject_lambda_context
@_tracer.capture_lambda_handler
def handler(event: dict[str, Any], _context: object) -> PartialBatchResponse:
    try:
        return _loop.run_until_complete(_runtime.process(event))
    finally:
        _metrics.flush()  # what this batch counted, even when it failed as a whole
        _settle()
