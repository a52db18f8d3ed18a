"""Wiring the worker: command handlers on the table, behind Lambda's SQS batch interface."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.aws_clients import AwsClients
from app.settings import Settings
from storage.table import Table
from workers.command_handlers import CommandHandlers
from workers.dynamodb_store import DynamoCommandStore
from workers.order_effects import OrderEffects
from workers.ports import CommandMetrics, NoMetrics
from workers.receipt_archive import S3ReceiptArchive
from workers.ses_mailer import SesMailer
from workers.sqs_batch import PartialBatchResponse, process_sqs_batch


async def build_command_handlers(
    settings: Settings,
    clients: AwsClients,
    metrics: CommandMetrics | None = None,
) -> CommandHandlers:
    dynamodb, s3, sesv2 = await clients.dynamodb(), await clients.s3(), await clients.sesv2()
    metrics = metrics or NoMetrics()
    store = DynamoCommandStore(Table(dynamodb, settings.table_name))
    business = settings.business
    effects = OrderEffects(
        store,
        S3ReceiptArchive(s3, settings.bucket_name),
        SesMailer(sesv2, business.sender_email, business.name),
        business,
        metrics,
    )
    return CommandHandlers(store, effects, metrics)


class WorkerRuntime:
    """The worker: an SQS event in, a partial batch response out. Used by Lambda and locally.

    Lambda passes the metrics it flushes after each batch (and clients that trace their calls);
    the local worker and the tests count nothing and trace nothing.
    """

    def __init__(
        self,
        settings: Settings,
        clients: AwsClients,
        *,
        metrics: CommandMetrics | None = None,
    ) -> None:
        self._settings = settings
        self._clients = clients
        self._metrics = metrics
        self._handlers: CommandHandlers | None = None

    async def handlers(self) -> CommandHandlers:
        if self._handlers is None:
            self._handlers = await build_command_handlers(
                self._settings, self._clients, self._metrics
            )
        return self._handlers

    async def process(self, event: Mapping[str, Any]) -> PartialBatchResponse:
        handlers = await self.handlers()
        return await process_sqs_batch(event, handlers)
