"""Types shared by several features: money, addresses, page info, the accepted-command answer."""

from __future__ import annotations

import strawberry

from domain import money, validation
from domain.customers import Address as DomainAddress
from resolvers.command_publisher import QueuedCommand


@strawberry.type(description="Money in the currency's minor unit (cents for USD), as an integer.")
class Money:
    amount: int
    currency: str
    display: str

    @classmethod
    def of(cls, amount: int, currency: str = money.CURRENCY) -> Money:
        value = money.Money(amount, currency)
        return cls(amount=value.amount, currency=value.currency, display=value.display)


@strawberry.type
class Address:
    line1: str
    line2: str | None
    city: str
    postal_code: str
    country: str

    @classmethod
    def of(cls, address: DomainAddress) -> Address:
        return cls(
            line1=address.line1,
            line2=address.line2,
            city=address.city,
            postal_code=address.postal_code,
            country=address.country,
        )


@strawberry.input
class AddressInput:
    line1: str
    line2: str | None = None
    city: str
    postal_code: str
    country: str

    def to_domain(self, field: str) -> DomainAddress:
        with validation.within(field):
            return DomainAddress(
                line1=self.line1,
                line2=self.line2,
                city=self.city,
                postal_code=self.postal_code,
                country=self.country,
            )


def address_or_none(address: AddressInput | None, field: str) -> DomainAddress | None:
    return None if address is None else address.to_domain(field)


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type(
    description="The command was queued; poll command(id) or the order to see it applied."
)
class CommandAccepted:
    command_id: strawberry.ID
    order_id: strawberry.ID | None

    @classmethod
    def of(cls, queued: QueuedCommand) -> CommandAccepted:
        return cls(
            command_id=strawberry.ID(queued.command_id),
            order_id=None if queued.order_id is None else strawberry.ID(queued.order_id),
        )
