"""The per-request context every resolver receives."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TypedDict

from strawberry.dataloader import DataLoader

from domain.customers import CustomerProfile
from domain.ids import command_id_for
from domain.notifications import BusinessProfile
from domain.orders import Actor, OrderDetails
from domain.serialization import utc_now
from resolvers.command_publisher import CommandPublisher
from resolvers.identity import Identity
from resolvers.read_store import DynamoReadStore
from resolvers.receipt_links import ReceiptLinks


@dataclass(frozen=True, slots=True)
class ApiServices:
    """What the API needs for its whole life, built once per process by the composition root."""

    reads: DynamoReadStore
    commands: CommandPublisher
    receipts: ReceiptLinks
    # The business's settings the API shows: its delivery promise and time zone.
    business: BusinessProfile


class CommandHeader(TypedDict):
    """What every command carries of who sent it and when: `Command(**header, ...)`."""

    command_id: str
    actor: Actor
    issued_at: datetime


@dataclass(frozen=True, slots=True)
class RequestContext:
    identity: Identity
    reads: DynamoReadStore
    commands: CommandPublisher
    receipts: ReceiptLinks
    business: BusinessProfile
    # Made per request: a loader kept across requests would serve one caller's cache to another.
    customers: DataLoader[str, CustomerProfile | None]
    order_details: DataLoader[str, OrderDetails | None]
    correlation_id: str

    def command_header(self) -> CommandHeader:
        """A new command's id (tagged with its issuer), its issuer and its time."""
        sub = self.identity.sub
        return CommandHeader(
            command_id=command_id_for(sub), actor=self.identity.actor, issued_at=utc_now()
        )


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
