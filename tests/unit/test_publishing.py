"""Mutations queue their command on the right lane, once, through the publisher (a fake here)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import pytest

from domain.errors import InvalidInputError
from domain.orders import DeliveryPriority
from resolvers import orders
from resolvers.command_publisher import CommandPublisher, CommandQueueUnavailableError
from resolvers.context import ApiServices, RequestContext, request_context
from resolvers.identity import Identity
from resolvers.read_store import DynamoReadStore
from resolvers.receipt_links import ReceiptLinks
from tests.factories import TEA, a_business, a_line
from tests.fakes import FakePublisher

ANN = Identity(sub="ann", email="ann@example.com", name="Ann", groups=frozenset())


def context(publisher: FakePublisher, identity: Identity = ANN) -> RequestContext:
    """A request's context whose only working service is the publisher: placing reads nothing."""
    commands: CommandPublisher = publisher
    unread = SimpleNamespace(customers=None, many_order_details=None)
    services = ApiServices(
        reads=cast(DynamoReadStore, unread),
        commands=commands,
        receipts=cast(ReceiptLinks, None),
        business=a_business(),
    )
    return request_context(services, identity, "correlation-1")


async def place(publisher: FakePublisher, **overrides: Any) -> orders.QueuedCommand:
    arguments: dict[str, Any] = {
        "items": [a_line(TEA, 1)],
        "priority": DeliveryPriority.STANDARD,
        "delivery_address": None,
        "notes": None,
        "idempotency_key": None,
    }
    identity = overrides.pop("identity", ANN)
    return await orders.place_order(context(publisher, identity), **(arguments | overrides))


@pytest.mark.parametrize("priority", list(DeliveryPriority))
async def test_an_order_goes_to_its_priority_s_lane(priority: DeliveryPriority) -> None:
    publisher = FakePublisher()

    await place(publisher, priority=priority)

    assert {lane: len(queued) for lane, queued in publisher.queued.items()} == {priority: 1}


async def test_a_retried_checkout_is_the_same_command_queued_once() -> None:
    publisher = FakePublisher()

    first = await place(publisher, idempotency_key="checkout-1")
    again = await place(publisher, idempotency_key="checkout-1")
    other = await place(publisher, idempotency_key="checkout-2")

    assert again == first
    assert other.order_id != first.order_id
    assert len(publisher.queued[DeliveryPriority.STANDARD]) == 2


async def test_an_unproven_email_queues_nothing() -> None:
    publisher = FakePublisher()
    unverified = Identity(
        sub="ann", email="ann@example.com", name=None, groups=frozenset(), email_verified=False
    )

    with pytest.raises(InvalidInputError):
        await place(publisher, identity=unverified)
    assert publisher.queued == {}


async def test_a_queue_that_refuses_says_so_and_nothing_is_queued() -> None:
    publisher = FakePublisher(unavailable=True)

    with pytest.raises(CommandQueueUnavailableError):
        await place(publisher)
    assert publisher.queued == {}
