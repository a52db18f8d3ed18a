"""Listings read at most what they are priced at, whatever the data, and page on correctly."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import pytest
from graphql import parse

from domain.ids import new_ulid
from domain.orders import (
    DeliveryPriority,
    EventKind,
    Order,
    OrderDetails,
    OrderStatus,
    TimelineEvent,
)
from resolvers.identity import Identity
from resolvers.read_store import CUSTOMER_ORDERS_QUERIES, OrderTooLargeToReadError
from schema.graphql_schema import MAX_QUERY_COST, build_schema
from schema.query_cost import query_cost
from storage.items import event_item, order_item, order_position, product_item
from tests.factories import NOW, a_product, an_order, an_order_line
from tests.integration.conftest import CATALOGUE, Stack, identity

pytestmark = pytest.mark.integration

SCHEMA = build_schema()
CUSTOMER = identity("bounded-ann")
STAFF = identity("bounded-staff", staff=True)
ORDERS = """
query($status: OrderStatus, $priority: DeliveryPriority, $first: Int!, $after: String) {
  orders(status: $status, priority: $priority, first: $first, after: $after) {
    edges { cursor node { id } }
    pageInfo { hasNextPage endCursor hasPreviousPage startCursor }
  }
}"""
PRODUCTS = """
query($first: Int!, $after: String) {
  products(first: $first, after: $after) {
    edges { cursor node { sku } }
    pageInfo { hasNextPage endCursor hasPreviousPage startCursor }
  }
}"""
# The reviewer's request: each alias scans a partition whose filter passes almost nothing.
DELIVERED_PAGE = (
    "orders(status: DELIVERED, first: 1)"
    " { edges { node { id } } pageInfo { hasNextPage endCursor } }"
)
ALIASED_DELIVERED = "{ " + " ".join(f"a{index}: {DELIVERED_PAGE}" for index in range(6)) + " }"


@pytest.fixture(autouse=True)
async def count_store_requests(stack: Stack) -> None:
    """Every test here counts the store requests (each operation clears the count first)."""
    await stack.count_calls()


def orders_over_time(
    customer_id: str, statuses: Sequence[OrderStatus], since: datetime = NOW, **overrides: Any
) -> list[Order]:
    """One order per status given, each a second newer than the one before."""
    return [
        an_order(
            customer_id=customer_id,
            status=status,
            created_at=since + timedelta(seconds=index),
            **overrides,
        )
        for index, status in enumerate(statuses)
    ]


async def execute(stack: Stack, who: Identity, query: str, **variables: Any) -> tuple[Any, int]:
    """The operation's data and its price, checking it made no more store requests than that."""
    cost = query_cost(SCHEMA._schema, parse(query), variables=variables)
    stack.calls.clear()

    result = await SCHEMA.execute(
        query, variable_values=variables, context_value=await stack.context(who)
    )

    assert result.errors is None, result.errors
    assert cost <= MAX_QUERY_COST
    assert stack.calls["dynamodb.Query"] <= stack.calls.total() <= cost
    return result.data, cost


async def every_page(
    stack: Stack, who: Identity, query: str, field: str, key: str, **variables: Any
) -> list[list[str]]:
    """Each page's `key`s, following endCursor while hasNextPage, each page within its price
    and with Relay's page info: it starts at its first edge, and has no previous page (forward
    paging only)."""
    pages: list[list[str]] = []
    after = None
    while True:
        data, _ = await execute(stack, who, query, after=after, **variables)
        connection = data[field]
        edges = connection["edges"]
        pages.append([edge["node"][key] for edge in edges])
        assert connection["pageInfo"]["startCursor"] == (edges[0]["cursor"] if edges else None)
        assert connection["pageInfo"]["hasPreviousPage"] is False
        if not connection["pageInfo"]["hasNextPage"]:
            return pages
        after = connection["pageInfo"]["endCursor"]
        assert after is not None
        assert len(pages) < 50, "paging does not end"


async def test_a_customers_filter_that_passes_almost_nothing_reads_no_more_than_priced(
    stack: Stack,
) -> None:
    # GIVEN 300 orders, of which only the two oldest were delivered
    statuses = [OrderStatus.DELIVERED] * 2 + [OrderStatus.PLACED] * 298
    orders = orders_over_time(CUSTOMER.sub, statuses)
    await stack.store_items(order_item(order) for order in orders)

    # WHEN the customer asks six times for their newest delivered order
    data, cost = await execute(stack, CUSTOMER, ALIASED_DELIVERED)

    # THEN each alias stops at its priced Queries, with a page to go on from
    assert cost == 6 * 4
    assert stack.calls["dynamodb.Query"] <= 6 * CUSTOMER_ORDERS_QUERIES
    assert len(data) == 6
    for connection in data.values():
        assert connection["edges"] == []
        assert connection["pageInfo"]["hasNextPage"] is True
        assert connection["pageInfo"]["endCursor"] is not None


