"""The Mutation root: validate, authorize, queue one command, answer CommandAccepted or an error."""

from __future__ import annotations

from typing import Annotated

import strawberry

from resolvers import customers as customer_resolvers
from resolvers import orders as order_resolvers
from resolvers import products as product_resolvers
from resolvers.context import RequestContext
from schema.common import AddressInput, CommandAccepted, address_or_none
from schema.enums import DeliveryPriority
from schema.errors import (
    ForbiddenError,
    NotFoundError,
    OrderNotModifiableError,
    ProfileRequiredError,
    StaleVersionError,
    ValidationError,
)
from schema.orders import OrderItemInput, line_requests
from schema.products import UpsertProductInput
from schema.refusals import answering_refusals

Info = strawberry.Info[RequestContext, None]

DELIVERY_STAFF_ONLY = "Only staff can change an order's delivery status."

RegisterCustomerResult = Annotated[
    CommandAccepted | ValidationError, strawberry.union("RegisterCustomerResult")
]
PlaceOrderResult = Annotated[
    CommandAccepted | ValidationError | ProfileRequiredError, strawberry.union("PlaceOrderResult")
]
ModifyOrderResult = Annotated[
    CommandAccepted | ValidationError | NotFoundError | OrderNotModifiableError | StaleVersionError,
    strawberry.union("ModifyOrderResult"),
]
# ValidationError is a member beyond the contract's: a reason or version can be out of bounds.
CancelOrderResult = Annotated[
    CommandAccepted | NotFoundError | OrderNotModifiableError | StaleVersionError | ValidationError,
    strawberry.union("CancelOrderResult"),
]
StaffOrderResult = Annotated[
    CommandAccepted
    | ForbiddenError
    | NotFoundError
    | OrderNotModifiableError
    | StaleVersionError
    | ValidationError,
    strawberry.union("StaffOrderResult"),
]
UpsertProductResult = Annotated[
    CommandAccepted | ValidationError | ForbiddenError, strawberry.union("UpsertProductResult")
]


@strawberry.input
class RegisterCustomerInput:
    name: str
    email: str | None = strawberry.field(
        default=None,
        description=(
            "Optional: the sign-in's verified email is the profile's, and order mail goes only "
            "there. Any other address is refused (ValidationError on email)."
        ),
    )
    phone: str | None = None
    default_address: AddressInput | None = None


@strawberry.input
class PlaceOrderInput:
    items: list[OrderItemInput]
    priority: DeliveryPriority | None = DeliveryPriority.STANDARD
    delivery_address: AddressInput | None = strawberry.field(
        default=None, description="Defaults to the customer's defaultAddress."
    )
    notes: str | None = None
    idempotency_key: str | None = None


@strawberry.input
class ModifyOrderInput:
    order_id: strawberry.ID
    expected_version: int | None = None
    items: list[OrderItemInput] | None = strawberry.field(
        default=None,
        description=(
            "The whole order as it should be: each SKU once, with its total quantity. Units "
            "already ordered keep their price, added units take today's."
        ),
    )
    delivery_address: AddressInput | None = None
    notes: str | None = None


@strawberry.input
class CancelOrderInput:
    order_id: strawberry.ID
    expected_version: int | None = None
    reason: str | None = None


@strawberry.input
class OrderRefInput:
    order_id: strawberry.ID
    expected_version: int | None = None


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Create or update the caller's own profile.", extensions=answering_refusals()
    )
    async def register_customer(
        self, info: Info, input: RegisterCustomerInput
    ) -> RegisterCustomerResult:
        return CommandAccepted.of(
            await customer_resolvers.register_customer(
                info.context,
                name=input.name,
                email=input.email,
                phone=input.phone,
                default_address=address_or_none(input.default_address, "defaultAddress"),
            )
        )

    @strawberry.mutation(extensions=answering_refusals())
    async def place_order(self, info: Info, input: PlaceOrderInput) -> PlaceOrderResult:
        return CommandAccepted.of(
            await order_resolvers.place_order(
                info.context,
                items=line_requests(input.items),
                priority=input.priority or DeliveryPriority.STANDARD,
                delivery_address=address_or_none(input.delivery_address, "deliveryAddress"),
                notes=input.notes,
                idempotency_key=input.idempotency_key,
            )
        )

    @strawberry.mutation(extensions=answering_refusals())
    async def modify_order(self, info: Info, input: ModifyOrderInput) -> ModifyOrderResult:
        return CommandAccepted.of(
            await order_resolvers.modify_order(
                info.context,
                order_id=str(input.order_id),
                expected_version=input.expected_version,
                items=None if input.items is None else line_requests(input.items),
                delivery_address=address_or_none(input.delivery_address, "deliveryAddress"),
                notes=input.notes,
            )
        )

    @strawberry.mutation(extensions=answering_refusals())
    async def cancel_order(self, info: Info, input: CancelOrderInput) -> CancelOrderResult:
        return CommandAccepted.of(
            await order_resolvers.cancel_order(
                info.context,
                order_id=str(input.order_id),
                expected_version=input.expected_version,
                reason=input.reason,
            )
        )

    @strawberry.mutation(
        description="Staff: PLACED -> OUT_FOR_DELIVERY.",
        extensions=answering_refusals(staff_only=DELIVERY_STAFF_ONLY),
    )
    async def dispatch_order(self, info: Info, input: OrderRefInput) -> StaffOrderResult:
        return CommandAccepted.of(
            await order_resolvers.dispatch_order(
                info.context,
                order_id=str(input.order_id),
                expected_version=input.expected_version,
            )
        )

    @strawberry.mutation(
        description="Staff: OUT_FOR_DELIVERY -> DELIVERED.",
        extensions=answering_refusals(staff_only=DELIVERY_STAFF_ONLY),
    )
    async def complete_delivery(self, info: Info, input: OrderRefInput) -> StaffOrderResult:
        return CommandAccepted.of(
            await order_resolvers.complete_delivery(
                info.context,
                order_id=str(input.order_id),
                expected_version=input.expected_version,
            )
        )

    @strawberry.mutation(
        description="Staff: add a product, or replace one's name, price, state and description.",
        extensions=answering_refusals(staff_only="Only staff can manage products."),
    )
    async def upsert_product(self, info: Info, input: UpsertProductInput) -> UpsertProductResult:
        return CommandAccepted.of(
            await product_resolvers.upsert_product(
                info.context,
                sku=input.sku,
                name=input.name,
                price=input.price,
                active=input.active,
                description=input.description,
            )
        )
