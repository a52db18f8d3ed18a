"""The `command(id)` field: what became of a queued command."""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain.commands import CommandOutcome, CommandState
from domain.ids import is_command_id, is_owned_command_id
from domain.serialization import utc_now

if TYPE_CHECKING:
    from resolvers.context import RequestContext


async def command(context: RequestContext, command_id: str) -> CommandOutcome | None:
    """The outcome once recorded, PENDING before; another's command answers like a missing one.

    Command ids carry a tag of their issuer, so "pending" is only ever said to a customer of their
    own ids: for anyone else's the answer is None whether it exists or not. Staff see any.
    """
    identity = context.identity
    if not is_command_id(command_id):
        return None
    outcome = await context.reads.command_outcome(command_id)
    if outcome is not None and (identity.is_staff or outcome.actor_sub == identity.sub):
        return outcome
    if outcome is None and (identity.is_staff or is_owned_command_id(command_id, identity.sub)):
        return CommandOutcome(
            command_id=command_id,
            actor_sub=identity.sub,
            state=CommandState.PENDING,
            order_id=None,
            error_code=None,
            error_message=None,
            recorded_at=utc_now(),
        )
    return None
