"""Wiring: the API's and the worker's services, built from settings and shared AWS clients."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from app.aws_clients import AwsClients
from app.settings import Settings
from resolvers.command_publisher import SqsCommandPublisher
from resolvers.context import ApiServices
from resolvers.read_store import DynamoReadStore
from workers.command_handlers import CommandHandlers
from workers.dynamodb_store import DynamoCommandStore
from workers.sqs_batch import PartialBatchResponse, process_sqs_batch


async def build_api_services(settings: Settings, clients: AwsClients) -> ApiServices:
    return ApiServices(
        reads=DynamoReadStore(await clients.dynamodb(), settings.table_name),
        commands=SqsCommandPublisher(await clients.sqs(), settings.queue_urls),
    )


async def build_command_handlers(settings: Settings, clients: AwsClients) -> CommandHandlers:
    return CommandHandlers(DynamoCommandStore(await clients.dynamodb(), settings.table_name))


class LazyApiServices:
    """Builds the API's services on first use, inside the event loop that serves requests."""

    def __init__(self, settings: Settings, clients: AwsClients) -> None:
        self._settings = settings
        self._clients = clients
        self._services: ApiServices | None = None
        self._lock = asyncio.Lock()

    async def get(self) -> ApiServices:
        if self._services is None:
            async with self._lock:
                if self._services is None:
                    self._services = await build_api_services(self._settings, self._clients)
        return self._services


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
        return await process_sqs_batch(event, handlers.handle)
