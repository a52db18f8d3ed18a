"""The read side's data access: one DynamoDB query per access pattern of the single table."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from domain import storage
from domain.catalog import Product
from domain.commands import CommandOutcome
from domain.customers import CustomerProfile
from domain.orders import Order, OrderDetails, OrderStatus
from resolvers.pagination import Page, encode_cursor

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb import DynamoDBClient

T = TypeVar("T")
_BATCH_GET_LIMIT = 100
_ORDER_PREFIX = storage.CUSTOMER_ORDERS_SORT_PREFIX


class DynamoReadStore:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    async def order_details(self, order_id: str) -> OrderDetails | None:
        """The order, its ledger and its timeline: one Query on its item collection."""
        items: list[storage.Item] = []
        params: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk",
            "ExpressionAttributeValues": {":pk": {"S": storage.order_partition(order_id)}},
            "ConsistentRead": True,
        }
        while True:
            response = await self._client.query(**params)
            items.extend(storage.unmarshal_item(item) for item in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                break
            params["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        return storage.order_details_from_items(items)

    async def many_order_details(self, order_ids: Sequence[str]) -> list[OrderDetails | None]:
        """Several orders' collections, queried concurrently (a DataLoader's batch)."""
        return list(await asyncio.gather(*(self.order_details(key) for key in order_ids)))

    async def order(self, order_id: str) -> Order | None:
        item = await self._get(storage.order_key(order_id))
        return None if item is None else storage.order_from_item(item)

    async def customer(self, sub: str) -> CustomerProfile | None:
        item = await self._get(storage.customer_key(sub))
        return None if item is None else storage.customer_from_item(item)

    async def customers(self, subs: Sequence[str]) -> list[CustomerProfile | None]:
        """Profiles in the order asked, None where missing: one BatchGetItem per 100."""
        found: dict[str, CustomerProfile] = {}
        wanted = sorted(set(subs))
        for start in range(0, len(wanted), _BATCH_GET_LIMIT):
            keys = [
                storage.marshal_item(storage.customer_key(sub))
                for sub in wanted[start : start + _BATCH_GET_LIMIT]
            ]
            request: dict[str, Any] = {self._table: {"Keys": keys}}
            while request:
                response = await self._client.batch_get_item(RequestItems=request)
                for item in response["Responses"].get(self._table, []):
                    profile = storage.customer_from_item(storage.unmarshal_item(item))
                    found[profile.id] = profile
                request = dict(response.get("UnprocessedKeys") or {})
        return [found.get(sub) for sub in subs]

    async def command_outcome(self, command_id: str) -> CommandOutcome | None:
        item = await self._get(storage.command_key(command_id))
        return None if item is None else storage.command_outcome_from_item(item)

    async def customer_orders(
        self, sub: str, status: OrderStatus | None, first: int, after: str | None
    ) -> Page[Order]:
        """A customer's orders, newest first (GSI1), optionally of one status."""
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
        if status is not None:
            params["FilterExpression"] = "#status = :status"
            params["ExpressionAttributeNames"] = {"#status": "status"}
            values[":status"] = {"S": status.value}
        params["ExpressionAttributeValues"] = values
        items = await self._collect(params, first + 1, exclude=_ORDER_PREFIX + (after or ""))
        return _page(
            [storage.order_from_item(item) for item in items],
            first,
            storage.order_position,
        )

    async def orders_by_status(
        self, statuses: Iterable[OrderStatus], first: int, after: str | None
    ) -> Page[Order]:
        """Orders of the given statuses, newest first (GSI2): one query per status, merged."""

        async def one_status(status: OrderStatus) -> list[storage.Item]:
            condition = "GSI2PK = :pk"
            values: dict[str, Any] = {":pk": {"S": storage.status_partition(status)}}
            if after:
                condition += " AND GSI2SK < :after"
                values[":after"] = {"S": after}
            params = {
                "IndexName": storage.GSI2,
                "KeyConditionExpression": condition,
                "ExpressionAttributeValues": values,
                "ScanIndexForward": False,
            }
            return await self._collect(params, first + 1)

        batches = await asyncio.gather(*(one_status(status) for status in statuses))
        merged = sorted(
            (item for batch in batches for item in batch),
            key=lambda item: str(item[storage.GSI2_SK]),
            reverse=True,
        )
        return _page(
            [storage.order_from_item(item) for item in merged[: first + 1]],
            first,
            storage.order_position,
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
        items = await self._collect(params, first + 1)
        return _page([storage.product_from_item(item) for item in items], first, lambda p: p.sku)

    async def _collect(
        self, params: dict[str, Any], limit: int, *, exclude: str | None = None
    ) -> list[storage.Item]:
        """Query pages until `limit` items have passed the filter or the partition ends."""
        found: list[storage.Item] = []
        request = {"TableName": self._table, **params}
        while len(found) < limit:
            response = await self._client.query(**request, Limit=max(limit - len(found), 1))
            for raw in response.get("Items", []):
                item = storage.unmarshal_item(raw)
                if exclude is None or item.get(storage.GSI1_SK) != exclude:
                    found.append(item)
            if "LastEvaluatedKey" not in response:
                break
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        return found[:limit]

    async def _get(self, key: storage.Item) -> storage.Item | None:
        response = await self._client.get_item(
            TableName=self._table, Key=storage.marshal_item(key), ConsistentRead=True
        )
        item = response.get("Item")
        return None if item is None else storage.unmarshal_item(item)


def _page(nodes: list[T], first: int, position: Callable[[T], str]) -> Page[T]:
    return Page(
        entries=tuple((encode_cursor(position(node)), node) for node in nodes[:first]),
        has_next_page=len(nodes) > first,
    )
