"""The Command type: the observable state of a queued command."""

from __future__ import annotations

from datetime import datetime

import strawberry

from domain import commands as domain_commands
from resolvers.context import RequestContext
from schema.enums import CommandState
from schema.errors import CommandError
from schema.orders import Order


@strawberry.type
class Command:
    id: strawberry.ID
    state: CommandState
    order_id: strawberry.ID | None
    error: CommandError | None
    recorded_at: datetime | None = strawberry.field(
        description="When the worker applied or rejected the command; null while PENDING."
    )

    @strawberry.field(
        description=(
            "The order as it stands now, when the command concerns one the caller may see "
            "(null while a new order's command is PENDING)."
        )
    )
    async def order(self, info: strawberry.Info[RequestContext, None]) -> Order | None:
        if self.order_id is None:
            return None
        return await Order.read(info, str(self.order_id))

    @classmethod
    def of(cls, outcome: domain_commands.CommandOutcome) -> Command:
        error = None
        if outcome.error_code is not None:
            error = CommandError(code=outcome.error_code, message=outcome.error_message or "")
        return cls(
            id=strawberry.ID(outcome.command_id),
            state=outcome.state,
            order_id=None if outcome.order_id is None else strawberry.ID(outcome.order_id),
            error=error,
            recorded_at=None
            if outcome.state is domain_commands.CommandState.PENDING
            else outcome.recorded_at,
        )
