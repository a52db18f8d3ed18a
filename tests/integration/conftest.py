"""Integration fixtures: fresh resources on the emulator per test, wired like the real service."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import aioboto3
import pytest

from app.api_services import LazyApiServices
from app.aws_clients import AwsClients
from app.local.outbox import SentEmail, read_outbox
from app.local.resources import create_resources
from app.local.worker import consume_queue
from app.settings import Settings
from app.worker_runtime import WorkerRuntime
from domain.commands import (
    CancelOrder,
    CommandOutcome,
    CompleteDelivery,
    DispatchOrder,
    PlaceOrder,
    RegisterCustomer,
    UpsertProduct,
)
from domain.customers import Address
from domain.ids import command_id_for, order_id_for
from domain.notifications import BusinessProfile
from domain.orders import Actor, DeliveryPriority
from domain.resources import STAFF_GROUP
from domain.serialization import utc_now
from resolvers.context import RequestContext, request_context
from resolvers.identity import Identity
from storage.keys import Item
from storage.table import Table
from tests.factories import (
    a_cancel_order_command,
    a_complete_delivery_command,
    a_customer,
    a_dispatch_order_command,
    a_line,
    a_place_order_command,
    a_register_customer_command,
    a_staff_member,
    an_address,
)
from workers.command_handlers import CommandHandlers
from workers.sqs_batch import PartialBatchResponse

REGION = "us-east-1"
BUSINESS = BusinessProfile(
    name="Test Bakery",
    orders_email="orders@bakery.example",
    sender_email="no-reply@bakery.example",
    phone="+1 555 0199",
    postal_address="2 Oven Lane, Testville",
    receipt_link_template="https://shop.example/orders/{order_id}",
)
STAFF = a_staff_member("staff-1")
CATALOGUE = {"TEA": ("Green tea", 500), "CAKE": ("Carrot cake", 1200), "MUG": ("Mug", 900)}

# The commands here are tests/factories.py's, issued now (the emulator's items are dated) and by
# the subject a test names: the integration tests speak of several customers at once.


def register_command(sub: str, *, address: Address | None = None) -> RegisterCustomer:
    return a_register_customer_command(
        actor=a_customer(sub),
        issued_at=utc_now(),
        name=f"Customer {sub}",
        email=f"{sub}@example.com",
        default_address=address or an_address(),
    )


def place_command(
    sub: str,
    items: Sequence[tuple[str, int]] = (("TEA", 2),),
    *,
    priority: DeliveryPriority = DeliveryPriority.STANDARD,
    idempotency_key: str | None = None,
    notes: str | None = None,
) -> PlaceOrder:
    return a_place_order_command(
        actor=a_customer(sub),
        issued_at=utc_now(),
        order_id=order_id_for(sub, idempotency_key),
        items=tuple(a_line(sku, quantity) for sku, quantity in items),
        priority=priority,
        notes=notes,
        idempotency_key=idempotency_key,
    )


def cancel_command(actor: Actor, order_id: str, expected_version: int | None = None) -> CancelOrder:
    return a_cancel_order_command(
        actor=actor, issued_at=utc_now(), order_id=order_id, expected_version=expected_version
    )


def dispatch_command(order_id: str, expected_version: int | None = None) -> DispatchOrder:
    return a_dispatch_order_command(
        actor=STAFF, issued_at=utc_now(), order_id=order_id, expected_version=expected_version
    )


def complete_command(order_id: str, expected_version: int | None = None) -> CompleteDelivery:
    return a_complete_delivery_command(
        actor=STAFF, issued_at=utc_now(), order_id=order_id, expected_version=expected_version
    )


def identity(sub: str, *, staff: bool = False, email_verified: bool = True) -> Identity:
    return Identity(
        sub=sub,
        email=f"{sub}@example.com",
        name=sub,
        groups=frozenset({STAFF_GROUP}) if staff else frozenset(),
        email_verified=email_verified,
    )


@dataclass
class Stack:
    """One isolated copy of the service's resources, with its worker and API wiring."""

    settings: Settings
    clients: AwsClients
    worker: WorkerRuntime
    handlers: CommandHandlers
    calls: Counter[str] = field(default_factory=Counter)

    async def context(self, who: Identity) -> RequestContext:
        return request_context(
            await LazyApiServices(self.settings, self.clients).get(), who, "test"
        )

    async def emails(self, order_id: str) -> list[SentEmail]:
        """The emails the emulator's SES sent about one order, newest first."""
        assert self.settings.aws_endpoint_url is not None
        sent = await read_outbox(self.settings.aws_endpoint_url)
        return [email for email in sent if email.order_id == order_id]

    async def context_for_staff(self) -> RequestContext:
        return await self.context(identity(STAFF.sub, staff=True))

    async def apply(self, command: Any) -> CommandOutcome:
        return await self.handlers.handle(command)

    async def store_items(self, items: Iterable[Item]) -> None:
        """Items written straight to the table, as the worker would: for tests of reading."""
        table = Table(await self.clients.dynamodb(), self.settings.table_name)
        left = list(items)
        while left:
            left = await table.batch_put(left)

    async def drain(self) -> list[PartialBatchResponse]:
        """Deliver what the API queued to the worker, as Lambda's event source would."""
        sqs = await self.clients.sqs()
        results = []
        for url in self.settings.queue_urls.values():
            while True:
                received = await sqs.receive_message(
                    QueueUrl=url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"]
                )
                messages = received.get("Messages", [])
                if not messages:
                    break
                event = {
                    "Records": [
                        {
                            "messageId": message["MessageId"],
                            "body": message["Body"],
                            "attributes": message.get("Attributes", {}),
                        }
                        for message in messages
                    ]
                }
                result = await self.worker.process(event)
                results.append(result)
                failed = {failure["itemIdentifier"] for failure in result["batchItemFailures"]}
                for message in messages:
                    if message["MessageId"] not in failed:
                        await sqs.delete_message(
                            QueueUrl=url, ReceiptHandle=message["ReceiptHandle"]
                        )
        return results

    async def run_worker_until(
        self, done: Callable[[], Awaitable[bool]], *, what: str, seconds: float = 30
    ) -> None:
        """Run the worker loop on every queue, as Lambda's event sources would, until `done`."""
        sqs = await self.clients.sqs()
        stop = asyncio.Event()
        consumers = [
            asyncio.create_task(consume_queue(sqs, url, self.worker.process, stop))
            for url in self.settings.queue_urls.values()
        ]
        try:
            deadline = time.monotonic() + seconds
            while not await done():
                assert time.monotonic() < deadline, f"{what} did not happen within {seconds}s"
                await asyncio.sleep(0.2)
        finally:
            stop.set()
            await asyncio.gather(*consumers)

    async def count_calls(self) -> None:
        """From now on, count every AWS API call the shared clients make, as `service.Operation`."""
        for client in (await self.clients.dynamodb(), await self.clients.sqs()):
            client.meta.events.register("before-call.*.*", self._count)

    def _count(self, model: Any, **_: Any) -> None:
        self.calls[f"{model.service_model.service_name}.{model.name}"] += 1


@pytest.fixture(scope="session")
def aws_session() -> aioboto3.Session:
    """One session for every test's clients: each new one loads botocore's endpoint rules and
    service models again (most of a second per test)."""
    return aioboto3.Session(region_name=REGION)


@pytest.fixture
async def stack(emulator_url: str, aws_session: aioboto3.Session) -> AsyncIterator[Stack]:
    clients = AwsClients(REGION, emulator_url, session=aws_session)
    settings = await create_resources(
        clients,
        prefix=f"t{uuid.uuid4().hex[:12]}",
        region=REGION,
        endpoint_url=emulator_url,
        visibility_timeout=1,
        business=BUSINESS,
    )
    worker = WorkerRuntime(settings, clients)
    handlers = await worker.handlers()
    for sku, (name, price) in CATALOGUE.items():
        await handlers.handle(
            UpsertProduct(
                command_id=command_id_for(STAFF.sub),
                actor=STAFF,
                issued_at=utc_now(),
                sku=sku,
                name=name,
                price=price,
            )
        )
    yield Stack(settings, clients, worker, handlers)
    await clients.close()
