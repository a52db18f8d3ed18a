"""Test data: valid domain values by default, any field overridable by keyword.

Shared by the unit and integration suites. Ids default to fresh ULIDs so values made in one test
never collide in a shared table; pass an explicit id when a test compares two values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from domain.catalog import Product
from domain.commands import (
    CancelOrder,
    CommandOutcome,
    CommandState,
    CompleteDelivery,
    DispatchOrder,
    ModifyOrder,
    PlaceOrder,
    RegisterCustomer,
    UpsertProduct,
)
from domain.customers import Address, CustomerProfile
from domain.ids import command_id_for, new_ulid
from domain.notifications import BusinessProfile, OrderSnapshot
from domain.orders import (
    Actor,
    DeliveryPriority,
    LineRequest,
    Order,
    OrderChange,
    OrderLine,
    OrderStatus,
    Transaction,
    cancel_order,
    complete_delivery,
    delivery_fee,
    dispatch_order,
    modify_order,
    place_order,
)

# Millisecond precision: what stored timestamps keep, so values survive a storage round trip.
NOW = datetime(2025, 3, 14, 9, 26, 53, 589_000, tzinfo=UTC)

CUSTOMER_SUB = "customer-ada"
OTHER_CUSTOMER_SUB = "customer-bob"
STAFF_SUB = "staff-grace"

TEA = "TEA-001"
MUG = "MUG-002"
KETTLE = "KETTLE-003"
WITHDRAWN = "OLD-999"
TEA_PRICE = 450
MUG_PRICE = 1299
KETTLE_PRICE = 2599


def a_customer(sub: str = CUSTOMER_SUB) -> Actor:
    return Actor(sub=sub, is_staff=False)


def a_staff_member(sub: str = STAFF_SUB) -> Actor:
    return Actor(sub=sub, is_staff=True)


def an_address(**overrides: Any) -> Address:
    fields: dict[str, Any] = {
        "line1": "12 Analytical Row",
        "city": "London",
        "postal_code": "N1 9GU",
        "country": "GB",
        "line2": None,
    }
    return Address(**(fields | overrides))


def a_profile(**overrides: Any) -> CustomerProfile:
    fields: dict[str, Any] = {
        "id": CUSTOMER_SUB,
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "phone": None,
        "default_address": an_address(),
        "created_at": NOW,
        "updated_at": NOW,
    }
    return CustomerProfile(**(fields | overrides))


def a_product(**overrides: Any) -> Product:
    fields: dict[str, Any] = {
        "sku": TEA,
        "name": "Green tea",
        "price": TEA_PRICE,
        "active": True,
        "updated_at": NOW,
    }
    return Product(**(fields | overrides))


def a_catalogue(*products: Product) -> dict[str, Product]:
    """The given products by SKU; by default tea, a mug, a kettle and a withdrawn product."""
    if not products:
        products = (
            a_product(sku=TEA, name="Green tea", price=TEA_PRICE),
            a_product(sku=MUG, name="Mug", price=MUG_PRICE),
            a_product(sku=KETTLE, name="Kettle", price=KETTLE_PRICE),
            a_product(sku=WITHDRAWN, name="Discontinued", price=100, active=False),
        )
    return {product.sku: product for product in products}


def a_line(sku: str = TEA, quantity: int = 1) -> LineRequest:
    return LineRequest(sku=sku, quantity=quantity)


def an_order_line(**overrides: Any) -> OrderLine:
    fields: dict[str, Any] = {"sku": TEA, "name": "Green tea", "quantity": 2, "unit_price": 450}
    return OrderLine(**(fields | overrides))


def an_order(**overrides: Any) -> Order:
    """An order as stored, in any status; the delivery fee follows the priority unless given."""
    priority = overrides.get("priority", DeliveryPriority.STANDARD)
    fields: dict[str, Any] = {
        "id": new_ulid(),
        "customer_id": CUSTOMER_SUB,
        "customer_name": "Ada Lovelace",
        "customer_email": "ada@example.com",
        "status": OrderStatus.PLACED,
        "priority": priority,
        "lines": (an_order_line(),),
        "delivery_address": an_address(),
        "notes": None,
        "delivery_fee": delivery_fee(priority),
        "version": 1,
        "created_at": NOW,
        "updated_at": NOW,
        "request_fingerprint": "0" * 64,
    }
    return Order(**(fields | overrides))


def an_order_placement(
    *,
    order_id: str | None = None,
    customer: CustomerProfile | None = None,
    items: Sequence[LineRequest] | None = None,
    catalogue: dict[str, Product] | None = None,
    priority: DeliveryPriority = DeliveryPriority.STANDARD,
    delivery_address: Address | None = None,
    notes: str | None = None,
    now: datetime = NOW,
) -> OrderChange:
    """The change `place_order` makes, from the default catalogue and profile unless given."""
    return place_order(
        order_id=order_id or new_ulid(),
        customer=customer or a_profile(),
        requested=items if items is not None else (a_line(TEA, 2),),
        catalogue=catalogue if catalogue is not None else a_catalogue(),
        priority=priority,
        delivery_address=delivery_address,
        notes=notes,
        request_fingerprint="f" * 64,
        now=now,
    )


def a_placed_order(**overrides: Any) -> Order:
    """An order just placed through the domain (priced from the catalogue, version 1)."""
    return an_order_placement(**overrides).order


# --- commands ----------------------------------------------------------------------------


def _command_fields(overrides: dict[str, Any], actor: Actor) -> dict[str, Any]:
    actor = overrides.get("actor", actor)
    return {"command_id": command_id_for(actor.sub), "actor": actor, "issued_at": NOW}


def a_register_customer_command(**overrides: Any) -> RegisterCustomer:
    fields = _command_fields(overrides, a_customer()) | {
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "phone": None,
        "default_address": an_address(),
    }
    return RegisterCustomer(**(fields | overrides))


def a_place_order_command(**overrides: Any) -> PlaceOrder:
    fields = _command_fields(overrides, a_customer()) | {
        "order_id": new_ulid(),
        "items": (a_line(TEA, 2),),
        "priority": DeliveryPriority.STANDARD,
    }
    return PlaceOrder(**(fields | overrides))


def a_modify_order_command(**overrides: Any) -> ModifyOrder:
    fields = _command_fields(overrides, a_customer()) | {
        "order_id": new_ulid(),
        "items": (a_line(MUG, 1),),
    }
    return ModifyOrder(**(fields | overrides))


def a_cancel_order_command(**overrides: Any) -> CancelOrder:
    fields = _command_fields(overrides, a_customer()) | {"order_id": new_ulid()}
    return CancelOrder(**(fields | overrides))


def a_dispatch_order_command(**overrides: Any) -> DispatchOrder:
    fields = _command_fields(overrides, a_staff_member()) | {"order_id": new_ulid()}
    return DispatchOrder(**(fields | overrides))


def a_complete_delivery_command(**overrides: Any) -> CompleteDelivery:
    fields = _command_fields(overrides, a_staff_member()) | {"order_id": new_ulid()}
    return CompleteDelivery(**(fields | overrides))


def an_upsert_product_command(**overrides: Any) -> UpsertProduct:
    fields = _command_fields(overrides, a_staff_member()) | {
        "sku": TEA,
        "name": "Green tea",
        "price": TEA_PRICE,
        "active": True,
    }
    return UpsertProduct(**(fields | overrides))


def a_command_outcome(**overrides: Any) -> CommandOutcome:
    fields: dict[str, Any] = {
        "command_id": command_id_for(CUSTOMER_SUB),
        "actor_sub": CUSTOMER_SUB,
        "state": CommandState.APPLIED,
        "order_id": new_ulid(),
        "error_code": None,
        "error_message": None,
        "recorded_at": NOW,
    }
    return CommandOutcome(**(fields | overrides))


# --- later changes and what the worker tells the outside world of them --------------------

LATER = NOW + timedelta(hours=1)


def a_modification(
    order: Order,
    *,
    items: Sequence[LineRequest] | None = None,
    delivery_address: Address | None = None,
    notes: str | None = None,
    catalogue: Mapping[str, Product] | None = None,
) -> OrderChange:
    """The change `modify_order` makes to `order` an hour on, priced from `catalogue` (the
    default catalogue unless given)."""
    return modify_order(
        order,
        requested=items,
        delivery_address=delivery_address,
        notes=notes,
        catalogue=a_catalogue() if catalogue is None else catalogue,
        expected_version=None,
        now=LATER,
    )


def a_cancellation(order: Order, *, reason: str | None = None) -> OrderChange:
    return cancel_order(order, reason=reason, expected_version=None, now=LATER)


def a_dispatch(order: Order) -> OrderChange:
    return dispatch_order(order, actor=a_staff_member(), expected_version=None, now=LATER)


def a_delivery(order: Order) -> OrderChange:
    """Dispatch, then delivery: the change that completes the delivery of a placed order."""
    dispatched = a_dispatch(order).order
    return complete_delivery(dispatched, actor=a_staff_member(), expected_version=None, now=LATER)


def a_snapshot(*changes: OrderChange) -> OrderSnapshot:
    """What the worker records for the last of `changes` (successive changes of one order): the
    order as it left it, with the ledger all of them booked."""
    last = changes[-1]
    transactions = tuple(
        Transaction(
            id=new_ulid(),
            kind=change.ledger_entry.kind,
            amount=change.ledger_entry.amount,
            currency=change.order.currency,
            note=change.ledger_entry.note,
            created_at=change.order.updated_at,
        )
        for change in changes
        if change.ledger_entry is not None
    )
    return OrderSnapshot(
        order=last.order,
        transactions=transactions,
        event=last.event,
        previous_total=None if last.previous is None else last.previous.total,
    )


def a_business(**overrides: Any) -> BusinessProfile:
    fields: dict[str, Any] = {
        "name": "Tea & Cake Co",
        "orders_email": "orders@teacake.example",
        "sender_email": "noreply@teacake.example",
        "phone": "+44 20 7946 0000",
        "postal_address": "1 Market Street, London",
        "receipt_link_template": "https://shop.teacake.example/orders/{order_id}",
    }
    return BusinessProfile(**(fields | overrides))
