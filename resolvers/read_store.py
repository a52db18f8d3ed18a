"""The read side's data access: one DynamoDB query per access pattern of the single table."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from domain import storage
from domain.catalog import Product
from domain.commands import CommandOutcome
from domain.customers import CustomerProfile
from domain.orders import DeliveryPriority, Order, OrderDetails, OrderStatus
from resolvers.pagination import Page, encode_cursor

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb import DynamoDBClient

T = TypeVar("T")
_BATCH_GET_LIMIT = 100
_ORDER_PREFIX = storage.CUSTOMER_ORDERS_SORT_PREFIX

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

    items: list[storage.Item]
    resume_after: str | None


class DynamoReadStore:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    async def order_details(self, order_id: str) -> OrderDetails | None:
        """The order, its ledger and its timeline: one Query on its item collection.

        Raises OrderTooLargeToReadError rather than read past ORDER_COLLECTION_QUERIES: the
        order's item sorts among its events, so a partial collection could not be trusted.
        """
        items: list[storage.Item] = []
        params: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk",
            "ExpressionAttributeValues": {":pk": {"S": storage.order_partition(order_id)}},
            "ConsistentRead": True,
        }
        for _ in range(ORDER_COLLECTION_QUERIES):
            response = await self._client.query(**params)
            items.extend(storage.unmarshal_item(item) for item in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return storage.order_details_from_items(items)
            params["ExclusiveStartKey"] = response["LastEvaluatedKey"]
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

        return list(await asyncio.gather(*(details(key) for key in order_ids)))

    async def order(self, order_id: str) -> Order | None:
        item = await self._get(storage.order_key(order_id))
        return None if item is None else storage.order_from_item(item)

    async def customer(self, sub: str) -> CustomerProfile | None:
        item = await self._get(storage.customer_key(sub))
        return None if item is None else storage.customer_from_item(item)

    async def customers(self, subs: Sequence[str]) -> list[CustomerProfile | None]:
        """Profiles in the order asked, None where missing: one BatchGetItem per 100."""
        items = await self._batch_get(storage.customer_key(sub) for sub in set(subs))
        found = {profile.id: profile for profile in map(storage.customer_from_item, items)}
        return [found.get(sub) for sub in subs]

    async def catalogue(self, skus: Iterable[str]) -> dict[str, Product]:
        """The products of these SKUs that exist (active or not), by SKU: one BatchGetItem
        per 100, and an order has at most 100 lines."""
        items = await self._batch_get(storage.product_key(sku) for sku in set(skus))
        return {product.sku: product for product in map(storage.product_from_item, items)}

    async def _batch_get(self, keys: Iterable[storage.Item]) -> list[storage.Item]:
        """The items of these keys that exist, in no particular order."""
        wanted = [storage.marshal_item(key) for key in keys]
        found: list[storage.Item] = []
        for start in range(0, len(wanted), _BATCH_GET_LIMIT):
            batch = wanted[start : start + _BATCH_GET_LIMIT]
            request: dict[str, Any] = {self._table: {"Keys": batch}}
            while request:
                response = await self._client.batch_get_item(RequestItems=request)
                found.extend(
                    map(storage.unmarshal_item, response["Responses"].get(self._table, []))
                )
                request = dict(response.get("UnprocessedKeys") or {})
        return found

    async def product(self, sku: str) -> Product | None:
        """The product of this SKU, active or not."""
        item = await self._get(storage.product_key(sku))
        return None if item is None else storage.product_from_item(item)

    async def command_outcome(self, command_id: str) -> CommandOutcome | None:
        item = await self._get(storage.command_key(command_id))
        return None if item is None else storage.command_outcome_from_item(item)

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
        values: dict[str, Any] = {
            ":pk": {"S": storage.customer_orders_partition(sub)},
            ":bound": {"S": _ORDER_PREFIX + after if after else _ORDER_PREFIX + "~"},
            ":prefix": {"S": _ORDER_PREFIX},
        }
        params: dict[str, Any] = {
            "IndexName": storage.GSI1,
            "KeyConditionExpression": "GSI1PK = :pk AND GSI1SK BETWEEN :prefix AND :bound",
            "ScanIndexForward": False,
        }
        _filter_orders(params, values, status=status, priority=priority)
        params["ExpressionAttributeValues"] = values
        # The key condition includes the cursor's own order: it is read and skipped.
        read = await self._read_partition(
            params,
            first + 1,
            queries=CUSTOMER_ORDERS_QUERIES,
            position=_customer_order_position,
            exclude=after,
        )
        return _page(
            [storage.order_from_item(item) for item in read.items],
            first,
            storage.order_position,
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
            condition = "GSI2PK = :pk"
            values: dict[str, Any] = {":pk": {"S": storage.status_partition(status)}}
            if after:
                condition += " AND GSI2SK < :after"
                values[":after"] = {"S": after}
            params: dict[str, Any] = {
                "IndexName": storage.GSI2,
                "KeyConditionExpression": condition,
                "ExpressionAttributeValues": values,
                "ScanIndexForward": False,
            }
            _filter_orders(params, values, status=None, priority=priority)
            return await self._read_partition(
                params, first + 1, queries=queries, position=_gsi2_position
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
            [storage.order_from_item(item) for item in merged[: first + 1]],
            first,
            storage.order_position,
            frontier,
        )

    async def products(
        self, first: int, after: str | None, *, include_inactive: bool
    ) -> Page[Product]:
        """The catalogue by SKU (GSI2's CATALOG partition)."""
        condition = "GSI2PK = :pk"
        values: dict[str, Any] = {":pk": {"S": storage.CATALOG_PARTITION}}
        if after:
            condition += " AND GSI2SK > :after"
            values[":after"] = {"S": after}
        params: dict[str, Any] = {
            "IndexName": storage.GSI2,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": values,
        }
        if not include_inactive:
            params["FilterExpression"] = "active = :active"
            values[":active"] = {"BOOL": True}
        read = await self._read_partition(
            params, first + 1, queries=PRODUCTS_QUERIES, position=_gsi2_position
        )
        return _page(
            [storage.product_from_item(item) for item in read.items],
            first,
            lambda product: product.sku,
            read.resume_after,
        )

    async def _read_partition(
        self,
        params: dict[str, Any],
        wanted: int,
        *,
        queries: int,
        position: Callable[[storage.Item], str],
        exclude: str | None = None,
    ) -> _PartitionRead:
        """At most `queries` Queries, until `wanted` items have passed the filter or the
        partition ends; `position` is where an item sorts, as a cursor holds it."""
        found: list[storage.Item] = []
        request = {"TableName": self._table, **params}
        limit = wanted + (exclude is not None)
        if "FilterExpression" in params:
            limit = max(limit, _FILTERED_QUERY_LIMIT)
        for _ in range(queries):
            response = await self._client.query(**request, Limit=limit)
            for raw in response.get("Items", []):
                item = storage.unmarshal_item(raw)
                if position(item) != exclude:
                    found.append(item)
            if "LastEvaluatedKey" not in response or len(found) >= wanted:
                return _PartitionRead(found[:wanted], None)
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        # Out of Queries: the last item evaluated (passed or filtered out) is where to go on.
        last_read = storage.unmarshal_item(request["ExclusiveStartKey"])
        return _PartitionRead(found, position(last_read))

    async def _get(self, key: storage.Item) -> storage.Item | None:
        response = await self._client.get_item(
            TableName=self._table, Key=storage.marshal_item(key), ConsistentRead=True
        )
        item = response.get("Item")
        return None if item is None else storage.unmarshal_item(item)


def _filter_orders(
    params: dict[str, Any],
    values: dict[str, Any],
    *,
    status: OrderStatus | None,
    priority: DeliveryPriority | None,
) -> None:
    """Keep only orders of this status and this priority (None: any) with a FilterExpression;
    `_read_partition` then reads at least _FILTERED_QUERY_LIMIT items a Query."""
    wanted = [
        (name, value)
        for name, value in (("status", status), ("priority", priority))
        if value is not None
    ]
    if not wanted:
        return
    params["FilterExpression"] = " AND ".join(f"#{name} = :{name}" for name, _ in wanted)
    params["ExpressionAttributeNames"] = {f"#{name}": name for name, _ in wanted}
    values.update({f":{name}": {"S": value.value} for name, value in wanted})


def _customer_order_position(item: storage.Item) -> str:
    return str(item[storage.GSI1_SK]).removeprefix(_ORDER_PREFIX)


def _gsi2_position(item: storage.Item) -> str:
    return str(item[storage.GSI2_SK])


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
