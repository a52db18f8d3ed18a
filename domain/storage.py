"""The single-table layout: keys, item shapes and the DynamoDB attribute-value codec.

| entity          | PK              | SK           | GSI1 pk / sk                      |
|-----------------|-----------------|--------------|-----------------------------------|
| customer        | CUSTOMER#<sub>  | PROFILE      |                                   |
| order           | ORDER#<id>      | ORDER        | CUSTOMER#<sub> / ORDER#<position> |
| transaction     | ORDER#<id>      | TXN#<ulid>   |                                   |
| timeline event  | ORDER#<id>      | EVENT#<ulid> |                                   |
| effect record   | ORDER#<id>      | EFFECT#<command id>#<effect> |                   |
| command outcome | COMMAND#<id>    | COMMAND      |                                   |
| product         | PRODUCT#<sku>   | PRODUCT      |                                   |

GSI2: orders by `STATUS#<status>` / `<position>`; products by `CATALOG` / `<sku>`.
An order's position is `<createdAt>#<id>`.

Order sort keys start with the creation time, so "newest first" is a descending query and a
page cursor is just the last sort key seen.
"""

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
    OrderStatus,
    TimelineEvent,
    Transaction,
)
from domain.serialization import format_timestamp, from_plain, to_plain

PK = "PK"
SK = "SK"
GSI1 = "GSI1"
GSI1_PK = "GSI1PK"
GSI1_SK = "GSI1SK"
GSI2 = "GSI2"
GSI2_PK = "GSI2PK"
GSI2_SK = "GSI2SK"
TTL_ATTRIBUTE = "expiresAt"
ENTITY = "entity"

ORDER_SK = "ORDER"
PROFILE_SK = "PROFILE"
COMMAND_SK = "COMMAND"
PRODUCT_SK = "PRODUCT"
TRANSACTION_PREFIX = "TXN#"
EVENT_PREFIX = "EVENT#"
EFFECT_PREFIX = "EFFECT#"
CATALOG_PARTITION = "CATALOG"
# Outcomes are kept well past SQS's longest retention (14 days), so no redelivery outlives them.
COMMAND_OUTCOME_RETENTION = timedelta(days=30)

Item = dict[str, Any]


def customer_key(sub: str) -> Item:
    return {PK: f"CUSTOMER#{sub}", SK: PROFILE_SK}


def order_key(order_id: str) -> Item:
    return {PK: f"ORDER#{order_id}", SK: ORDER_SK}


def order_partition(order_id: str) -> str:
    return f"ORDER#{order_id}"


def command_key(command_id: str) -> Item:
    return {PK: f"COMMAND#{command_id}", SK: COMMAND_SK}


def product_key(sku: str) -> Item:
    return {PK: f"PRODUCT#{sku}", SK: PRODUCT_SK}


def customer_orders_partition(sub: str) -> str:
    return f"CUSTOMER#{sub}"


def status_partition(status: OrderStatus) -> str:
    return f"STATUS#{status.value}"


def order_position(order: Order) -> str:
    """Where an order sorts among others: creation time, then id. GSI sort keys end with it."""
    return f"{format_timestamp(order.created_at)}#{order.id}"


CUSTOMER_ORDERS_SORT_PREFIX = "ORDER#"


def _customer_orders_sort_key(order: Order) -> str:
    return CUSTOMER_ORDERS_SORT_PREFIX + order_position(order)


# --- items -------------------------------------------------------------------------------


def customer_item(profile: CustomerProfile) -> Item:
    return {**customer_key(profile.id), ENTITY: "Customer", **_plain_dict(profile)}


def customer_from_item(item: Mapping[str, Any]) -> CustomerProfile:
    return from_plain(CustomerProfile, _entity_fields(item, CustomerProfile))


def order_item(order: Order) -> Item:
    return {
        **order_key(order.id),
        ENTITY: "Order",
        GSI1_PK: customer_orders_partition(order.customer_id),
        GSI1_SK: _customer_orders_sort_key(order),
        GSI2_PK: status_partition(order.status),
        GSI2_SK: order_position(order),
        **_plain_dict(order),
    }


def order_from_item(item: Mapping[str, Any]) -> Order:
    return from_plain(Order, _entity_fields(item, Order))


