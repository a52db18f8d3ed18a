"""Wiring the API: its services, built from settings and AWS clients on first use."""

from __future__ import annotations

import asyncio

from app.aws_clients import AwsClients
from app.settings import Settings
from resolvers.command_publisher import SqsCommandPublisher
from resolvers.context import ApiServices
from resolvers.read_store import DynamoReadStore
from resolvers.receipt_links import ReceiptLinks
from storage.table import Table


async def build_api_services(settings: Settings, clients: AwsClients) -> ApiServices:
    return ApiServices(
        reads=DynamoReadStore(Table(await clients.dynamodb(), settings.table_name)),
        commands=SqsCommandPublisher(await clients.sqs(), settings.queue_urls),
        receipts=ReceiptLinks(
            await clients.s3(), settings.bucket_name, settings.receipt_url_ttl_seconds
        ),
        business=settings.business,
    )


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
