"""The domain's enums, registered as GraphQL enums under their own names."""

import strawberry

from domain.commands import CommandState
from domain.errors import ErrorCode
from domain.orders import DeliveryPriority, EventKind, OrderStatus, TransactionKind

for _enum in (CommandState, ErrorCode, DeliveryPriority, OrderStatus, TransactionKind):
    strawberry.enum(_enum)
strawberry.enum(
    EventKind,
    name="OrderEventKind",
    description="What happened to an order; a client can switch over every value.",
)

__all__ = [
    "CommandState",
    "DeliveryPriority",
    "ErrorCode",
    "EventKind",
    "OrderStatus",
    "TransactionKind",
]
