"""Order mail follows the address the identity proved when it ordered, not what a profile holds."""

from __future__ import annotations

import pytest

from domain.commands import RegisterCustomer
from domain.errors import InvalidInputError
from domain.orders import DeliveryPriority, LineRequest
from resolvers import orders as order_resolvers
from resolvers.identity import Identity
from tests.integration.conftest import Stack, an_address, register_command

pytestmark = pytest.mark.integration


async def test_an_order_mails_the_verified_address_even_if_the_profile_holds_another(
    stack: Stack,
) -> None:
    # GIVEN a profile that holds an address its identity never proved (an older registration)
    registered = register_command("ann")
    await stack.apply(
        RegisterCustomer(
            command_id=registered.command_id,
            actor=registered.actor,
            issued_at=registered.issued_at,
            name="Ann",
            email="victim@elsewhere.example",
            default_address=an_address(),
        )
    )
    ann = Identity(
        sub="ann", email="ann@example.com", name="Ann", groups=frozenset(), email_verified=True
    )

    # WHEN Ann places an order through the API and the worker applies it
    queued = await order_resolvers.place_order(
        await stack.context(ann),
        items=[LineRequest("TEA", 1)],
        priority=DeliveryPriority.STANDARD,
        delivery_address=None,
        notes=None,
        idempotency_key=None,
    )
    await stack.drain()

    # THEN its mail goes to her proven address and to the business, nowhere else
    assert queued.order_id is not None
    recipients = sorted(email.to for email in await stack.emails(queued.order_id))
    assert recipients == sorted(["ann@example.com", stack.settings.business.orders_email])


async def test_a_sign_in_without_a_verified_email_cannot_order(stack: Stack) -> None:
    await stack.apply(register_command("bob"))
    bob = Identity(
        sub="bob", email="bob@example.com", name="Bob", groups=frozenset(), email_verified=False
    )

    with pytest.raises(InvalidInputError):
        await order_resolvers.place_order(
            await stack.context(bob),
            items=[LineRequest("TEA", 1)],
            priority=DeliveryPriority.STANDARD,
            delivery_address=None,
            notes=None,
            idempotency_key=None,
        )

    assert await stack.drain() == []
