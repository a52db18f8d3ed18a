"""Wiring the API: its services, built from settings and AWS clients on first use."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from app.aws_clients import AwsClients
from app.settings import Settings
from resolvers.command_publisher import SqsCommandPublisher
from resolvers.context import ApiServices
from resolvers.read_store import DynamoReadStore
from resolvers.receipt_links import ReceiptLinks
from storage.table import Table

# Something to do to each AWS client once it is open: in Lambda, tracing its calls (app.xray).
ClientHook = Callable[[Any], None]


async def build_api_services(
    settings: Settings, clients: AwsClients, on_client: ClientHook | None = None
) -> ApiServices:
    dynamodb, sqs, s3 = await clients.dynamodb(), await clients.sqs(), await clients.s3()
    if on_client is not None:
        for client in (dynamodb, sqs, s3):
            on_client(client)
    return ApiServices(
        reads=DynamoReadStore(Table(dynamodb, settings.table_name)),
        commands=SqsCommandPublisher(sqs, settings.queue_urls),
        receipts=ReceiptLinks(s3, settings.bucket_name, settings.receipt_url_ttl_seconds),
        business=settings.business,
    )


class LazyApiServices:
    """Builds the API's services on first use, inside the event loop that serves requests."""

    def __init__(
        self, settings: Settings, clients: AwsClients, on_client: ClientHook | None = None
    ) -> None:
        self._settings = settings
        self._clients = clients
        self._on_client = on_client
        self._services: ApiServices | None = None
        self._lock = asyncio.Lock()

    async def get(self) -> ApiServices:
        if self._services is None:
            async with self._lock:
                if self._services is None:
                    self._services = await build_api_services(
                        self._settings, self._clients, self._on_client
                    )
        return self._services

    async def renew(self) -> None:
        """Close the clients and forget the services built on them: the next request builds
        both afresh. After a SnapStart restore, the old ones hold the credentials and the
        connections of the environment the snapshot was taken in."""
        self._services = None
        await self._clients.close()