@pytest.mark.parametrize("first", [1, 2, 100])
async def test_paging_through_a_thinly_filtered_listing_finds_each_match_once_in_order(
    stack: Stack, first: int
) -> None:
    delivered = {0, 1, 40, 120, 121, 122}
    statuses = [
        OrderStatus.DELIVERED if index in delivered else OrderStatus.PLACED for index in range(330)
    ]
    orders = orders_over_time(CUSTOMER.sub, statuses)
    await stack.store_items(order_item(order) for order in orders)

    pages = await every_page(
        stack, CUSTOMER, ORDERS, "orders", "id", status="DELIVERED", first=first
    )

    newest_first = [order.id for order in reversed(orders) if order.status is OrderStatus.DELIVERED]
    assert [order_id for page in pages for order_id in page] == newest_first
    assert all(len(page) <= first for page in pages)
    if first == 1:
        # The newest 200 hold no match, and later reads find fewer than a page: short pages.
        assert pages[0] == []


def orders_of_every_kind(customer_id: str, since: datetime = NOW) -> list[Order]:
    """Two orders of each status and priority, a second apart, the kinds interleaved in time."""
    kinds = [(status, priority) for status in OrderStatus for priority in DeliveryPriority]
    return [
        an_order(
            customer_id=customer_id,
            status=status,
            priority=priority,
            created_at=since + timedelta(seconds=index),
        )
        for index, (status, priority) in enumerate(kinds * 2)
    ]


FILTERS = [
    (status, priority) for status in (None, *OrderStatus) for priority in (None, *DeliveryPriority)
]


@pytest.mark.parametrize("who", [CUSTOMER, STAFF], ids=["customer", "staff"])
async def test_each_status_and_priority_filter_lists_exactly_its_orders_newest_first(
    stack: Stack, who: Identity
) -> None:
    # GIVEN orders of every status and priority, the customer's and another's
    own = orders_of_every_kind(CUSTOMER.sub)
    others = orders_of_every_kind("bounded-other", since=NOW + timedelta(milliseconds=500))
    await stack.store_items(order_item(order) for order in [*own, *others])
    visible = own if who is CUSTOMER else [*own, *others]

    for status, priority in FILTERS:
        # WHEN the caller pages through one filter's orders, three at a time
        pages = await every_page(
            stack,
            who,
            ORDERS,
            "orders",
            "id",
            first=3,
            status=None if status is None else status.value,
            priority=None if priority is None else priority.value,
        )

        # THEN they get each order that matches, once, newest first, and no other
        matching = [
            order
            for order in visible
            if status in (None, order.status) and priority in (None, order.priority)
        ]
        newest_first = sorted(matching, key=order_position, reverse=True)
        listed = [order_id for page in pages for order_id in page]
        assert listed == [order.id for order in newest_first], (status, priority)


@pytest.mark.parametrize("first", [1, 2, 100])
@pytest.mark.parametrize(
    ("who", "status"),
    [
        (CUSTOMER, None),
        (CUSTOMER, OrderStatus.DELIVERED),
        (STAFF, None),
        (STAFF, OrderStatus.PLACED),
    ],
    ids=["customer", "customer-delivered", "staff-every-status", "staff-placed"],
)
async def test_paging_through_a_thin_priority_filter_finds_each_match_once_within_price(
    stack: Stack, who: Identity, status: OrderStatus | None, first: int
) -> None:
    # GIVEN 330 orders of which a few, scattered, are urgent (and delivered, or placed)
    urgent = {0, 1, 40, 120, 121, 122, 329}
    orders = [
        an_order(
            customer_id=CUSTOMER.sub,
            status=OrderStatus.DELIVERED if index % 2 else OrderStatus.PLACED,
            priority=DeliveryPriority.URGENT if index in urgent else DeliveryPriority.STANDARD,
            created_at=NOW + timedelta(seconds=index),
        )
        for index in range(330)
    ]
    await stack.store_items(order_item(order) for order in orders)

    # WHEN the caller pages through the urgent ones (`execute` checks each page's reads)
    pages = await every_page(
        stack,
        who,
        ORDERS,
        "orders",
        "id",
        first=first,
        status=None if status is None else status.value,
        priority="URGENT",
    )

    # THEN each urgent order of the status comes once, newest first, in pages of at most `first`
    matching = [
        order
        for order in reversed(orders)
        if order.priority is DeliveryPriority.URGENT and status in (None, order.status)
    ]
    assert [order_id for page in pages for order_id in page] == [order.id for order in matching]
    assert all(len(page) <= first for page in pages)


