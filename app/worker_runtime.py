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
from workers.receipt_archive import S3ReceiptArchive
from workers.ses_mailer import SesMailer
from workers.sqs_batch import PartialBatchResponse, process_sqs_batch


async def build_command_handlers(settings: Settings, clients: AwsClients) -> CommandHandlers:
    store = DynamoCommandStore(Table(await clients.dynamodb(), settings.table_name))
    business = settings.business
    effects = OrderEffects(
        store,
        S3ReceiptArchive(await clients.s3(), settings.bucket_name),
        SesMailer(await clients.sesv2(), business.sender_email, business.name),
        business,
    )
    return CommandHandlers(store, effects)


class WorkerRuntime:
    """The worker: an SQS event in, a partial batch response out. Used by Lambda and locally."""

    def __init__(self, settings: Settings, clients: AwsClients) -> None:
        self._settings = settings
        self._clients = clients
        self._handlers: CommandHandlers | None = None

    async def handlers(self) -> CommandHandlers:
        if self._handlers is None:
            self._handlers = await build_command_handlers(self._settings, self._clients)
        return self._handlers

    async def process(self, event: Mapping[str, Any]) -> PartialBatchResponse:
        handlers = await self.handlers()
        return await process_sqs_batch(event, handlers)
