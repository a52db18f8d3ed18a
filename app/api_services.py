"""Wiring the API: its services, built from settings on AWS clients each opened on first use."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, cast

from app.aws_clients import AwsClients
from app.settings import Settings
from resolvers.command_publisher import SqsCommandPublisher
from resolvers.context import ApiServices
from resolvers.read_store import DynamoReadStore
from resolvers.receipt_links import ReceiptLinks
from storage.table import Table

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb import DynamoDBClient
    from types_aiobotocore_s3 import S3Client
    from types_aiobotocore_sqs import SQSClient

# Something to do to each AWS client once it is open: in Lambda, tracing its calls (app.xray).
ClientHook = Callable[[Any], None]


def api_services(
    settings: Settings, dynamodb: DynamoDBClient, sqs: SQSClient, s3: S3Client
) -> ApiServices:
    return ApiServices(
        reads=DynamoReadStore(Table(dynamodb, settings.table_name)),
        commands=SqsCommandPublisher(sqs, settings.queue_urls),
        receipts=ReceiptLinks(s3, settings.bucket_name, settings.receipt_url_ttl_seconds),
        business=settings.business,
    )


class _ClientOnFirstCall:
    """Stands in for an AWS client until a call needs it: each call awaits `open_client` (which
    opens the client the first time) and makes the call on what it returns. Our services only
    ever await a client's methods, which is all this forwards."""

    def __init__(self, open_client: Callable[[], Awaitable[Any]]) -> None:
        self._open_client = open_client

    def __getattr__(self, operation: str) -> Callable[..., Awaitable[Any]]:
        async def call(*args: Any, **kwargs: Any) -> Any:
            client = await self._open_client()
            return await getattr(client, operation)(*args, **kwargs)

        return call


class LazyApiServices:
    """The API's services, each AWS client opened by the first call that needs it, inside the
    event loop that serves requests: a read opens DynamoDB alone, a mutation SQS, a receipt link
    S3. Opening a client loads its service's model (S3's is large): a cold start that opened all
    three spent most of its first request there."""

    def __init__(
        self, settings: Settings, clients: AwsClients, on_client: ClientHook | None = None
    ) -> None:
        self._settings = settings
        self._on_client = on_client
        self._openers: dict[str, Callable[[], Awaitable[Any]]] = {
            "dynamodb": clients.dynamodb,
            "sqs": clients.sqs,
            "s3": clients.s3,
        }
        self._clients = clients
        self._open: dict[str, Any] = {}
        # One lock per client: a read opening DynamoDB does not wait for a mutation opening SQS.
        self._locks = {service: asyncio.Lock() for service in self._openers}
        self._services = self._on_first_call()

    async def get(self) -> ApiServices:
        return self._services

    async def open_clients(self) -> None:
        """Open every client now (what opening them imports is then loaded)."""
        for service in self._openers:
            await self._client(service)

    async def renew(self) -> None:
        """Close the clients and forget the services built on them: the next call that needs
        a client opens it afresh. After a SnapStart restore, the old ones hold the credentials
        and the connections of the environment the snapshot was taken in."""
        self._open.clear()
        self._services = self._on_first_call()
        await self._clients.close()

    def _on_first_call(self) -> ApiServices:
        def stand_in(service: str) -> Any:
            return _ClientOnFirstCall(lambda: self._client(service))

        return api_services(
            self._settings,
            cast("DynamoDBClient", stand_in("dynamodb")),
            cast("SQSClient", stand_in("sqs")),
            cast("S3Client", stand_in("s3")),
        )

    async def _client(self, service: str) -> Any:
        client = self._open.get(service)
        if client is None:
            async with self._locks[service]:
                client = self._open.get(service)
                if client is None:
                    client = await self._openers[service]()
                    if self._on_client is not None:
                        self._on_client(client)
                    self._open[service] = client
        return client
