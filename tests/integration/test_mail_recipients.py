"""Order mail follows the address the identity proved when it ordered, not what a profile holds."""

from __future__ import annotations

from dataclasses import replace

import pytest

from domain.errors import InvalidInputError
from domain.orders import DeliveryPriority, LineRequest
from resolvers import orders as order_resolvers
from resolvers.command_publisher import QueuedCommand
from resolvers.identity import Identity
from tests.integration.conftest import Stack, identity, register_command

pytestmark = pytest.mark.integration


async def place_a_tea(stack: Stack, who: Identity) -> QueuedCommand:
    """One standard tea to the profile's address, placed through the API's resolver."""
    return await order_resolvers.place_order(
        await stack.context(who),
        items=[LineRequest("TEA", 1)],
        priority=DeliveryPriority.STANDARD,
        delivery_address=None,
        notes=None,
        idempotency_key=None,
    )


async def test_an_order_mails_the_verified_address_even_if_the_profile_holds_another(
    stack: Stack,
) -> None:
    # GIVEN a profile that holds an address its identity never proved (an older registration)
    await stack.apply(replace(register_command("ann"), email="victim@elsewhere.example"))
    ann = identity("ann")  # who proved ann@example.com

    # WHEN Ann places an order through the API and the worker applies it
    queued = await place_a_tea(stack, ann)
    await stack.drain()

    # THEN its mail goes to her proven address and to the business, nowhere else
    assert queued.order_id is not None
    recipients = sorted(email.to for email in await stack.emails(queued.order_id))
    assert recipients == sorted(["ann@example.com", stack.settings.business.orders_email])


async def test_a_sign_in_without_a_verified_email_cannot_order(stack: Stack) -> None:
    await stack.apply(register_command("bob"))

    with pytest.raises(InvalidInputError):
        await place_a_tea(stack, identity("bob", email_verified=False))

    assert await stack.drain() == []
