"""The per-request context every resolver receives."""

from __future__ import annotations

from dataclasses import dataclass

from strawberry.dataloader import DataLoader

from domain.customers import CustomerProfile
from domain.notifications import BusinessProfile
from domain.orders import OrderDetails
from resolvers.command_publisher import SqsCommandPublisher
from resolvers.identity import Identity
from resolvers.read_store import DynamoReadStore
from resolvers.receipt_links import ReceiptLinks


@dataclass(frozen=True, slots=True)
class ApiServices:
    """What the API needs for its whole life, built once per process by the composition root."""

    reads: DynamoReadStore
    commands: SqsCommandPublisher
    receipts: ReceiptLinks
    # The business's settings the API shows: its delivery promise and time zone.
    business: BusinessProfile


@dataclass(frozen=True, slots=True)
class RequestContext:
    identity: Identity
    reads: DynamoReadStore
    commands: SqsCommandPublisher
    receipts: ReceiptLinks
    business: BusinessProfile
    # Made per request: a loader kept across requests would serve one caller's cache to another.
    customers: DataLoader[str, CustomerProfile | None]
    order_details: DataLoader[str, OrderDetails | None]
    correlation_id: str


def request_context(
    services: ApiServices, identity: Identity, correlation_id: str
) -> RequestContext:
    return RequestContext(
        identity=identity,
        reads=services.reads,
        commands=services.commands,
        receipts=services.receipts,
        business=services.business,
        customers=DataLoader(load_fn=services.reads.customers),
        order_details=DataLoader(load_fn=services.reads.many_order_details),
        correlation_id=correlation_id,
    )
