"""The single table: keys, item shapes, and round trips through DynamoDB's wire format."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from domain import storage
from domain.commands import CommandOutcome, CommandState
from domain.customers import CustomerProfile
from domain.errors import ErrorCode
from domain.orders import (
    DeliveryPriority,
    EventKind,
    LedgerEntry,
    Order,
    OrderStatus,
    TimelineEvent,
    Transaction,
    TransactionKind,
)
from tests.factories import (
    CUSTOMER_SUB,
    NOW,
    a_command_outcome,
    a_product,
    a_profile,
    an_address,
    an_order,
    an_order_line,
)

Item = dict[str, Any]


def as_stored(item: Item) -> Item:
    """What a Query gives back: the item marshalled to attribute values and read again."""
    return storage.unmarshal_item(storage.marshal_item(item))


CODECS: list[Any] = [
    pytest.param(lambda item: item, id="plain"),
    pytest.param(as_stored, id="through-dynamodb"),
]


@pytest.mark.parametrize("codec", CODECS)
@pytest.mark.parametrize(
    "profile",
    [
        pytest.param(a_profile(), id="with-address"),
        pytest.param(a_profile(phone="+44 20 7946 0958", default_address=None), id="no-address"),
    ],
)
def test_a_customer_round_trips(profile: CustomerProfile, codec: Callable[[Item], Item]) -> None:
    assert storage.customer_from_item(codec(storage.customer_item(profile))) == profile


@pytest.mark.parametrize("codec", CODECS)
@pytest.mark.parametrize(
    "order",
    [
        pytest.param(an_order(), id="placed"),
        pytest.param(
            an_order(
                status=OrderStatus.CANCELLED,
                priority=DeliveryPriority.URGENT,
                notes="ring twice\nthen wait",
                delivery_address=an_address(line2="Flat 3"),
                lines=(an_order_line(), an_order_line(sku="MUG-002", quantity=1000)),
                version=9,
                updated_at=NOW + timedelta(days=1),
            ),
            id="cancelled-urgent-with-notes",
        ),
    ],
)
def test_an_order_round_trips(order: Order, codec: Callable[[Item], Item]) -> None:
    assert storage.order_from_item(codec(storage.order_item(order))) == order


@pytest.mark.parametrize("codec", CODECS)
@pytest.mark.parametrize("active", [True, False])
@pytest.mark.parametrize("description", [None, "Loose-leaf sencha.\nSteep at 80 °C."])
def test_a_product_round_trips(
    active: bool, description: str | None, codec: Callable[[Item], Item]
) -> None:
    product = a_product(active=active, price=0 if not active else 1299, description=description)

    assert storage.product_from_item(codec(storage.product_item(product))) == product


def test_a_product_stored_before_descriptions_reads_without_one() -> None:
    stored = as_stored(storage.product_item(a_product(description="Loose-leaf sencha.")))
    del stored["description"]

    assert storage.product_from_item(stored).description is None
    assert "description" not in storage.marshal_item(storage.product_item(a_product()))


@pytest.mark.parametrize("codec", CODECS)
@pytest.mark.parametrize(
    "outcome",
    [
        pytest.param(a_command_outcome(), id="applied"),
        pytest.param(
            a_command_outcome(
                state=CommandState.REJECTED,
                order_id=None,
                error_code=ErrorCode.UNKNOWN_PRODUCT,
                error_message="Product 'X' is not in the catalogue or is not available.",
            ),
            id="rejected",
        ),
    ],
)
def test_a_command_outcome_round_trips(
    outcome: CommandOutcome, codec: Callable[[Item], Item]
) -> None:
    assert storage.command_outcome_from_item(codec(storage.command_outcome_item(outcome))) == (
        outcome
    )


@pytest.mark.parametrize("codec", CODECS)
def test_an_order_reads_back_with_its_ledger_and_timeline(codec: Callable[[Item], Item]) -> None:
    order = an_order(id="01JORDER")
    items = [
        storage.event_item(
            order.id,
            "01E1",
            TimelineEvent(EventKind.PLACED, "Placed.", version=1, reference="internal-id"),
            "c1",
            NOW,
        ),
        storage.event_item(order.id, "01E2", TimelineEvent(EventKind.CANCELLED), "c2", NOW),
        storage.order_item(order),
        _booked(order, "01T1", LedgerEntry(TransactionKind.CHARGE, 1399, "Order placed")),
        _booked(order, "01T2", LedgerEntry(TransactionKind.REFUND, -1399)),
    ]

    details = storage.order_details_from_items(codec(item) for item in items)

    assert details is not None
    assert details.order == order
    assert [(t.id, t.kind, t.amount, t.currency, t.note) for t in details.transactions] == [
        ("01T1", TransactionKind.CHARGE, 1399, "USD", "Order placed"),
        ("01T2", TransactionKind.REFUND, -1399, "USD", None),
    ]
    assert [(h.id, h.kind, h.detail, h.version) for h in details.history] == [
        ("01E1", EventKind.PLACED, "Placed.", 1),
        ("01E2", EventKind.CANCELLED, None, None),  # as events were stored before versions
    ]
    assert items[0]["reference"] == "internal-id"  # kept for staff in the table, not read back
    assert {t.created_at for t in details.transactions} | {h.at for h in details.history} == {NOW}


def _booked(order: Order, transaction_id: str, entry: LedgerEntry) -> storage.Item:
    """The stored item of a ledger entry booked on `order`, as the worker writes it."""
    booked = Transaction(transaction_id, entry.kind, entry.amount, order.currency, entry.note, NOW)
    return storage.transaction_item(order.id, booked, "c1")


def test_a_collection_without_its_order_item_is_no_order() -> None:
    order = an_order()
    orphan = _booked(order, "01T1", LedgerEntry(TransactionKind.CHARGE, 1))

    assert storage.order_details_from_items([orphan]) is None
    assert storage.order_details_from_items([]) is None


# --- keys --------------------------------------------------------------------------------


def test_an_order_item_is_keyed_for_its_three_access_patterns() -> None:
    order = an_order(id="01JORDER", customer_id=CUSTOMER_SUB, status=OrderStatus.OUT_FOR_DELIVERY)

    item = storage.order_item(order)

    assert (item[storage.PK], item[storage.SK]) == ("ORDER#01JORDER", "ORDER")
    assert item[storage.GSI1_PK] == f"CUSTOMER#{CUSTOMER_SUB}"
    assert item[storage.GSI1_SK] == "ORDER#2025-03-14T09:26:53.589Z#01JORDER"
    assert item[storage.GSI2_PK] == "STATUS#OUT_FOR_DELIVERY"
    assert item[storage.GSI2_SK] == "2025-03-14T09:26:53.589Z#01JORDER"


def test_the_ledger_and_timeline_share_the_orders_partition() -> None:
    order = an_order(id="01JORDER")
    transaction = _booked(order, "01T", LedgerEntry(TransactionKind.CHARGE, 1))
    event = storage.event_item(order.id, "01E", TimelineEvent(EventKind.PLACED), "c", NOW)

    assert transaction[storage.PK] == event[storage.PK] == storage.order_key(order.id)[storage.PK]
    assert transaction[storage.SK] == "TXN#01T"
    assert event[storage.SK] == "EVENT#01E"


def test_newer_orders_sort_after_older_ones() -> None:
    older = an_order(id="ZZZ", created_at=NOW)
    newer = an_order(id="AAA", created_at=NOW + timedelta(milliseconds=1))

    assert storage.order_position(older) < storage.order_position(newer)
    assert storage.order_item(older)[storage.GSI1_SK] < storage.order_item(newer)[storage.GSI1_SK]


def test_other_entities_have_their_own_keys() -> None:
    assert storage.customer_item(a_profile(id="sub-1"))[storage.PK] == "CUSTOMER#sub-1"
    assert storage.customer_key("sub-1")[storage.SK] == "PROFILE"
    assert storage.command_key("cmd-1") == {storage.PK: "COMMAND#cmd-1", storage.SK: "COMMAND"}
    product = storage.product_item(a_product(sku="MUG-2"))
    assert (product[storage.PK], product[storage.SK]) == ("PRODUCT#MUG-2", "PRODUCT")
    assert (product[storage.GSI2_PK], product[storage.GSI2_SK]) == ("CATALOG", "MUG-2")


def test_a_command_outcome_expires_after_its_retention() -> None:
    item = storage.command_outcome_item(a_command_outcome(recorded_at=NOW))

    assert item[storage.TTL_ATTRIBUTE] == int((NOW + timedelta(days=30)).timestamp())
    assert timedelta(days=14) < storage.COMMAND_OUTCOME_RETENTION


# --- DynamoDB's attribute values ---------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "marshalled"),
    [
        ("text", {"S": "text"}),
        ("", {"S": ""}),
        (42, {"N": "42"}),
        (-7, {"N": "-7"}),
        (True, {"BOOL": True}),
        (False, {"BOOL": False}),
        (None, {"NULL": True}),
        ([1, "a"], {"L": [{"N": "1"}, {"S": "a"}]}),
        ({"a": 1, "b": None}, {"M": {"a": {"N": "1"}}}),
    ],
    ids=["text", "empty-text", "int", "negative", "true", "false", "null", "list", "map"],
)
def test_values_marshal_to_their_attribute_types(value: Any, marshalled: Item) -> None:
    assert storage.marshal_value(value) == marshalled


@pytest.mark.parametrize(
    "value",
    ["text", 0, -1, 10**15, True, False, None, [], [1, [2, {"x": "y"}]], {"nested": {"k": [True]}}],
)
def test_values_unmarshal_to_what_was_marshalled(value: Any) -> None:
    assert storage.unmarshal_value(storage.marshal_value(value)) == value


def test_none_valued_attributes_are_left_out_of_stored_items() -> None:
    assert storage.marshal_item({"a": 1, "b": None}) == {"a": {"N": "1"}}


def test_values_dynamodb_cannot_hold_here_are_refused() -> None:
    with pytest.raises(TypeError):
        storage.marshal_value(1.5)
    with pytest.raises(TypeError):
        storage.unmarshal_value({"SS": ["a", "b"]})


def test_a_product_item_is_stored_as_plain_attribute_values() -> None:
    marshalled = storage.marshal_item(storage.product_item(a_product(price=450, active=True)))

    assert marshalled["price"] == {"N": "450"}
    assert marshalled["active"] == {"BOOL": True}
    assert marshalled[storage.PK] == {"S": "PRODUCT#TEA-001"}


def test_entities_of_each_kind_name_themselves() -> None:
    assert storage.customer_item(a_profile())[storage.ENTITY] == "Customer"
    assert storage.order_item(an_order())[storage.ENTITY] == "Order"
    assert storage.product_item(a_product())[storage.ENTITY] == "Product"
    assert storage.command_outcome_item(a_command_outcome())[storage.ENTITY] == "CommandOutcome"


# --- what no write could ever store --------------------------------------------------------


@pytest.mark.parametrize(
    "item",
    [
        {"PK": "X", "name": "Ann\ud800"},
        {"PK": "X", "lines": [{"name": "\udfff"}]},
        {"PK": "X", "\ud800": "a name that is not text"},
        {"PK": "X", "notes": "x" * storage.MAX_ITEM_BYTES},
        {"PK": "X", "notes": "\u00e9" * (storage.MAX_ITEM_BYTES // 2 + 1)},
    ],
    ids=["surrogate", "nested-surrogate", "surrogate-name", "too-large", "too-large-in-utf8"],
)
def test_an_item_no_write_could_store_is_refused_before_sending(item: dict[str, Any]) -> None:
    with pytest.raises(storage.UnstorableItemError):
        storage.check_storable(item)


def test_an_item_just_under_the_limit_is_storable() -> None:
    storage.check_storable({"PK": "X", "notes": "x" * (storage.MAX_ITEM_BYTES - 100)})
