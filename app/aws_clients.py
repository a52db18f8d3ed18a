"""aioboto3 clients: opened once per process and reused by every request and batch."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING, Any

import aioboto3
from botocore.config import Config

from app.settings import Settings

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb import DynamoDBClient
    from types_aiobotocore_s3 import S3Client
    from types_aiobotocore_sesv2 import SESV2Client
    from types_aiobotocore_sqs import SQSClient

_CLIENT_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 4},
    connect_timeout=3,
    read_timeout=25,  # above SQS's 20 s long poll
    max_pool_connections=50,
    signature_version="v4",  # presigned receipt URLs use SigV4 in every region
)
# The emulator accepts any credentials; real AWS takes them from the Lambda's role.
_EMULATOR_CREDENTIALS = {"aws_access_key_id": "local", "aws_secret_access_key": "local"}


class AwsClients:
    """Clients for one event loop: open them in the loop that will use them, close on shutdown."""

    def __init__(self, region: str, endpoint_url: str | None = None) -> None:
        self._region = region
        self._endpoint_url = endpoint_url
        self._stack = AsyncExitStack()
        self._lock = asyncio.Lock()
        self._clients: dict[str, Any] = {}

    async def _client(self, service: str) -> Any:
        if service not in self._clients:
            async with self._lock:
                if service not in self._clients:
                    session = aioboto3.Session(region_name=self._region)
                    options: dict[str, Any] = {"config": _CLIENT_CONFIG}
                    if self._endpoint_url:
                        options |= {"endpoint_url": self._endpoint_url}
                        options |= _EMULATOR_CREDENTIALS
                    self._clients[service] = await self._stack.enter_async_context(
                        session.client(service, **options)  # type: ignore[call-overload]
                    )
        return self._clients[service]

    @classmethod
    def for_settings(cls, settings: Settings) -> AwsClients:
        return cls(settings.region, settings.aws_endpoint_url)

    async def dynamodb(self) -> DynamoDBClient:
        client: DynamoDBClient = await self._client("dynamodb")
        return client

    async def sqs(self) -> SQSClient:
        client: SQSClient = await self._client("sqs")
        return client

    async def s3(self) -> S3Client:
        client: S3Client = await self._client("s3")
        return client

    async def sesv2(self) -> SESV2Client:
        client: SESV2Client = await self._client("sesv2")
        return client

    async def close(self) -> None:
        await self._stack.aclose()
        self._clients.clear()
