"""aioboto3 clients: opened once per process and reused by every request and batch."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import aioboto3
from botocore.config import Config

from app.settings import Settings
from storage.table import parse_item_reads_as_json

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb import DynamoDBClient
    from types_aiobotocore_s3 import S3Client
    from types_aiobotocore_sesv2 import SESV2Client
    from types_aiobotocore_sqs import SQSClient

# Something to do to each AWS client once it is open: in Lambda, tracing its calls (app.xray).
ClientHook = Callable[[Any], None]

# botocore's standard retry mode waits up to min(20 s, random * 2**n) before retry n.
_MAX_BACKOFF_SECONDS = 20


# Given, botocore sends this as it is (with its own version after it). Otherwise it builds its
# User-Agent (the SDK, the OS, Python, the features the call used) twice per call: about 14% of
# a PutItem's client CPU.
USER_AGENT = "order-delivery"


@dataclass(frozen=True, slots=True)
class ClientTimeouts:
    """How long one AWS call may take, all its attempts and their back-off included; and
    whether botocore checks each request against the service's model before sending it."""

    connect_seconds: float
    read_seconds: float
    max_attempts: int
    # The check walks the whole request: about 12% of the CPU of putting an order's item, little
    # for a GetItem. The Lambdas skip it: our code builds every request and AWS checks it again.
    # Locally it names a malformed request before it leaves.
    validate_parameters: bool = True

    def worst_case_seconds(self) -> float:
        attempts = self.max_attempts * (self.connect_seconds + self.read_seconds)
        backoff = sum(min(_MAX_BACKOFF_SECONDS, 1 << n) for n in range(1, self.max_attempts))
        return attempts + backoff

    def config(self) -> Config:
        return Config(
            # total_max_attempts counts the first attempt; botocore's max_attempts would not.
            retries={"mode": "standard", "total_max_attempts": self.max_attempts},
            connect_timeout=self.connect_seconds,
            read_timeout=self.read_seconds,
            max_pool_connections=50,
            signature_version="v4",  # presigned receipt URLs use SigV4 in every region
            parameter_validation=self.validate_parameters,
            user_agent=USER_AGENT,
        )


# Each fits inside its function's timeout with room to answer (tests/unit/test_aws_clients.py):
# a call that cannot finish in time fails while the function can still say so, instead of the
# function being killed mid-call. DynamoDB, SQS and SES answer in milliseconds.
API_TIMEOUTS = ClientTimeouts(
    connect_seconds=1, read_seconds=2, max_attempts=2, validate_parameters=False
)
WORKER_TIMEOUTS = ClientTimeouts(
    connect_seconds=2, read_seconds=5, max_attempts=3, validate_parameters=False
)
# The local worker long-polls SQS for 20 s: its reads must outlast the poll.
LOCAL_TIMEOUTS = ClientTimeouts(connect_seconds=3, read_seconds=25, max_attempts=4)
# The emulator accepts any credentials; real AWS takes them from the Lambda's role.
_EMULATOR_CREDENTIALS = {"aws_access_key_id": "local", "aws_secret_access_key": "local"}


class AwsClients:
    """Clients for one event loop: open them in the loop that will use them, close on shutdown.

    They are opened from one session, which loads botocore's endpoint rules once (and each
    service's model once): a session per client loaded the rules again for each, about 0.1 s
    of a worker's cold start per client after the first. `session` shares one with other
    instances (the tests open a stack's clients for each test). Each client is handed to
    `on_open` once, when it opens."""

    def __init__(
        self,
        region: str,
        endpoint_url: str | None = None,
        timeouts: ClientTimeouts = LOCAL_TIMEOUTS,
        *,
        session: aioboto3.Session | None = None,
        on_open: ClientHook | None = None,
    ) -> None:
        self._region = region
        self._endpoint_url = endpoint_url
        self._session = session
        self._own_session = session is None
        self._on_open = on_open
        self.timeouts = timeouts
        self._config = timeouts.config()
        self._stack = AsyncExitStack()
        # One lock per service: opening S3 does not hold up a call waiting for DynamoDB.
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._clients: dict[str, Any] = {}

    async def _client(self, service: str) -> Any:
        if service not in self._clients:
            async with self._locks[service]:
                if service not in self._clients:
                    client = await self._open(service)
                    if self._on_open is not None:
                        self._on_open(client)
                    self._clients[service] = client
        return self._clients[service]

    async def _open(self, service: str) -> Any:
        if self._session is None:
            self._session = aioboto3.Session(region_name=self._region)
        options: dict[str, Any] = {"config": self._config, "region_name": self._region}
        if self._endpoint_url:
            options |= {"endpoint_url": self._endpoint_url}
            options |= _EMULATOR_CREDENTIALS
        elif service == "s3":
            # Presigned links name the region's endpoint: botocore's default, the global
            # s3.amazonaws.com, is redirected for a new bucket elsewhere than us-east-1, which
            # breaks the link's signature.
            options |= {
                "endpoint_url": f"https://s3.{self._region}.amazonaws.com",
                "config": self._config.merge(Config(s3={"addressing_style": "virtual"})),
            }
        client = await self._stack.enter_async_context(
            self._session.client(service, **options)  # type: ignore[call-overload]
        )
        if service == "dynamodb":
            parse_item_reads_as_json(client)
        return client

    @classmethod
    def for_settings(
        cls,
        settings: Settings,
        timeouts: ClientTimeouts = LOCAL_TIMEOUTS,
        *,
        on_open: ClientHook | None = None,
    ) -> AwsClients:
        return cls(settings.region, settings.aws_endpoint_url, timeouts, on_open=on_open)

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
        if self._own_session:
            # A session keeps the credentials it first resolved: clients opened again (after a
            # SnapStart restore) must resolve them anew, not reuse the snapshot's.
            self._session = None
