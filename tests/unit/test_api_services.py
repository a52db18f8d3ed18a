"""The API's services open each AWS client on the first call that needs it: a read opens
DynamoDB alone, a mutation SQS, a receipt link S3; each client is handed to the hook once, when
it opens, and a renewal opens them afresh. The clients here are fakes that record their calls."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from app.api_services import LazyApiServices
from app.aws_clients import AwsClients
from domain.orders import DeliveryPriority, IssuedReceipt
from tests.api_requests import settings_for
from tests.factories import a_register_customer_command


class RecordingClient:
    """Answers every call as an empty success, and remembers it."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.calls: list[str] = []

    def __getattr__(self, operation: str) -> Any:
        async def call(*_args: Any, **_kwargs: Any) -> Any:
            self.calls.append(operation)
            return "https://link" if operation == "generate_presigned_url" else {}

        return call


class RecordingClients(AwsClients):
    """AwsClients whose clients are RecordingClients, opened anew after each close."""

    def __init__(self, hooked: list[Any] | None = None) -> None:
        super().__init__("us-east-1", on_open=None if hooked is None else hooked.append)
        self.opened: list[RecordingClient] = []

    async def _open(self, service: str) -> Any:
        await asyncio.sleep(0)  # opening yields to the loop, as aioboto3's does
        client = RecordingClient(service)
        self.opened.append(client)
        return client

    def opened_services(self) -> list[str]:
        return [client.service for client in self.opened]


def services_on(clients: AwsClients) -> LazyApiServices:
    return LazyApiServices(settings_for(), clients)


def a_receipt() -> IssuedReceipt:
    return IssuedReceipt(version=1, key="receipts/o/v1.pdf", issued_at=datetime.now(UTC))


async def test_services_are_built_without_opening_a_client() -> None:
    clients = RecordingClients()

    await services_on(clients).get()

    assert clients.opened == []


async def test_a_read_opens_dynamodb_alone() -> None:
    clients = RecordingClients()
    services = await services_on(clients).get()

    await services.reads.order("01HZZZZZZZZZZZZZZZZZZZZZZZ")

    assert clients.opened_services() == ["dynamodb"]
    assert clients.opened[0].calls == ["get_item"]


async def test_a_mutation_opens_sqs_and_a_receipt_link_s3() -> None:
    clients = RecordingClients()
    services = await services_on(clients).get()

    await services.commands.publish(a_register_customer_command(), DeliveryPriority.STANDARD)
    await services.receipts.url(a_receipt())

    assert clients.opened_services() == ["sqs", "s3"]


async def test_concurrent_first_calls_open_one_client_and_hook_it_once() -> None:
    hooked: list[Any] = []
    clients = RecordingClients(hooked)
    services = await services_on(clients).get()

    await asyncio.gather(*(services.reads.order(f"order-{n}") for n in range(5)))

    assert clients.opened_services() == ["dynamodb"]
    assert hooked == clients.opened
    assert clients.opened[0].calls == ["get_item"] * 5


async def test_after_a_renewal_the_next_call_opens_and_hooks_a_new_client() -> None:
    hooked: list[Any] = []
    clients = RecordingClients(hooked)
    lazy = services_on(clients)
    await (await lazy.get()).reads.order("order-1")

    await lazy.renew()
    await (await lazy.get()).reads.order("order-2")

    first, second = clients.opened
    assert (first.service, second.service) == ("dynamodb", "dynamodb")
    assert hooked == [first, second]
    assert second.calls == ["get_item"]


async def test_open_clients_opens_each_client_once() -> None:
    hooked: list[Any] = []
    clients = RecordingClients(hooked)
    lazy = services_on(clients)

    await lazy.open_clients()
    await lazy.open_clients()

    assert sorted(clients.opened_services()) == ["dynamodb", "s3", "sqs"]
    assert hooked == clients.opened