def transaction_item(order_id: str, transaction: Transaction, command_id: str) -> Item:
    return {
        PK: order_partition(order_id),
        SK: f"{TRANSACTION_PREFIX}{transaction.id}",
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
        SK: f"{EVENT_PREFIX}{event_id}",
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


def effect_key(order_id: str, command_id: str, effect: Effect) -> Item:
    return {PK: order_partition(order_id), SK: f"{EFFECT_PREFIX}{command_id}#{effect.value}"}


EFFECT_CLAIMED = "CLAIMED"
EFFECT_DONE = "DONE"


def effect_claim_item(
    order_id: str, command_id: str, effect: Effect, lease_until: datetime, claim_token: str
) -> Item:
    """A worker is performing this effect until `lease_until`; others leave it alone till then.

    The token names the claim, so only the worker holding it can release or complete it.
    """
    return {
        **effect_key(order_id, command_id, effect),
        ENTITY: "Effect",
        "effect": effect.value,
        "command_id": command_id,
        "state": EFFECT_CLAIMED,
        "lease_until": format_timestamp(lease_until),
        "claim_token": claim_token,
    }


def effect_item(
    order_id: str,
    command_id: str,
    effect: Effect,
    result: str,
    now: datetime,
    receipt: IssuedReceipt | None = None,
) -> Item:
    """The record that an effect was performed: what a retry checks before doing it again."""
    item: Item = {
        **effect_key(order_id, command_id, effect),
        ENTITY: "Effect",
        "effect": effect.value,
        "command_id": command_id,
        "state": EFFECT_DONE,
        "result": result,
        "at": format_timestamp(now),
    }
    if receipt is not None:
        item["receipt"] = to_plain(receipt)
    return item


def performed_effects(items: Iterable[Mapping[str, Any]]) -> frozenset[Effect]:
    return frozenset(Effect(item["effect"]) for item in items if item.get("state") == EFFECT_DONE)


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
        elif (
            sort_key.startswith(EFFECT_PREFIX)
            and item.get("state") == EFFECT_DONE
            and ("receipt" in item)
        ):
            receipts.append(from_plain(IssuedReceipt, item["receipt"]))
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


# --- DynamoDB's attribute-value wire format ----------------------------------------------


# DynamoDB's largest item: 400 KB, counting attribute names and values in UTF-8.
MAX_ITEM_BYTES = 400 * 1024


class UnstorableItemError(ValueError):
    """An item DynamoDB would refuse whenever it is sent: text that is not encodable as UTF-8
    (a lone surrogate), or more than 400 KB."""


def check_storable(item: Mapping[str, Any]) -> None:
    """Raise UnstorableItemError for an item no retry could ever write."""
    try:
        size = _size(item)
    except UnicodeEncodeError as error:
        raise UnstorableItemError("text that is not valid Unicode") from error
    if size > MAX_ITEM_BYTES:
        raise UnstorableItemError(f"an item of {size} bytes, over DynamoDB's {MAX_ITEM_BYTES}")


def _size(value: Any) -> int:
    """An upper bound of an attribute value's size as DynamoDB counts it."""
    if isinstance(value, str):
        return len(value.encode())
    if isinstance(value, bool) or value is None:
        return 1
    if isinstance(value, int):
        return len(str(value))
    if isinstance(value, list | tuple):
        return 3 + sum(1 + _size(element) for element in value)
    if isinstance(value, Mapping):
        return 3 + sum(1 + _size(str(name)) + _size(element) for name, element in value.items())
    raise TypeError(f"cannot store {type(value).__name__} in DynamoDB")


def marshal_item(item: Mapping[str, Any]) -> dict[str, Any]:
    """A plain item to DynamoDB's typed form; None-valued attributes are left out."""
    return {name: marshal_value(value) for name, value in item.items() if value is not None}


def marshal_value(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int):
        return {"N": str(value)}
    if isinstance(value, str):
        return {"S": value}
    if value is None:
        return {"NULL": True}
    if isinstance(value, list | tuple):
        return {"L": [marshal_value(element) for element in value]}
    if isinstance(value, dict):
        return {"M": marshal_item(value)}
    raise TypeError(f"cannot store {type(value).__name__} in DynamoDB")


def unmarshal_item(item: Mapping[str, Any]) -> Item:
    return {name: unmarshal_value(value) for name, value in item.items()}


def unmarshal_value(value: Mapping[str, Any]) -> Any:
    ((tag, payload),) = value.items()
    if tag == "S":
        return payload
    if tag == "N":
        return int(payload)
    if tag == "BOOL":
        return bool(payload)
    if tag == "NULL":
        return None
    if tag == "L":
        return [unmarshal_value(element) for element in payload]
    if tag == "M":
        return unmarshal_item(payload)
    raise TypeError(f"unsupported DynamoDB type {tag}")
