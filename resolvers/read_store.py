"""The read side's data access: one DynamoDB query per access pattern of the single table."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from domain.catalog import Product
from domain.commands import CommandOutcome
from domain.customers import CustomerProfile
from domain.orders import DeliveryPriority, Order, OrderDetails, OrderStatus
from resolvers.pagination import Page, encode_cursor
from storage import keys
from storage.items import (
    command_outcome_from_item,
    customer_from_item,
    order_details_from_items,
    order_from_item,
    product_from_item,
)
from storage.keys import Item
from storage.table import Query, Table, ref

T = TypeVar("T")
_ORDER_PREFIX = keys.CUSTOMER_ORDERS_SORT_PREFIX

# The most Queries each read sends, whatever the data: schema/query_cost.py prices the fields
# at these, so a price bounds the reads. A listing whose Queries run out before its page fills
# (a filter rejecting most of what they read, or DynamoDB's 1 MB per Query) returns a short,
# even empty, page with a cursor after the last item read.
ORDERS_BY_STATUS_QUERIES = len(OrderStatus)  # staff listing every status: one per status
CUSTOMER_ORDERS_QUERIES = 2  # a customer's orders, of one status or all
PRODUCTS_QUERIES = 1
# An order's collection is read whole or not at all (see order_details): 1 MB holds hundreds
# of changes to one order.
ORDER_COLLECTION_QUERIES = 1
# A filter applies after a Query's Limit: a filtered Query reads at least this many items, so
# one whose filter rejects most of them still has some to return.
_FILTERED_QUERY_LIMIT = 100


class OrderTooLargeToReadError(Exception):
    """An order's item collection is longer than ORDER_COLLECTION_QUERIES read (1 MB each)."""


@dataclass(frozen=True, slots=True)
class _PartitionRead:
    """Items of one index partition that passed the filter, in index order, and the position
    after which reading resumes when the Queries ran out before enough were found."""

    items: list[Item]
    resume_after: str | None


