"""Wiring the API: its services, built from settings on AWS clients each opened on first use."""

from __future__ import annotations

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
    three spent most of its first request there. `clients` opens each once (and hooks it)."""

    def __init__(self, settings: Settings, clients: AwsClients) -> None:
        self._settings = settings
        self._clients = clients
        self._services = self._on_first_call()

    async def get(self) -> ApiServices:
        return self._services

    async def open_clients(self) -> None:
        """Open every client now (what opening them imports is then loaded)."""
        await self._clients.dynamodb()
        await self._clients.sqs()
        await self._clients.s3()

    async def renew(self) -> None:
        """Close the clients and forget the services built on them: the next call that needs
        a client opens it afresh. After a SnapStart restore, the old ones hold the credentials
        and the connections of the environment the snapshot was taken in."""
        self._services = self._on_first_call()
        await self._clients.close()

    def _on_first_call(self) -> ApiServices:
        clients = self._clients
        return api_services(
            self._settings,
            cast("DynamoDBClient", _ClientOnFirstCall(clients.dynamodb)),
            cast("SQSClient", _ClientOnFirstCall(clients.sqs)),
            cast("S3Client", _ClientOnFirstCall(clients.s3)),
        )
