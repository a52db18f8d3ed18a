"""Customer fields: the caller's profile, profiles staff may read, and registration."""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain.commands import RegisterCustomer, queue_lane
from domain.customers import Address, CustomerProfile
from domain.errors import InvalidInputError
from domain.ids import is_subject
from resolvers.command_publisher import QueuedCommand

if TYPE_CHECKING:
    from resolvers.context import RequestContext


async def me(context: RequestContext) -> CustomerProfile | None:
    return await context.customers.load(context.identity.sub)


async def customer(context: RequestContext, customer_id: str) -> CustomerProfile | None:
    """Oneself, or anyone for staff; None otherwise, as for a customer that does not exist."""
    if customer_id != context.identity.sub and not context.identity.is_staff:
        return None
    if not is_subject(customer_id):
        return None
    return await context.customers.load(customer_id)


async def register_customer(
    context: RequestContext,
    *,
    name: str,
    email: str | None,
    phone: str | None,
    default_address: Address | None,
) -> QueuedCommand:
    """Create or update the caller's own profile.

    Its email is the sign-in's verified address, and no other: order mail goes only where the
    identity proved it receives mail, so the shop's sender cannot be aimed at anyone else.
    """
    verified = context.identity.verified_email
    if verified is None:
        raise InvalidInputError(
            "email",
            "Your sign-in has no verified email address: verify it with your account, "
            "then register.",
        )
    if email is not None and email.strip().casefold() != verified.casefold():
        raise InvalidInputError(
            "email",
            f"The email must be your sign-in's verified address ({verified}); "
            "change it in your account, not here.",
        )
    command = RegisterCustomer(
        **context.command_header(),
        name=name,
        email=verified,
        phone=phone,
        default_address=default_address,
    )
    await context.commands.publish(command, queue_lane(command))
    return QueuedCommand(command.command_id, None)