async def test_a_customers_unfiltered_listing_pages_through_everything(stack: Stack) -> None:
    orders = orders_over_time(CUSTOMER.sub, [OrderStatus.PLACED, OrderStatus.CANCELLED] * 30)
    await stack.store_items(order_item(order) for order in orders)

    pages = await every_page(stack, CUSTOMER, ORDERS, "orders", "id", first=7)

    assert [order_id for page in pages for order_id in page] == [
        order.id for order in reversed(orders)
    ]
    assert [len(page) for page in pages] == [7] * 8 + [4]


async def test_a_catalogue_mostly_withdrawn_pages_its_active_products_within_the_price(
    stack: Stack,
) -> None:
    # GIVEN 400 withdrawn products among a handful of active ones
    active = {5, 330}
    products = [a_product(sku=f"P{index:04d}", active=index in active) for index in range(400)]
    await stack.store_items(product_item(product) for product in products)

    # WHEN a customer pages through the catalogue, two at a time
    pages = await every_page(stack, CUSTOMER, PRODUCTS, "products", "sku", first=2)

    # THEN they see every active product once, in SKU order, across short and empty pages
    expected = sorted([*CATALOGUE, *(f"P{index:04d}" for index in active)])
    assert [sku for page in pages for sku in page] == expected
    assert [] in pages
    # Staff see the withdrawn ones too, in pages of the size asked.
    staff_pages = await every_page(stack, STAFF, PRODUCTS, "products", "sku", first=100)
    assert [sku for page in staff_pages for sku in page] == sorted(
        [*CATALOGUE, *(product.sku for product in products)]
    )
    assert [len(page) for page in staff_pages] == [100] * 4 + [3]


async def test_staff_listing_every_status_merges_pages_cut_short_by_a_megabyte(
    stack: Stack,
) -> None:
    # GIVEN the newest orders placed, each of 24 KB, so one Query's megabyte holds 44 of
    # them; and older, small orders of the other statuses
    bulky = {"lines": tuple(an_order_line(sku=f"S{n}", name="x" * 200) for n in range(100))}
    others = [OrderStatus.CANCELLED, OrderStatus.OUT_FOR_DELIVERY, OrderStatus.DELIVERED]
    orders = [
        *orders_over_time("bounded-bulky", [OrderStatus.PLACED] * 50, **bulky),
        *orders_over_time("bounded-small", others * 20, since=NOW - timedelta(hours=1)),
    ]
    await stack.store_items(order_item(order) for order in orders)

    # WHEN staff page through every status, 45 at a time
    pages = await every_page(stack, STAFF, ORDERS, "orders", "id", first=45)

    # THEN each order comes once, newest first, though some pages end short
    newest_first = sorted(orders, key=order_position, reverse=True)
    assert [order_id for page in pages for order_id in page] == [order.id for order in newest_first]
    assert 0 < len(pages[0]) < 45


async def test_an_order_whose_collection_outgrows_its_priced_query_fails_alone(
    stack: Stack,
) -> None:
    # GIVEN an order whose timeline is over a megabyte, and an ordinary order
    huge, ordinary = orders_over_time(CUSTOMER.sub, [OrderStatus.PLACED] * 2)
    events = [
        event_item(huge.id, new_ulid(), TimelineEvent(EventKind.MODIFIED, "x" * 30_000), "c", NOW)
        for _ in range(40)
    ]
    await stack.store_items([order_item(huge), order_item(ordinary), *events])
    stack.calls.clear()
    reads = (await stack.context(CUSTOMER)).reads

    # WHEN both are loaded together, as a DataLoader batch would
    loaded = await reads.many_order_details([huge.id, ordinary.id])

    # THEN the large one refuses rather than read past its price, and the other loads
    assert isinstance(loaded[0], OrderTooLargeToReadError)
    assert isinstance(loaded[1], OrderDetails)
    assert loaded[1].order.id == ordinary.id
    assert stack.calls["dynamodb.Query"] == 2
