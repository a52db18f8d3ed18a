"""The single-table key design, and the attribute names that keys and expressions refer to.

| entity          | PK              | SK           | GSI1 pk / sk                      |
|-----------------|-----------------|--------------|-----------------------------------|
| customer        | CUSTOMER#<sub>  | PROFILE      |                                   |
| order           | ORDER#<id>      | ORDER        | CUSTOMER#<sub> / ORDER#<position> |
| transaction     | ORDER#<id>      | TXN#<ulid>   |                                   |
| timeline event  | ORDER#<id>      | EVENT#<ulid> |                                   |
| effect event    | ORDER#<id>      | EVENT#<ulid>#<n>.<effect> (after its change's event) |  |
| command outcome | COMMAND#<id>    | COMMAND      |                                   |
| product         | PRODUCT#<sku>   | PRODUCT      |                                   |

GSI2: orders by `STATUS#<status>` / `<position>`; products by `CATALOG` / `<sku>`.
An order's position is `<createdAt>#<id>`.

Order sort keys start with the creation time, so "newest first" is a descending query and a
page cursor is just the last sort key seen.
"""

from __future__ import annotations

from typing import Any

from domain.notifications import Effect
from domain.orders import Order, OrderStatus
from domain.resources import TABLE
from domain.serialization import format_timestamp

Item = dict[str, Any]

# --- attribute names ---------------------------------------------------------------------

# The table's own, as domain/resources.py defines the table for the stack and the emulator.
PK = TABLE.partition_key
SK = TABLE.sort_key
_BY_CUSTOMER, _BY_STATUS = TABLE.indexes
GSI1 = _BY_CUSTOMER.name
GSI1_PK = _BY_CUSTOMER.partition_key
GSI1_SK = _BY_CUSTOMER.sort_key
GSI2 = _BY_STATUS.name
GSI2_PK = _BY_STATUS.partition_key
GSI2_SK = _BY_STATUS.sort_key
TTL_ATTRIBUTE = TABLE.ttl_attribute

ENTITY = "entity"
# Fields of the stored dataclasses that conditions and filters name (Order's, Product's).
VERSION = "version"
STATUS = "status"
PRIORITY = "priority"
ACTIVE = "active"
# A legacy effect record's (EFFECT#...: written before effects were recorded as events).
STATE = "state"

# --- keys --------------------------------------------------------------------------------

ORDER_SK = "ORDER"
PROFILE_SK = "PROFILE"
COMMAND_SK = "COMMAND"
PRODUCT_SK = "PRODUCT"
TRANSACTION_PREFIX = "TXN#"
EVENT_PREFIX = "EVENT#"
EFFECT_PREFIX = "EFFECT#"
CATALOG_PARTITION = "CATALOG"
CUSTOMER_ORDERS_SORT_PREFIX = "ORDER#"


def customer_key(sub: str) -> Item:
    return {PK: f"CUSTOMER#{sub}", SK: PROFILE_SK}


def order_key(order_id: str) -> Item:
    return {PK: order_partition(order_id), SK: ORDER_SK}


def order_partition(order_id: str) -> str:
    return f"ORDER#{order_id}"


def command_key(command_id: str) -> Item:
    return {PK: f"COMMAND#{command_id}", SK: COMMAND_SK}


def product_key(sku: str) -> Item:
    return {PK: f"PRODUCT#{sku}", SK: PRODUCT_SK}


def transaction_sort_key(transaction_id: str) -> str:
    return f"{TRANSACTION_PREFIX}{transaction_id}"


def event_sort_key(event_id: str) -> str:
    return f"{EVENT_PREFIX}{event_id}"


def effect_event_key(order_id: str, event_id: str, effect: Effect) -> Item:
    """Where an effect of the change recorded as event `event_id` is recorded, once: right
    after that event on the timeline, and before the order's next change."""
    return {
        PK: order_partition(order_id),
        SK: f"{effect_events_prefix(event_id)}{_EFFECT_RANK[effect]}.{effect}",
    }


# Effects are performed receipt first (emails link to it), so their events read in that order.
# Fixed numbers: stored keys must not change when Effect gains a member.
_EFFECT_RANK = {Effect.RECEIPT: 1, Effect.EMAIL_CUSTOMER: 2, Effect.EMAIL_BUSINESS: 3}


def effect_events_prefix(event_id: str) -> str:
    """The sort keys of one change's effect events begin with this."""
    return f"{event_sort_key(event_id)}#"


def customer_orders_partition(sub: str) -> str:
    return f"CUSTOMER#{sub}"


def customer_orders_sort_key(order: Order) -> str:
    return CUSTOMER_ORDERS_SORT_PREFIX + order_position(order)


def status_partition(status: OrderStatus) -> str:
    return f"STATUS#{status.value}"


def order_position(order: Order) -> str:
    """Where an order sorts among others: creation time, then id. GSI sort keys end with it."""
    return f"{format_timestamp(order.created_at)}#{order.id}"
