"""The single table's items: keys, item shapes, and round trips through DynamoDB's wire format."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from domain.commands import CommandOutcome, CommandState
from domain.customers import CustomerProfile
from domain.errors import ErrorCode
from domain.notifications import Effect
from domain.orders import (
    DeliveryPriority,
    EventKind,
    IssuedReceipt,
    LedgerEntry,
    Order,
    OrderStatus,
    TimelineEvent,
    Transaction,
    TransactionKind,
)
from storage import keys
from storage.codec import marshal_item, unmarshal_item
from storage.items import (
    COMMAND_OUTCOME_RETENTION,
    command_outcome_from_item,
    command_outcome_item,
    customer_from_item,
    customer_item,
    effect_event_item,
    event_item,
    order_details_from_items,
    order_from_item,
    order_item,
    performed_effects,
    product_from_item,
    product_item,
    transaction_item,
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
    return unmarshal_item(marshal_item(item))


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
    assert customer_from_item(codec(customer_item(profile))) == profile


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
    assert order_from_item(codec(order_item(order))) == order


@pytest.mark.parametrize("codec", CODECS)
@pytest.mark.parametrize("active", [True, False])
@pytest.mark.parametrize("description", [None, "Loose-leaf sencha.\nSteep at 80 °C."])
def test_a_product_round_trips(
    active: bool, description: str | None, codec: Callable[[Item], Item]
) -> None:
    product = a_product(active=active, price=0 if not active else 1299, description=description)

    assert product_from_item(codec(product_item(product))) == product


def test_a_product_stored_before_descriptions_reads_without_one() -> None:
    stored = as_stored(product_item(a_product(description="Loose-leaf sencha.")))
    del stored["description"]

    assert product_from_item(stored).description is None
    assert "description" not in marshal_item(product_item(a_product()))


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
    assert command_outcome_from_item(codec(command_outcome_item(outcome))) == (outcome)


@pytest.mark.parametrize("codec", CODECS)
def test_an_order_reads_back_with_its_ledger_and_timeline(codec: Callable[[Item], Item]) -> None:
    order = an_order(id="01JORDER")
    items = [
        event_item(
            order.id,
            "01E1",
            TimelineEvent(EventKind.PLACED, "Placed.", version=1, reference="internal-id"),
            "c1",
            NOW,
        ),
        event_item(order.id, "01E2", TimelineEvent(EventKind.CANCELLED), "c2", NOW),
        order_item(order),
        _booked(order, "01T1", LedgerEntry(TransactionKind.CHARGE, 1399, "Order placed")),
        _booked(order, "01T2", LedgerEntry(TransactionKind.REFUND, -1399)),
    ]

    details = order_details_from_items(codec(item) for item in items)

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


def _booked(order: Order, transaction_id: str, entry: LedgerEntry) -> Item:
    """The stored item of a ledger entry booked on `order`, as the worker writes it."""
    booked = Transaction(transaction_id, entry.kind, entry.amount, order.currency, entry.note, NOW)
    return transaction_item(order.id, booked, "c1")


def test_a_collection_without_its_order_item_is_no_order() -> None:
    order = an_order()
    orphan = _booked(order, "01T1", LedgerEntry(TransactionKind.CHARGE, 1))

    assert order_details_from_items([orphan]) is None
    assert order_details_from_items([]) is None


# --- keys --------------------------------------------------------------------------------


def test_an_order_item_is_keyed_for_its_three_access_patterns() -> None:
    order = an_order(id="01JORDER", customer_id=CUSTOMER_SUB, status=OrderStatus.OUT_FOR_DELIVERY)

    item = order_item(order)

    assert (item[keys.PK], item[keys.SK]) == ("ORDER#01JORDER", "ORDER")
    assert item[keys.GSI1_PK] == f"CUSTOMER#{CUSTOMER_SUB}"
    assert item[keys.GSI1_SK] == "ORDER#2025-03-14T09:26:53.589Z#01JORDER"
    assert item[keys.GSI2_PK] == "STATUS#OUT_FOR_DELIVERY"
    assert item[keys.GSI2_SK] == "2025-03-14T09:26:53.589Z#01JORDER"


def test_the_ledger_and_timeline_share_the_orders_partition() -> None:
    order = an_order(id="01JORDER")
    transaction = _booked(order, "01T", LedgerEntry(TransactionKind.CHARGE, 1))
    event = event_item(order.id, "01E", TimelineEvent(EventKind.PLACED), "c", NOW)

    assert transaction[keys.PK] == event[keys.PK] == keys.order_key(order.id)[keys.PK]
    assert transaction[keys.SK] == "TXN#01T"
    assert event[keys.SK] == "EVENT#01E"


def test_newer_orders_sort_after_older_ones() -> None:
    older = an_order(id="ZZZ", created_at=NOW)
    newer = an_order(id="AAA", created_at=NOW + timedelta(milliseconds=1))

    assert keys.order_position(older) < keys.order_position(newer)
    assert order_item(older)[keys.GSI1_SK] < order_item(newer)[keys.GSI1_SK]


def test_other_entities_have_their_own_keys() -> None:
    assert customer_item(a_profile(id="sub-1"))[keys.PK] == "CUSTOMER#sub-1"
    assert keys.customer_key("sub-1")[keys.SK] == "PROFILE"
    assert keys.command_key("cmd-1") == {keys.PK: "COMMAND#cmd-1", keys.SK: "COMMAND"}
    product = product_item(a_product(sku="MUG-2"))
    assert (product[keys.PK], product[keys.SK]) == ("PRODUCT#MUG-2", "PRODUCT")
    assert (product[keys.GSI2_PK], product[keys.GSI2_SK]) == ("CATALOG", "MUG-2")


def test_a_command_outcome_expires_after_its_retention() -> None:
    item = command_outcome_item(a_command_outcome(recorded_at=NOW))

    assert item[keys.TTL_ATTRIBUTE] == int((NOW + timedelta(days=30)).timestamp())
    assert timedelta(days=14) < COMMAND_OUTCOME_RETENTION


def test_a_product_item_is_stored_as_plain_attribute_values() -> None:
    marshalled = marshal_item(product_item(a_product(price=450, active=True)))

    assert marshalled["price"] == {"N": "450"}
    assert marshalled["active"] == {"BOOL": True}
    assert marshalled[keys.PK] == {"S": "PRODUCT#TEA-001"}


def test_entities_of_each_kind_name_themselves() -> None:
    assert customer_item(a_profile())[keys.ENTITY] == "Customer"
    assert order_item(an_order())[keys.ENTITY] == "Order"
    assert product_item(a_product())[keys.ENTITY] == "Product"
    assert command_outcome_item(a_command_outcome())[keys.ENTITY] == "CommandOutcome"


def test_the_attributes_conditions_and_filters_name_are_the_stored_ones() -> None:
    order = order_item(an_order())
    product = product_item(a_product())

    assert {keys.VERSION, keys.STATUS, keys.PRIORITY} <= order.keys()
    assert keys.ACTIVE in product


def _effect(event_id: str, effect: Effect, receipt: IssuedReceipt | None = None) -> Item:
    event = TimelineEvent(EventKind.RECEIPT_ISSUED if receipt else EventKind.EMAIL_SENT, "Done.")
    return effect_event_item("01JORDER", event_id, effect, event, "c1", NOW, receipt)


def test_an_effect_is_recorded_on_the_timeline_right_after_its_change() -> None:
    change = event_item("01JORDER", "01E1", TimelineEvent(EventKind.PLACED), "c1", NOW)
    next_change = event_item("01JORDER", "01E2", TimelineEvent(EventKind.CANCELLED), "c2", NOW)
    receipt = _effect("01E1", Effect.RECEIPT)
    email = _effect("01E1", Effect.EMAIL_CUSTOMER)

    assert (receipt[keys.PK], receipt[keys.SK]) == ("ORDER#01JORDER", "EVENT#01E1#1.RECEIPT")
    # In the order they are performed: the change, its receipt, its emails, the next change.
    assert sorted(item[keys.SK] for item in (next_change, email, receipt, change)) == [
        change[keys.SK],
        receipt[keys.SK],
        email[keys.SK],
        next_change[keys.SK],
    ]
    assert receipt["id"] == "01E1#1.RECEIPT"


def test_performed_effects_are_the_recorded_ones_of_that_change_only() -> None:
    items = [
        _effect("01E1", Effect.RECEIPT),
        _effect("01E1", Effect.EMAIL_CUSTOMER),
        _effect("01E2", Effect.EMAIL_BUSINESS),
        event_item("01JORDER", "01E1", TimelineEvent(EventKind.PLACED), "c1", NOW),
    ]

    assert performed_effects(items, "01E1") == {Effect.RECEIPT, Effect.EMAIL_CUSTOMER}
    assert performed_effects(items, "01E3") == frozenset()


def test_receipts_read_from_their_events_and_from_effect_records_written_before_them() -> None:
    order = an_order(id="01JORDER", version=2)
    first = IssuedReceipt(1, "receipts/01JORDER/v1.pdf", NOW)
    second = IssuedReceipt(2, "receipts/01JORDER/v2.pdf", NOW)
    legacy = {
        keys.PK: "ORDER#01JORDER",
        keys.SK: "EFFECT#c1#RECEIPT",
        "effect": "RECEIPT",
        keys.STATE: "DONE",
        "receipt": {"version": 1, "key": first.key, "issued_at": "2025-03-14T09:26:53.589Z"},
    }
    claimed = {**legacy, keys.SK: "EFFECT#c0#RECEIPT", keys.STATE: "CLAIMED"}

    details = order_details_from_items(
        [legacy, claimed, _effect("01E2", Effect.RECEIPT, second), order_item(order)]
    )

    assert details is not None
    assert [receipt.version for receipt in details.receipts] == [1, 2]
    assert details.latest_receipt == second