class DynamoReadStore:
    def __init__(self, table: Table) -> None:
        self._table = table

    async def order_details(self, order_id: str) -> OrderDetails | None:
        """The order, its ledger and its timeline: one Query on its item collection.

        Raises OrderTooLargeToReadError rather than read past ORDER_COLLECTION_QUERIES: the
        order's item sorts among its events, so a partial collection could not be trusted.
        """
        query = Query(
            f"{ref(keys.PK)} = :pk",
            {":pk": keys.order_partition(order_id)},
            consistent=True,
        )
        items: list[Item] = []
        start_key: Item | None = None
        for _ in range(ORDER_COLLECTION_QUERIES):
            page = await self._table.query_page(query, start_key=start_key)
            items.extend(page.items)
            if page.last_key is None:
                return order_details_from_items(items)
            start_key = page.last_key
        raise OrderTooLargeToReadError(order_id)

    async def many_order_details(
        self, order_ids: Sequence[str]
    ) -> list[OrderDetails | OrderTooLargeToReadError | None]:
        """Several orders' collections, queried concurrently (a DataLoader's batch); an order
        too large to read fails its own load, not its neighbours'."""

        async def details(order_id: str) -> OrderDetails | OrderTooLargeToReadError | None:
            try:
                return await self.order_details(order_id)
            except OrderTooLargeToReadError as error:
                return error

        if len(order_ids) == 1:
            # The usual batch (one order's fields): awaited here rather than through a task,
            # which cost a third of a millisecond of an order read's CPU.
            return [await details(order_ids[0])]
        return list(await asyncio.gather(*(details(key) for key in order_ids)))

    async def order(self, order_id: str) -> Order | None:
        return await self._table.get(keys.order_key(order_id), order_from_item, consistent=True)

    async def customers(self, subs: Sequence[str]) -> list[CustomerProfile | None]:
        """Profiles in the order asked, None where missing: one BatchGetItem per 100."""
        items = await self._table.batch_get(
            [keys.customer_key(sub) for sub in set(subs)], consistent=False
        )
        found = {profile.id: profile for profile in map(customer_from_item, items)}
        return [found.get(sub) for sub in subs]

    async def catalogue(self, skus: Iterable[str]) -> dict[str, Product]:
        """The products of these SKUs that exist (active or not), by SKU: one BatchGetItem
        per 100, and an order has at most 100 lines."""
        items = await self._table.batch_get(
            [keys.product_key(sku) for sku in set(skus)], consistent=False
        )
        return {product.sku: product for product in map(product_from_item, items)}

    async def product(self, sku: str) -> Product | None:
        """The product of this SKU, active or not."""
        return await self._table.get(keys.product_key(sku), product_from_item, consistent=True)

    async def command_outcome(self, command_id: str) -> CommandOutcome | None:
        return await self._table.get(
            keys.command_key(command_id), command_outcome_from_item, consistent=True
        )

    async def customer_orders(
        self,
        sub: str,
        status: OrderStatus | None,
        first: int,
        after: str | None,
        *,
        priority: DeliveryPriority | None = None,
    ) -> Page[Order]:
        """A customer's orders, newest first (GSI1), optionally of one status and priority."""
        query = _orders_of(
            Query(
                f"{ref(keys.GSI1_PK)} = :pk AND {ref(keys.GSI1_SK)} BETWEEN :prefix AND :bound",
                {
                    ":pk": keys.customer_orders_partition(sub),
                    ":bound": _ORDER_PREFIX + after if after else _ORDER_PREFIX + "~",
                    ":prefix": _ORDER_PREFIX,
                },
                index=keys.GSI1,
                descending=True,
            ),
            status=status,
            priority=priority,
        )
        # The key condition includes the cursor's own order: it is read and skipped.
        read = await self._read_partition(
            query,
            first + 1,
            queries=CUSTOMER_ORDERS_QUERIES,
            position=_customer_order_position,
            exclude=after,
        )
        return _page(
            [order_from_item(item) for item in read.items],
            first,
            keys.order_position,
            read.resume_after,
        )

    async def orders_by_status(
        self,
        statuses: Iterable[OrderStatus],
        first: int,
        after: str | None,
        *,
        priority: DeliveryPriority | None = None,
    ) -> Page[Order]:
        """Orders of the given statuses, newest first (GSI2): one query per status, merged;
        optionally of one priority (a filter, so each status's Queries may end a page short)."""
        statuses = tuple(statuses)
        if not statuses:
            return Page(entries=(), has_next_page=False)
        queries = max(ORDERS_BY_STATUS_QUERIES // len(statuses), 1)

        async def one_status(status: OrderStatus) -> _PartitionRead:
            condition = f"{ref(keys.GSI2_PK)} = :pk"
            values: dict[str, Any] = {":pk": keys.status_partition(status)}
            if after:
                condition += f" AND {ref(keys.GSI2_SK)} < :after"
                values[":after"] = after
            query = Query(condition, values, index=keys.GSI2, descending=True)
            return await self._read_partition(
                _orders_of(query, status=None, priority=priority),
                first + 1,
                queries=queries,
                position=_gsi2_position,
            )

        reads = await asyncio.gather(*(one_status(status) for status in statuses))
        merged = sorted(
            (item for read in reads for item in read.items), key=_gsi2_position, reverse=True
        )
        # A status whose Queries ran out is known only down to where they stopped: below the
        # highest such point its unread orders could come before the others', so the page ends.
        frontier = max(
            (read.resume_after for read in reads if read.resume_after is not None), default=None
        )
        if frontier is not None:
            merged = [item for item in merged if _gsi2_position(item) >= frontier]
        return _page(
            [order_from_item(item) for item in merged[: first + 1]],
            first,
            keys.order_position,
            frontier,
        )

    async def products(
        self, first: int, after: str | None, *, include_inactive: bool
    ) -> Page[Product]:
        """The catalogue by SKU (GSI2's CATALOG partition)."""
        condition = f"{ref(keys.GSI2_PK)} = :pk"
        values: dict[str, Any] = {":pk": keys.CATALOG_PARTITION}
        if after:
            condition += f" AND {ref(keys.GSI2_SK)} > :after"
            values[":after"] = after
        query = Query(condition, values, index=keys.GSI2)
        if not include_inactive:
            query = replace(
                query, filter=f"{ref(keys.ACTIVE)} = :active", values={**values, ":active": True}
            )
        read = await self._read_partition(
            query, first + 1, queries=PRODUCTS_QUERIES, position=_gsi2_position
        )
        return _page(
            [product_from_item(item) for item in read.items],
            first,
            lambda product: product.sku,
            read.resume_after,
        )

    async def _read_partition(
        self,
        query: Query,
        wanted: int,
        *,
        queries: int,
        position: Callable[[Item], str],
        exclude: str | None = None,
    ) -> _PartitionRead:
        """At most `queries` Queries, until `wanted` items have passed the filter or the
        partition ends; `position` is where an item sorts, as a cursor holds it."""
        found: list[Item] = []
        limit = wanted + (exclude is not None)
        if query.filter is not None:
            limit = max(limit, _FILTERED_QUERY_LIMIT)
        start_key: Item | None = None
        for _ in range(queries):
            page = await self._table.query_page(query, limit=limit, start_key=start_key)
            found.extend(item for item in page.items if position(item) != exclude)
            if page.last_key is None or len(found) >= wanted:
                return _PartitionRead(found[:wanted], None)
            start_key = page.last_key
        # Out of Queries: the last item evaluated (passed or filtered out) is where to go on.
        assert start_key is not None
        return _PartitionRead(found, position(start_key))


def _orders_of(
    query: Query, *, status: OrderStatus | None, priority: DeliveryPriority | None
) -> Query:
    """Keep only orders of this status and this priority (None: any) with a FilterExpression;
    `_read_partition` then reads at least _FILTERED_QUERY_LIMIT items a Query."""
    wanted: Mapping[str, OrderStatus | DeliveryPriority | None] = {
        keys.STATUS: status,
        keys.PRIORITY: priority,
    }
    matching = {name: value for name, value in wanted.items() if value is not None}
    if not matching:
        return query
    return replace(
        query,
        filter=" AND ".join(f"{ref(name)} = :{name}" for name in matching),
        values={**query.values, **{f":{name}": value.value for name, value in matching.items()}},
    )


def _customer_order_position(item: Item) -> str:
    return str(item[keys.GSI1_SK]).removeprefix(_ORDER_PREFIX)


def _gsi2_position(item: Item) -> str:
    return str(item[keys.GSI2_SK])


def _page(
    nodes: list[T], first: int, position: Callable[[T], str], resume_after: str | None = None
) -> Page[T]:
    """The first `first` nodes; with `resume_after`, the read stopped there, past all of them."""
    if len(nodes) > first:
        return Page(
            entries=tuple((encode_cursor(position(node)), node) for node in nodes[:first]),
            has_next_page=True,
        )
    return Page(
        entries=tuple((encode_cursor(position(node)), node) for node in nodes),
        has_next_page=resume_after is not None,
        resume_cursor=None if resume_after is None else encode_cursor(resume_after),
    )
