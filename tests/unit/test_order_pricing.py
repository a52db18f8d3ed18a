"""Placing and modifying orders: prices from the catalogue, delivery fees and the ledger."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from domain.catalog import Product
from domain.errors import InvalidInputError, ProfileRequiredError, UnknownProductError
from domain.orders import (
    MAX_MODIFICATIONS,
    MAX_ORDER_TOTAL,
    STANDARD_DELIVERY_FEE,
    URGENT_SURCHARGE,
    DeliveryPriority,
    EventKind,
    LedgerEntry,
    LineRequest,
    Order,
    OrderChange,
    OrderStatus,
    TransactionKind,
    cancel_order,
    complete_delivery,
    delivery_fee,
    dispatch_order,
    modify_order,
    place_order,
    quote,
)
from domain.validation import MAX_PRICE
from tests.factories import (
    KETTLE,
    KETTLE_PRICE,
    MUG,
    MUG_PRICE,
    NOW,
    TEA,
    TEA_PRICE,
    WITHDRAWN,
    a_catalogue,
    a_line,
    a_placed_order,
    a_product,
    a_profile,
    a_staff_member,
    an_address,
    an_order_placement,
)

LATER = NOW + timedelta(hours=1)


def _modify(order: Order, **changes: object) -> OrderChange:
    arguments: dict[str, object] = {
        "requested": None,
        "delivery_address": None,
        "notes": None,
        "catalogue": a_catalogue(),
        "expected_version": None,
        "now": LATER,
    }
    return modify_order(order, **(arguments | changes))  # type: ignore[arg-type]


# --- fees and totals ---------------------------------------------------------------------


def test_urgent_delivery_costs_more_than_standard() -> None:
    assert delivery_fee(DeliveryPriority.URGENT) > delivery_fee(DeliveryPriority.STANDARD)
    assert (
        delivery_fee(DeliveryPriority.URGENT) - delivery_fee(DeliveryPriority.STANDARD)
        == URGENT_SURCHARGE
    )


@pytest.mark.parametrize(
    ("priority", "fee"),
    [(DeliveryPriority.STANDARD, 499), (DeliveryPriority.URGENT, 1499)],
)
def test_a_placed_order_carries_the_fee_of_its_priority(
    priority: DeliveryPriority, fee: int
) -> None:
    order = a_placed_order(priority=priority)

    assert order.priority is priority
    assert order.delivery_fee == fee


def test_totals_are_integer_minor_units_from_catalogue_prices() -> None:
    order = a_placed_order(items=[a_line(TEA, 2), a_line(MUG, 1)])

    assert [(line.sku, line.unit_price, line.line_total) for line in order.lines] == [
        (TEA, TEA_PRICE, 900),
        (MUG, MUG_PRICE, 1299),
    ]
    assert order.subtotal == 2199
    assert order.total == 2199 + STANDARD_DELIVERY_FEE
    assert isinstance(order.total, int)


def test_line_names_and_prices_are_frozen_from_the_catalogue() -> None:
    catalogue = a_catalogue(a_product(sku=TEA, name="Sencha", price=777))

    (line,) = a_placed_order(items=[a_line(TEA, 3)], catalogue=catalogue).lines

    assert (line.name, line.unit_price, line.quantity) == ("Sencha", 777, 3)


# --- placing -----------------------------------------------------------------------------


def test_placing_charges_the_total_and_records_the_priority() -> None:
    change = an_order_placement(priority=DeliveryPriority.URGENT)

    assert change.previous is None
    assert change.order.status is OrderStatus.PLACED
    assert change.order.version == 1
    assert change.ledger_entry == LedgerEntry(
        TransactionKind.CHARGE, change.order.total, "Order placed"
    )
    assert change.event.kind is EventKind.PLACED
    assert change.event.detail == "Placed for urgent delivery."
    assert change.event.version == 1


def test_placing_takes_the_customers_details_from_their_profile() -> None:
    profile = a_profile(id="customer-42", name="Grace Hopper", email="grace@example.com")

    order = a_placed_order(customer=profile)

    assert (order.customer_id, order.customer_name, order.customer_email) == (
        "customer-42",
        "Grace Hopper",
        "grace@example.com",
    )


@pytest.mark.parametrize("sku", ["NOPE-404", WITHDRAWN], ids=["unknown", "withdrawn"])
def test_placing_an_unavailable_product_is_refused(sku: str) -> None:
    with pytest.raises(UnknownProductError) as refusal:
        an_order_placement(items=[a_line(TEA, 1), a_line(sku, 1)])

    assert refusal.value.sku == sku


def test_placing_without_a_profile_is_refused() -> None:
    with pytest.raises(ProfileRequiredError):
        place_order(
            order_id="01ORDER",
            customer=None,
            requested=[a_line()],
            catalogue=a_catalogue(),
            priority=DeliveryPriority.STANDARD,
            delivery_address=an_address(),
            notes=None,
            request_fingerprint="f" * 64,
            now=NOW,
        )


def test_the_default_address_is_used_when_none_is_given() -> None:
    home = an_address(line1="1 Home Street")

    order = a_placed_order(customer=a_profile(default_address=home), delivery_address=None)

    assert order.delivery_address == home


def test_a_given_address_wins_over_the_default() -> None:
    office = an_address(line1="99 Office Park")

    order = a_placed_order(
        customer=a_profile(default_address=an_address()), delivery_address=office
    )

    assert order.delivery_address == office


def test_placing_with_no_address_anywhere_is_refused_on_delivery_address() -> None:
    with pytest.raises(InvalidInputError) as refusal:
        an_order_placement(customer=a_profile(default_address=None), delivery_address=None)

    assert refusal.value.field == "deliveryAddress"


# --- modifying ---------------------------------------------------------------------------


def test_raising_the_total_books_a_positive_adjustment() -> None:
    order = a_placed_order(items=[a_line(TEA, 1)])

    change = _modify(order, requested=[a_line(TEA, 1), a_line(KETTLE, 1)])

    assert change.ledger_entry == LedgerEntry(
        TransactionKind.ADJUSTMENT, KETTLE_PRICE, "Order modified: +1 KETTLE-003 at $25.99"
    )
    assert change.order.total == order.total + KETTLE_PRICE


def test_lowering_the_total_books_a_negative_adjustment() -> None:
    order = a_placed_order(items=[a_line(TEA, 5)])

    change = _modify(order, requested=[a_line(TEA, 2)])

    assert change.ledger_entry is not None
    assert change.ledger_entry.kind is TransactionKind.ADJUSTMENT
    assert change.ledger_entry.amount == -3 * TEA_PRICE


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"delivery_address": an_address(line1="2 New Road")}, id="address"),
        pytest.param({"notes": "leave with neighbour"}, id="notes"),
        pytest.param({"requested": [a_line(TEA, 2)]}, id="same-items"),
        # Two products at 450 each: other lines, the same total.
        pytest.param({"requested": [a_line(TEA, 1), a_line("TEA-002", 1)]}, id="same-total"),
    ],
)
def test_a_change_that_keeps_the_total_books_no_money(changes: dict[str, object]) -> None:
    catalogue = a_catalogue() | a_catalogue(a_product(sku="TEA-002", price=TEA_PRICE))
    order = a_placed_order(items=[a_line(TEA, 2)], catalogue=catalogue)

    change = _modify(order, catalogue=catalogue, **changes)

    assert change.ledger_entry is None
    assert change.order.total == order.total
    assert change.order.version == order.version + 1


def test_modifying_only_the_address_keeps_the_prices_the_order_was_placed_at() -> None:
    order = a_placed_order(items=[a_line(TEA, 2)])
    repriced = a_catalogue(a_product(sku=TEA, price=TEA_PRICE * 10))

    change = _modify(order, delivery_address=an_address(line1="2 New Road"), catalogue=repriced)

    assert change.order.lines == order.lines
    assert change.order.delivery_address.line1 == "2 New Road"


def test_units_already_ordered_keep_their_price_and_added_units_take_todays() -> None:
    # GIVEN one tea ordered at 4.50, since repriced to 45.00
    order = a_placed_order(items=[a_line(TEA, 1)])
    repriced = a_catalogue(a_product(sku=TEA, price=TEA_PRICE * 10))

    # WHEN the quantity is raised to 3
    change = _modify(order, requested=[a_line(TEA, 3)], catalogue=repriced)

    # THEN the first unit keeps 4.50, the two added cost 45.00, and the ledger says why
    assert [(line.sku, line.quantity, line.unit_price) for line in change.order.lines] == [
        (TEA, 1, TEA_PRICE),
        (TEA, 2, TEA_PRICE * 10),
    ]
    assert change.ledger_entry == LedgerEntry(
        TransactionKind.ADJUSTMENT, 2 * TEA_PRICE * 10, "Order modified: +2 TEA-001 at $45.00"
    )


def test_a_raise_at_an_unchanged_price_stays_one_line() -> None:
    order = a_placed_order(items=[a_line(TEA, 1)])

    change = _modify(order, requested=[a_line(TEA, 4)])

    assert [(line.quantity, line.unit_price) for line in change.order.lines] == [(4, TEA_PRICE)]


@pytest.mark.parametrize(
    ("quantity", "expected"),
    [
        (1, [(1, TEA_PRICE)]),
        (5, [(1, TEA_PRICE), (4, 5000)]),
        (10, [(1, TEA_PRICE), (9, 5000)]),
        (12, [(1, TEA_PRICE), (9, 5000), (2, 6000)]),
    ],
    ids=["back-to-the-first", "fewer-of-the-later", "unchanged", "more-at-a-third-price"],
)
def test_a_lowered_quantity_gives_up_the_units_added_last(
    quantity: int, expected: list[tuple[int, int]]
) -> None:
    # GIVEN 1 tea at 4.50, then 9 more added at 50.00; the price is now 60.00
    order = a_placed_order(items=[a_line(TEA, 1)])
    at_50 = a_catalogue(a_product(sku=TEA, price=5000))
    order = _modify(order, requested=[a_line(TEA, 10)], catalogue=at_50).order
    at_60 = a_catalogue(a_product(sku=TEA, price=6000))

    change = _modify(order, requested=[a_line(TEA, quantity)], catalogue=at_60)

    assert [(line.quantity, line.unit_price) for line in change.order.lines] == expected
    assert change.order.total == sum(q * p for q, p in expected) + change.order.delivery_fee


def test_new_items_are_priced_at_todays_catalogue_price() -> None:
    order = a_placed_order(items=[a_line(TEA, 1)])
    repriced = a_catalogue(a_product(sku=MUG, price=777))

    change = _modify(order, requested=[a_line(TEA, 1), a_line(MUG, 2)], catalogue=repriced)

    assert [(line.sku, line.unit_price) for line in change.order.lines] == [
        (TEA, TEA_PRICE),
        (MUG, 777),
    ]
    assert change.ledger_entry == LedgerEntry(
        TransactionKind.ADJUSTMENT, 2 * 777, "Order modified: +2 MUG-002 at $7.77"
    )


@pytest.mark.parametrize("quantity", [2, 1], ids=["same", "fewer"])
def test_a_line_of_a_since_withdrawn_product_can_be_kept_or_reduced(quantity: int) -> None:
    order = a_placed_order(items=[a_line(TEA, 1), a_line(MUG, 2)])
    withdrawn = a_catalogue(a_product(sku=MUG, active=False))

    change = _modify(order, requested=[a_line(MUG, quantity)], catalogue=withdrawn)

    assert [(line.sku, line.quantity, line.unit_price) for line in change.order.lines] == [
        (MUG, quantity, MUG_PRICE)
    ]


@pytest.mark.parametrize(
    "withdrawn",
    [
        a_catalogue(a_product(sku=MUG, active=False), a_product(sku=KETTLE, active=False)),
        {},
    ],
    ids=["inactive", "deleted"],
)
def test_a_withdrawn_product_cannot_be_increased_or_added(withdrawn: dict[str, Product]) -> None:
    order = a_placed_order(items=[a_line(MUG, 1)])

    with pytest.raises(UnknownProductError):
        _modify(order, requested=[a_line(MUG, 1000)], catalogue=withdrawn)
    with pytest.raises(UnknownProductError):
        _modify(order, requested=[a_line(MUG, 1), a_line(KETTLE, 1)], catalogue=withdrawn)


def test_an_adjustment_note_names_at_most_five_changes() -> None:
    skus = [f"SKU-{index}" for index in range(8)]
    catalogue = a_catalogue(*(a_product(sku=sku, price=100) for sku in skus))
    order = a_placed_order(items=[a_line(skus[0], 1)], catalogue=catalogue)

    change = _modify(order, requested=[a_line(sku, 2) for sku in skus], catalogue=catalogue)

    assert change.ledger_entry is not None
    assert change.ledger_entry.note is not None
    assert change.ledger_entry.note.endswith(", and 3 more")
    assert change.ledger_entry.note.count(" at $1.00") == 5


def test_an_order_worth_more_than_the_limit_is_refused() -> None:
    gold = a_product(sku="GOLD-BAR", price=MAX_PRICE)
    lines = [a_line("GOLD-BAR", MAX_ORDER_TOTAL // MAX_PRICE + 1)]

    with pytest.raises(InvalidInputError) as placing:
        an_order_placement(items=lines, catalogue=a_catalogue(gold))
    with pytest.raises(InvalidInputError) as modifying:
        _modify(a_placed_order(), requested=lines, catalogue=a_catalogue(gold))

    assert placing.value.field == modifying.value.field == "items"


@pytest.mark.parametrize("sku", ["NOPE-404", WITHDRAWN], ids=["unknown", "withdrawn"])
def test_modifying_to_an_unavailable_product_is_refused(sku: str) -> None:
    with pytest.raises(UnknownProductError) as refusal:
        _modify(a_placed_order(), requested=[a_line(sku, 1)])

    assert refusal.value.sku == sku


def test_modifying_keeps_what_was_not_mentioned() -> None:
    order = a_placed_order(notes="fragile", delivery_address=an_address(line1="7 Keep Lane"))

    changed = _modify(order, requested=[a_line(MUG, 1)]).order

    assert changed.notes == "fragile"
    assert changed.delivery_address.line1 == "7 Keep Lane"
    assert changed.priority is order.priority
    assert changed.delivery_fee == order.delivery_fee
    assert changed.created_at == order.created_at


@pytest.mark.parametrize(
    ("changes", "detail"),
    [
        ({"requested": [a_line(MUG, 1)]}, "Items changed."),
        ({"notes": "ring twice", "requested": [a_line(MUG, 1)]}, "Items and notes changed."),
        ({"delivery_address": an_address(city="Leeds")}, "Delivery address changed."),
        (
            {
                "requested": [a_line(MUG, 1)],
                "delivery_address": an_address(city="Leeds"),
                "notes": "ring twice",
            },
            "Items, delivery address and notes changed.",
        ),
        ({"requested": [a_line(TEA, 2)]}, "Nothing changed."),
    ],
)
def test_the_timeline_says_what_a_modification_changed(
    changes: dict[str, object], detail: str
) -> None:
    order = a_placed_order(items=[a_line(TEA, 2)])

    event = _modify(order, **changes).event

    assert event.kind is EventKind.MODIFIED
    assert event.detail == detail


def test_clearing_notes_leaves_the_order_without_notes() -> None:
    # ModifyOrder turns a blank `notes` into "" to mean "clear them".
    order = a_placed_order(notes=None)

    change = _modify(order, notes="")

    assert change.order.notes is None
    assert change.event.detail == "Nothing changed."


# --- cancelling --------------------------------------------------------------------------


def test_cancelling_refunds_the_current_total() -> None:
    order = _modify(a_placed_order(items=[a_line(TEA, 1)]), requested=[a_line(MUG, 2)]).order

    change = cancel_order(order, reason="changed my mind", expected_version=None, now=LATER)

    assert change.ledger_entry == LedgerEntry(
        TransactionKind.REFUND, -order.total, "changed my mind"
    )
    assert change.event.kind is EventKind.CANCELLED
    assert change.event.detail == "Cancelled: changed my mind"
    assert change.event.reason == "changed my mind"
    assert change.event.version == order.version + 1


def test_cancelling_without_a_reason_notes_a_plain_cancellation() -> None:
    change = cancel_order(a_placed_order(), reason=None, expected_version=None, now=LATER)

    assert change.ledger_entry is not None
    assert change.ledger_entry.note == "Order cancelled"


# --- the ledger invariant ----------------------------------------------------------------

Step = Callable[[Order], OrderChange]


def modify_to(*lines: tuple[str, int]) -> Step:
    return lambda order: _modify(order, requested=[a_line(sku, qty) for sku, qty in lines])


def move_to(address_line: str) -> Step:
    return lambda order: _modify(order, delivery_address=an_address(line1=address_line))


def cancel(order: Order) -> OrderChange:
    return cancel_order(order, reason=None, expected_version=None, now=LATER)


def dispatch(order: Order) -> OrderChange:
    return dispatch_order(order, actor=a_staff_member(), expected_version=None, now=LATER)


def complete(order: Order) -> OrderChange:
    return complete_delivery(order, actor=a_staff_member(), expected_version=None, now=LATER)


@pytest.mark.parametrize(
    "steps",
    [
        pytest.param([], id="placed"),
        pytest.param([cancel], id="placed-cancelled"),
        pytest.param([modify_to((KETTLE, 3))], id="modified-up"),
        pytest.param([modify_to((TEA, 1))], id="modified-down"),
        pytest.param([move_to("2 New Road")], id="moved"),
        pytest.param(
            [modify_to((KETTLE, 3)), modify_to((TEA, 1), (MUG, 4)), move_to("3 Far Away")],
            id="modified-thrice",
        ),
        pytest.param(
            [modify_to((KETTLE, 3)), modify_to((TEA, 1)), cancel], id="modified-then-cancelled"
        ),
        pytest.param([modify_to((MUG, 2)), dispatch, complete], id="modified-then-delivered"),
    ],
)
@pytest.mark.parametrize("priority", list(DeliveryPriority))
def test_the_ledger_always_sums_to_what_the_customer_owes(
    steps: list[Step], priority: DeliveryPriority
) -> None:
    placement = an_order_placement(items=[a_line(TEA, 2)], priority=priority)
    order, ledger = placement.order, [placement.ledger_entry]

    for step in steps:
        change = step(order)
        order = change.order
        ledger.append(change.ledger_entry)

    booked = sum(entry.amount for entry in ledger if entry is not None)
    assert booked == order.amount_owed()
    expected_owed = 0 if order.status is OrderStatus.CANCELLED else order.total
    assert order.amount_owed() == expected_owed
    assert all(entry is None or entry.amount != 0 for entry in ledger)


def test_an_order_can_be_modified_a_bounded_number_of_times() -> None:
    order = a_placed_order(items=[a_line(TEA, 1)])
    for quantity in range(2, MAX_MODIFICATIONS + 2):
        order = _modify(order, requested=[a_line(TEA, quantity)]).order

    with pytest.raises(InvalidInputError) as refusal:
        _modify(order, requested=[a_line(TEA, 1)])

    assert refusal.value.field == "orderId"
    assert order.version == MAX_MODIFICATIONS + 1


# --- quotes --------------------------------------------------------------------------------


@pytest.mark.parametrize("priority", list(DeliveryPriority))
@pytest.mark.parametrize(
    "lines",
    [[a_line(TEA, 1)], [a_line(MUG, 3), a_line(TEA, 2)], [a_line(KETTLE, 1), a_line(MUG, 1000)]],
)
def test_a_quote_prices_lines_and_fees_exactly_as_placing_them_does(
    priority: DeliveryPriority, lines: list[LineRequest]
) -> None:
    priced = quote(lines, a_catalogue(), priority)
    placed = an_order_placement(items=lines, priority=priority).order

    assert (priced.lines, priced.delivery_fee) == (placed.lines, placed.delivery_fee)
    assert (priced.subtotal, priced.total) == (placed.subtotal, placed.total)
    assert priced.delivery_fee == delivery_fee(priority)


@pytest.mark.parametrize("sku", ["NOPE-404", WITHDRAWN], ids=["unknown", "withdrawn"])
@pytest.mark.parametrize("position", [0, 1, 2])
def test_a_quote_names_the_line_of_an_unavailable_product(sku: str, position: int) -> None:
    lines = [a_line(TEA, 1), a_line(MUG, 1)]
    lines.insert(position, a_line(sku, 1))

    with pytest.raises(UnknownProductError) as refusal:
        quote(lines, a_catalogue(), DeliveryPriority.STANDARD)

    assert (refusal.value.code, refusal.value.field) == ("UNKNOWN_PRODUCT", f"items.{position}.sku")
    assert refusal.value.sku == sku


def test_a_quote_over_the_largest_order_is_refused_like_the_order() -> None:
    gold = a_product(sku="GOLD-BAR", price=MAX_PRICE)
    lines = [a_line("GOLD-BAR", MAX_ORDER_TOTAL // MAX_PRICE + 1)]

    with pytest.raises(InvalidInputError) as refusal:
        quote(lines, a_catalogue(gold), DeliveryPriority.STANDARD)

    assert refusal.value.field == "items"
