"""The Query root: each field parses its arguments, calls one resolver and maps the result."""

from __future__ import annotations

from typing import Annotated

import strawberry

from domain.errors import DomainError
from resolvers import commands as command_resolvers
from resolvers import customers as customer_resolvers
from resolvers import orders as order_resolvers
from resolvers import products as product_resolvers
from resolvers.context import RequestContext
from schema.commands import Command
from schema.customers import Customer
from schema.enums import DeliveryPriority, OrderStatus
from schema.errors import ValidationError, query_error
from schema.orders import Order, OrderConnection, Quote, QuoteInput, line_requests
from schema.products import Product, ProductConnection
from schema.refusals import answering_refusals

Info = strawberry.Info[RequestContext, None]

QuoteResult = Annotated[
    Quote | ValidationError,
    strawberry.union(
        "QuoteResult",
        description=(
            "An unknown or inactive SKU is a ValidationError with code UNKNOWN_PRODUCT and "
            "field items.<index>.sku."
        ),
    ),
]


@strawberry.type
class Query:
    @strawberry.field(description="The caller's profile; null until registered.")
    async def me(self, info: Info) -> Customer | None:
        profile = await customer_resolvers.me(info.context)
        return None if profile is None else Customer(profile=profile)

    @strawberry.field(description="Null when missing or not visible to the caller.")
    async def order(self, info: Info, id: strawberry.ID) -> Order | None:
        return await Order.read(info, str(id))

    @strawberry.field(description="The caller's own orders, newest first; staff: all orders.")
    async def orders(
        self,
        info: Info,
        status: OrderStatus | None = None,
        priority: DeliveryPriority | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> OrderConnection:
        try:
            page = await order_resolvers.orders(info.context, status, priority, first, after)
        except DomainError as error:
            raise query_error(error) from error
        return OrderConnection.of(page)

    @strawberry.field(description="The caller themself, or anyone for staff.")
    async def customer(self, info: Info, id: strawberry.ID) -> Customer | None:
        profile = await customer_resolvers.customer(info.context, str(id))
        return None if profile is None else Customer(profile=profile)

    @strawberry.field(description="The catalogue by SKU; staff also see inactive products.")
    async def products(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> ProductConnection:
        try:
            page = await product_resolvers.products(info.context, first, after)
        except DomainError as error:
            raise query_error(error) from error
        return ProductConnection.of(page)

    @strawberry.field(
        description=(
            "One product by SKU; null when there is none, or it is withdrawn and the caller is "
            "not staff."
        )
    )
    async def product(self, info: Info, sku: strawberry.ID) -> Product | None:
        found = await product_resolvers.product(info.context, str(sku))
        return None if found is None else Product.of(found)

    @strawberry.field(
        description="A price preview at today's catalogue prices; nothing is written.",
        extensions=answering_refusals(),
    )
    async def quote(self, info: Info, input: QuoteInput) -> QuoteResult:
        priced, arrives = await order_resolvers.quote(
            info.context,
            line_requests(input.items),
            input.priority or DeliveryPriority.STANDARD,
        )
        return Quote(quote=priced, estimated_delivery=arrives)

    @strawberry.field(description="The caller's own commands; staff: any.")
    async def command(self, info: Info, id: strawberry.ID) -> Command | None:
        outcome = await command_resolvers.command(info.context, str(id))
        return None if outcome is None else Command.of(outcome)
