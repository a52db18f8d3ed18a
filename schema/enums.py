"""The domain's enums, registered as GraphQL enums under their own names."""

import strawberry

from domain.commands import CommandState
from domain.errors import ErrorCode
from domain.orders import DeliveryPriority, OrderStatus, TransactionKind

for _enum in (CommandState, ErrorCode, DeliveryPriority, OrderStatus, TransactionKind):
    strawberry.enum(_enum)

__all__ = ["CommandState", "DeliveryPriority", "ErrorCode", "OrderStatus", "TransactionKind"]
