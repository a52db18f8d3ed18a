"""Item shapes: the domain's dataclasses to the table's items and back, keys included."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from domain.catalog import Product
from domain.commands import CommandOutcome
from domain.customers import CustomerProfile
from domain.notifications import Effect
from domain.orders import (
    HistoryEntry,
    IssuedReceipt,
    Order,
    OrderDetails,
    TimelineEvent,
    Transaction,
)
from domain.serialization import format_timestamp, from_plain, to_plain
from storage.keys import (
    CATALOG_PARTITION,
    EFFECT_PREFIX,
    ENTITY,
    EVENT_PREFIX,
    GSI1_PK,
    GSI1_SK,
    GSI2_PK,
    GSI2_SK,
    ORDER_SK,
    PK,
    SK,
    STATE,
    TRANSACTION_PREFIX,
    TTL_ATTRIBUTE,
    Item,
    command_key,
    customer_key,
    customer_orders_partition,
    customer_orders_sort_key,
    effect_event_key,
    effect_events_prefix,
    event_sort_key,
    order_key,
    order_partition,
    order_position,
    product_key,
    status_partition,
    transaction_sort_key,
)

# Outcomes are kept well past SQS's longest retention (14 days), so no redelivery outlives them.
COMMAND_OUTCOME_RETENTION = timedelta(days=30)

# A legacy effect record (EFFECT#...) that was performed; its receipt still counts.
EFFECT_DONE = "DONE"
# The attribute an effect event names its effect by; and its receipt's, for a receipt.
EFFECT = "effect"
RECEIPT = "receipt"


def customer_item(profile: CustomerProfile) -> Item:
    return {**customer_key(profile.id), ENTITY: "Customer", **_plain_dict(profile)}


def customer_from_item(item: Mapping[str, Any]) -> CustomerProfile:
    return from_plain(CustomerProfile, _entity_fields(item, CustomerProfile))


def order_item(order: Order) -> Item:
    return {
        **order_key(order.id),
        ENTITY: "Order",
        GSI1_PK: customer_orders_partition(order.customer_id),
        GSI1_SK: customer_orders_sort_key(order),
        GSI2_PK: status_partition(order.status),
        GSI2_SK: order_position(order),
        **_plain_dict(order),
    }


def order_from_item(item: Mapping[str, Any]) -> Order:
    return from_plain(Order, _entity_fields(item, Order))


def transaction_item(order_id: str, transaction: Transaction, command_id: str) -> Item:
    return {
        PK: order_partition(order_id),
        SK: transaction_sort_key(transaction.id),
        ENTITY: "Transaction",
        "command_id": command_id,
        **_plain_dict(transaction),
    }


def ledger_from_items(
    items: Iterable[Mapping[str, Any]],
) -> tuple[Order | None, tuple[Transaction, ...]]:
    """The order and its ledger, from its items from the ORDER sort key on (ORDER, TXN#...)."""
    details = order_details_from_items(items)
    return (None, ()) if details is None else (details.order, details.transactions)


def event_item(
    order_id: str, event_id: str, event: TimelineEvent, command_id: str, now: datetime
) -> Item:
    return {
        PK: order_partition(order_id),
        SK: event_sort_key(event_id),
        **_event_fields(event_id, event, command_id, now),
    }


def effect_event_item(
    order_id: str,
    event_id: str,
    effect: Effect,
    event: TimelineEvent,
    command_id: str,
    now: datetime,
    receipt: IssuedReceipt | None = None,
) -> Item:
    """An effect performed, as its timeline event: the one record a retry checks."""
    key = effect_event_key(order_id, event_id, effect)
    item: Item = {
        **key,
        **_event_fields(str(key[SK]).removeprefix(EVENT_PREFIX), event, command_id, now),
        EFFECT: effect.value,
    }
    if receipt is not None:
        item[RECEIPT] = to_plain(receipt)
    return item


def timeline_event_from_item(item: Mapping[str, Any]) -> TimelineEvent:
    return from_plain(TimelineEvent, _entity_fields(item, TimelineEvent))


def performed_effects(items: Iterable[Mapping[str, Any]], event_id: str) -> frozenset[Effect]:
    """The effects of the change recorded as `event_id` that were performed, from its
    partition's items."""
    prefix = effect_events_prefix(event_id)
    return frozenset(Effect(item[EFFECT]) for item in items if str(item[SK]).startswith(prefix))


def _event_fields(event_id: str, event: TimelineEvent, command_id: str, now: datetime) -> Item:
    return {
        ENTITY: "Event",
        "id": event_id,
        "kind": event.kind.value,
        "detail": event.detail,
        "at": format_timestamp(now),
        "command_id": command_id,
        **{
            name: value
            for name, value in (
                ("version", event.version),
                ("reason", event.reason),
                ("reference", event.reference),
            )
            if value is not None
        },
    }


def order_details_from_items(items: Iterable[Mapping[str, Any]]) -> OrderDetails | None:
    """Assemble an order from its item collection (one Query on its partition, SK ascending)."""
    order: Order | None = None
    transactions: list[Transaction] = []
    history: list[HistoryEntry] = []
    receipts: list[IssuedReceipt] = []
    for item in items:
        sort_key = str(item[SK])
        if sort_key == ORDER_SK:
            order = order_from_item(item)
        elif sort_key.startswith(TRANSACTION_PREFIX):
            transactions.append(from_plain(Transaction, _entity_fields(item, Transaction)))
        elif sort_key.startswith(EVENT_PREFIX):
            history.append(from_plain(HistoryEntry, _entity_fields(item, HistoryEntry)))
        # A receipt rides on its event; older ones, on an effect record (EFFECT#..., DONE).
        is_receipt = sort_key.startswith(EVENT_PREFIX) or (
            sort_key.startswith(EFFECT_PREFIX) and item.get(STATE) == EFFECT_DONE
        )
        if is_receipt and RECEIPT in item:
            receipts.append(from_plain(IssuedReceipt, item[RECEIPT]))
    if order is None:
        return None
    return OrderDetails(order, tuple(transactions), tuple(history), tuple(receipts))


def command_outcome_item(outcome: CommandOutcome) -> Item:
    expires = outcome.recorded_at + COMMAND_OUTCOME_RETENTION
    return {
        **command_key(outcome.command_id),
        ENTITY: "CommandOutcome",
        TTL_ATTRIBUTE: int(expires.timestamp()),
        **_plain_dict(outcome),
    }


def command_outcome_from_item(item: Mapping[str, Any]) -> CommandOutcome:
    return from_plain(CommandOutcome, _entity_fields(item, CommandOutcome))


def product_item(product: Product) -> Item:
    return {
        **product_key(product.sku),
        ENTITY: "Product",
        GSI2_PK: CATALOG_PARTITION,
        GSI2_SK: product.sku,
        **_plain_dict(product),
    }


def product_from_item(item: Mapping[str, Any]) -> Product:
    return from_plain(Product, _entity_fields(item, Product))


def _plain_dict(value: object) -> Item:
    plain = to_plain(value)
    assert isinstance(plain, dict)
    return plain


def _entity_fields(item: Mapping[str, Any], cls: type) -> Item:
    names = cls.__dataclass_fields__  # type: ignore[attr-defined]
    return {name: value for name, value in item.items() if name in names}
