"""Order types: the order with its lines, ledger and timeline, and order pages."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, ClassVar, TypeAlias, TypeVar

import strawberry

from domain import orders as domain_orders
from domain.orders import LineRequest, OrderDetails
from resolvers import orders as order_resolvers
from resolvers.context import RequestContext
from resolvers.pagination import Page
from schema.common import Address, Money, PageInfo, selects_any
from schema.enums import DeliveryPriority, EventKind, OrderStatus, TransactionKind

if TYPE_CHECKING:
    from schema.customers import Customer

T = TypeVar("T")
# A field's value, or (when the order was read without its collection) what will load it. Such
# fields name their GraphQL type themselves (`graphql_type`): graphql-core awaits an awaitable
# whatever the resolver, and resolves a value at once.
MaybeLoaded: TypeAlias = T | Awaitable[T]


@strawberry.type
class OrderItem:
    sku: str
    name: str
    quantity: int
    unit_price: Money
    line_total: Money

    @classmethod
    def of(cls, line: domain_orders.OrderLine, currency: str) -> OrderItem:
        return cls(
            sku=line.sku,
            name=line.name,
            quantity=line.quantity,
            unit_price=Money.of(line.unit_price, currency),
            line_total=Money.of(line.line_total, currency),
        )


@strawberry.input
class OrderItemInput:
    sku: str
    quantity: int


def line_requests(items: list[OrderItemInput]) -> list[LineRequest]:
    return [LineRequest(sku=item.sku, quantity=item.quantity) for item in items]


@strawberry.input
class QuoteInput:
    items: list[OrderItemInput]
    priority: DeliveryPriority | None = DeliveryPriority.STANDARD


@strawberry.type(
    description=(
        "A price preview for a prospective order, from the current catalogue; nothing is "
        "written. Placing the same items at the same prices costs exactly this."
    )
)
class Quote:
    quote: strawberry.Private[domain_orders.Quote]
    estimated_delivery: datetime = strawberry.field(
        description="When an order placed now would arrive, by the business's promise."
    )

    @strawberry.field
    def priority(self) -> DeliveryPriority:
        return self.quote.priority

    @strawberry.field
    def items(self) -> list[OrderItem]:
        return [OrderItem.of(line, self.quote.currency) for line in self.quote.lines]

    @strawberry.field
    def subtotal(self) -> Money:
        return Money.of(self.quote.subtotal, self.quote.currency)

    @strawberry.field
    def delivery_fee(self) -> Money:
        return Money.of(self.quote.delivery_fee, self.quote.currency)

    @strawberry.field
    def total(self) -> Money:
        return Money.of(self.quote.total, self.quote.currency)


@strawberry.type
class Receipt:
    url: str
    version: int
    issued_at: datetime


@strawberry.type(
    description=(
        "A money movement of an order. Amounts are signed, seen from the business: a CHARGE is "
        "positive, a REFUND negative, an ADJUSTMENT either. The sum of an order's transactions "
        "always equals what the customer owes for it: its total while it is live, zero once it "
        "is cancelled."
    )
)
class Transaction:
    id: strawberry.ID
    kind: TransactionKind
    amount: Money
    created_at: datetime
    note: str | None


@strawberry.type(
    description=(
        "One entry of an order's timeline: detail is a sentence its customer can read (an "
        "email event says to whom, never a message id); version is the order version it "
        "belongs to (null on events recorded before versions were)."
    )
)
class OrderEvent:
    at: datetime
    kind: EventKind
    detail: str | None
    version: int | None


@strawberry.type
class Order:
    order: strawberry.Private[domain_orders.Order]
    # Present when the order was read with its item collection; loaded on demand otherwise.
    details: strawberry.Private[OrderDetails | None] = None

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.order.id)

    @strawberry.field
    async def customer(
        self, info: strawberry.Info[RequestContext, None]
    ) -> Annotated[Customer, strawberry.lazy("schema.customers")]:
        from schema.customers import Customer

        profile = await info.context.customers.load(self.order.customer_id)
        if profile is not None:
            return Customer(profile=profile)
        return Customer.from_order_snapshot(self.order)

    @strawberry.field
    def status(self) -> OrderStatus:
        return self.order.status

    @strawberry.field
    def priority(self) -> DeliveryPriority:
        return self.order.priority

    @strawberry.field(
        description=(
            "One line per SKU and price: units added later at another catalogue price are a "
            "line of their own, so a SKU may appear more than once (its quantity is the sum)."
        )
    )
    def items(self) -> list[OrderItem]:
        return [OrderItem.of(line, self.order.currency) for line in self.order.lines]

    @strawberry.field
    def delivery_address(self) -> Address:
        return Address.of(self.order.delivery_address)

    @strawberry.field
    def notes(self) -> str | None:
        return self.order.notes

    @strawberry.field
    def subtotal(self) -> Money:
        return Money.of(self.order.subtotal, self.order.currency)

    @strawberry.field(description="Urgent orders carry a surcharge.")
    def delivery_fee(self) -> Money:
        return Money.of(self.order.delivery_fee, self.order.currency)

    @strawberry.field
    def total(self) -> Money:
        return Money.of(self.order.total, self.order.currency)

    @strawberry.field(
        graphql_type=Money,
        description=(
            "The sum of the order's transactions: what the customer owes now (0 once cancelled)."
        ),
    )
    def balance(self, info: strawberry.Info[RequestContext, None]) -> MaybeLoaded[Money]:
        return self._from_details(
            info.context, lambda details: Money.of(details.balance, self.order.currency)
        )

    @strawberry.field(
        description=(
            "When the order should arrive by the business's delivery promise, on its clock; "
            "null once delivered or cancelled."
        )
    )
    def estimated_delivery(self, info: strawberry.Info[RequestContext, None]) -> datetime | None:
        return info.context.business.promised_delivery(self.order)

    @strawberry.field
    def version(self) -> int:
        return self.order.version

    @strawberry.field
    def created_at(self) -> datetime:
        return self.order.created_at

    @strawberry.field
    def updated_at(self) -> datetime:
        return self.order.updated_at

    @strawberry.field
    def can_modify(self) -> bool:
        return self.order.can_modify

    @strawberry.field
    def can_cancel(self) -> bool:
        return self.order.can_cancel

    @strawberry.field(
        description="The latest receipt, with a short-lived URL; null until the first is issued."
    )
    async def receipt(self, info: strawberry.Info[RequestContext, None]) -> Receipt | None:
        latest = (await self._details(info.context)).latest_receipt
        if latest is None:
            return None
        return Receipt(
            url=await info.context.receipts.url(latest),
            version=latest.version,
            issued_at=latest.issued_at,
        )

    @strawberry.field(graphql_type=list[Transaction])
    def transactions(
        self, info: strawberry.Info[RequestContext, None]
    ) -> MaybeLoaded[list[Transaction]]:
        return self._from_details(info.context, _transactions)

    @strawberry.field(
        graphql_type=list[OrderEvent], description="The order's timeline, oldest first."
    )
    def history(self, info: strawberry.Info[RequestContext, None]) -> MaybeLoaded[list[OrderEvent]]:
        return self._from_details(info.context, _history)

    # The fields read from the order's item collection (its ledger, timeline and receipts);
    # every other field is on the order's own item.
    FROM_COLLECTION: ClassVar[frozenset[str]] = frozenset(
        {"balance", "receipt", "transactions", "history"}
    )

    async def _details(self, context: RequestContext) -> OrderDetails:
        if self.details is None:
            loaded = await context.order_details.load(self.order.id)
            self.details = loaded or OrderDetails(self.order, (), ())
        return self.details

    def _from_details(
        self, context: RequestContext, view: Callable[[OrderDetails], T]
    ) -> MaybeLoaded[T]:
        """`view` of the order's collection: at once when the order was read with it (then
        graphql-core schedules no task for the field), else once the loader has read it."""
        if self.details is not None:
            return view(self.details)
        return self._view_loaded(context, view)

    async def _view_loaded(self, context: RequestContext, view: Callable[[OrderDetails], T]) -> T:
        return view(await self._details(context))

    @classmethod
    def of(cls, details: OrderDetails) -> Order:
        return cls(order=details.order, details=details)

    @classmethod
    async def read(cls, info: strawberry.Info[RequestContext, None], order_id: str) -> Order | None:
        """The order `info`'s field resolves to, read as its selection needs: the order's item
        alone (one GetItem) unless a field from its collection is selected (then one Query)."""
        if selects_any(info, cls.FROM_COLLECTION):
            details = await order_resolvers.order_details(info.context, order_id)
            return None if details is None else cls.of(details)
        found = await order_resolvers.order(info.context, order_id)
        return None if found is None else cls(order=found)


def _transactions(details: OrderDetails) -> list[Transaction]:
    return [
        Transaction(
            id=strawberry.ID(entry.id),
            kind=entry.kind,
            amount=Money.of(entry.amount, entry.currency),
            created_at=entry.created_at,
            note=entry.note,
        )
        for entry in details.transactions
    ]


def _history(details: OrderDetails) -> list[OrderEvent]:
    return [
        OrderEvent(at=entry.at, kind=entry.kind, detail=entry.detail, version=entry.version)
        for entry in details.history
    ]


@strawberry.type
class OrderEdge:
    cursor: str
    node: Order


@strawberry.type
class OrderConnection:
    edges: list[OrderEdge]
    page_info: PageInfo

    @classmethod
    def of(cls, page: Page[domain_orders.Order]) -> OrderConnection:
        return cls(
            edges=[
                OrderEdge(cursor=cursor, node=Order(order=node)) for cursor, node in page.entries
            ],
            page_info=PageInfo.of(page),
        )
