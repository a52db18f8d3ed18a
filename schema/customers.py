"""The Customer type: a profile and its orders."""

from __future__ import annotations

import strawberry

from domain import orders as domain_orders
from domain.customers import CustomerProfile
from domain.errors import DomainError
from resolvers import orders as order_resolvers
from resolvers.context import RequestContext
from schema.common import Address
from schema.errors import query_error
from schema.orders import OrderConnection


@strawberry.type
class Customer:
    profile: strawberry.Private[CustomerProfile]

    @strawberry.field(description="The identity's subject (Cognito sub).")
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.profile.id)

    @strawberry.field
    def name(self) -> str:
        return self.profile.name

    @strawberry.field
    def email(self) -> str:
        return self.profile.email

    @strawberry.field
    def phone(self) -> str | None:
        return self.profile.phone

    @strawberry.field
    def default_address(self) -> Address | None:
        address = self.profile.default_address
        return None if address is None else Address.of(address)

    @strawberry.field
    async def orders(
        self, info: strawberry.Info[RequestContext, None], first: int = 20, after: str | None = None
    ) -> OrderConnection:
        try:
            page = await order_resolvers.customer_orders(
                info.context, self.profile.id, first, after
            )
        except DomainError as error:
            raise query_error(error) from error
        return OrderConnection.of(page)

    @classmethod
    def from_order_snapshot(cls, order: domain_orders.Order) -> Customer:
        """The customer as the order recorded them, should the profile be gone."""
        return cls(
            profile=CustomerProfile(
                id=order.customer_id,
                name=order.customer_name,
                email=order.customer_email,
                phone=None,
                default_address=None,
                created_at=order.created_at,
                updated_at=order.created_at,
            )
        )
