"""The single table's client: reads, paged queries, batch gets, conditional writes and batch puts.

Expressions name attributes as `#<attribute>` (see `ref`); the client sends each such
placeholder with its ExpressionAttributeNames entry, so an attribute's name is typed once, in
storage/keys.py. Values are given plain (`{":pk": "ORDER#1"}`) and marshalled here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar, cast, overload

from botocore.exceptions import ClientError

from storage.codec import check_storable, marshal_item, unmarshal_item
from storage.keys import PK, Item

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb import DynamoDBClient
    from types_aiobotocore_dynamodb.type_defs import (
        TransactWriteItemTypeDef,
        WriteRequestTypeDef,
    )

T = TypeVar("T")
# BatchGetItem's most keys per request, and BatchWriteItem's most items.
BATCH_GET_LIMIT = 100
BATCH_WRITE_LIMIT = 25
_PLACEHOLDER = re.compile(r"#(\w+)")
# The reads whose answers are items. botocore parses an answer by walking it through the
# service model, attribute value by attribute value: most of a read's CPU, for a result that is
# the body's JSON as sent (for the attribute types this table stores: S, N, BOOL, NULL, L, M;
# the codec refuses any other). So their successful answers are parsed here, once, as JSON.
ITEM_READS = ("GetItem", "Query", "BatchGetItem")


def ref(attribute: str) -> str:
    """How an expression names an attribute: `#<attribute>`, sent with its name."""
    return f"#{attribute}"


class TransactionCanceledError(Exception):
    """A transaction changed nothing: one of its conditions failed, or it met another."""


@dataclass(frozen=True, slots=True)
class Condition:
    """A ConditionExpression and the plain values it compares with."""

    expression: str
    values: Mapping[str, Any] = field(default_factory=dict)


# A put that only creates: the item's key must not be taken.
ITEM_IS_NEW = Condition(f"attribute_not_exists({ref(PK)})")


@dataclass(frozen=True, slots=True)
class Query:
    """A Query on the table or one of its indexes; `values` are plain."""

    key_condition: str
    values: Mapping[str, Any]
    index: str | None = None
    filter: str | None = None
    descending: bool = False
    consistent: bool = False


@dataclass(frozen=True, slots=True)
class QueryPage:
    items: list[Item]
    # Where the next page starts; None when this page ends the result.
    last_key: Item | None


class Table:
    def __init__(self, client: DynamoDBClient, name: str) -> None:
        self._client = client
        self.name = name

    @overload
    async def get(self, key: Item, *, consistent: bool) -> Item | None: ...

    @overload
    async def get(
        self, key: Item, decode: Callable[[Item], T], *, consistent: bool
    ) -> T | None: ...

    async def get(
        self, key: Item, decode: Callable[[Item], Any] | None = None, *, consistent: bool
    ) -> Any:
        """The item of this key (through `decode` when given), or None: one GetItem."""
        response = await self._client.get_item(
            TableName=self.name, Key=marshal_item(key), ConsistentRead=consistent
        )
        found = response.get("Item")
        if found is None:
            return None
        item = unmarshal_item(found)
        return item if decode is None else decode(item)

    async def query(self, query: Query) -> list[Item]:
        """Every item the query matches: as many Queries as it has pages."""
        items: list[Item] = []
        start_key: Item | None = None
        while True:
            page = await self.query_page(query, start_key=start_key)
            items.extend(page.items)
            if page.last_key is None:
                return items
            start_key = page.last_key

    async def query_page(
        self, query: Query, *, limit: int | None = None, start_key: Item | None = None
    ) -> QueryPage:
        """One Query: up to `limit` items evaluated, from after `start_key`."""
        params: dict[str, Any] = {
            "TableName": self.name,
            "KeyConditionExpression": query.key_condition,
            "ExpressionAttributeValues": marshal_item(query.values),
        }
        expressions = [query.key_condition]
        if query.index is not None:
            params["IndexName"] = query.index
        if query.filter is not None:
            params["FilterExpression"] = query.filter
            expressions.append(query.filter)
        params |= _names(*expressions)
        if query.descending:
            params["ScanIndexForward"] = False
        if query.consistent:
            params["ConsistentRead"] = True
        if limit is not None:
            params["Limit"] = limit
        if start_key is not None:
            params["ExclusiveStartKey"] = marshal_item(start_key)
        response = await self._client.query(**params)
        last_key = response.get("LastEvaluatedKey")
        return QueryPage(
            items=[unmarshal_item(item) for item in response.get("Items", [])],
            last_key=None if last_key is None else unmarshal_item(last_key),
        )

    async def batch_get(self, keys: Sequence[Item], *, consistent: bool) -> list[Item]:
        """The items of these keys that exist, in no particular order: one BatchGetItem per
        100 keys, and again for the keys DynamoDB left unprocessed."""
        wanted = [marshal_item(key) for key in keys]
        found: list[Item] = []
        for start in range(0, len(wanted), BATCH_GET_LIMIT):
            batch: dict[str, Any] = {"Keys": wanted[start : start + BATCH_GET_LIMIT]}
            if consistent:
                batch["ConsistentRead"] = True
            request: dict[str, Any] = {self.name: batch}
            while request:
                response = await self._client.batch_get_item(RequestItems=request)
                found.extend(map(unmarshal_item, response["Responses"].get(self.name, [])))
                request = dict(response.get("UnprocessedKeys") or {})
        return found

    async def batch_put(self, items: Sequence[Item]) -> list[Item]:
        """Unconditional puts, one BatchWriteItem per 25 items, each item written or not on its
        own; the items DynamoDB left unprocessed (it was throttled), to put again after a pause.

        Raises UnstorableItemError, sending nothing, for an item DynamoDB would refuse.
        """
        for item in items:
            check_storable(item)
        unprocessed: list[Item] = []
        for start in range(0, len(items), BATCH_WRITE_LIMIT):
            requests: list[WriteRequestTypeDef] = [
                {"PutRequest": {"Item": marshal_item(item)}}
                for item in items[start : start + BATCH_WRITE_LIMIT]
            ]
            response = await self._client.batch_write_item(RequestItems={self.name: requests})
            left = (response.get("UnprocessedItems") or {}).get(self.name, [])
            unprocessed.extend(unmarshal_item(request["PutRequest"]["Item"]) for request in left)
        return unprocessed

    def put_entry(self, item: Item, condition: Condition | None = None) -> TransactWriteItemTypeDef:
        """A put for `transact`. Raises UnstorableItemError for an item DynamoDB would refuse."""
        check_storable(item)
        put: dict[str, Any] = {"TableName": self.name, "Item": marshal_item(item)}
        if condition is not None:
            put |= _condition(condition)
        return cast("TransactWriteItemTypeDef", {"Put": put})

    async def transact(self, entries: Sequence[TransactWriteItemTypeDef]) -> None:
        """One TransactWriteItems: all of them or, with TransactionCanceledError, none."""
        with _refusal_as("TransactionCanceledException", TransactionCanceledError):
            await self._client.transact_write_items(TransactItems=list(entries))


def parse_item_reads_as_json(client: DynamoDBClient) -> None:
    """Have the client hand over ITEM_READS' successful answers as their body's JSON, skipping
    botocore's model-driven parse (an error answer is still botocore's to parse). The answers are
    the same either way: whoever opens a DynamoDB client calls this once (app/aws_clients.py)."""
    for operation in ITEM_READS:
        client.meta.events.register(
            f"before-parse.dynamodb.{operation}",
            _answer_as_json,
            unique_id=f"order-delivery-json-{operation}",
        )


def _answer_as_json(
    response_dict: dict[str, Any], customized_response_dict: dict[str, Any], **_: Any
) -> None:
    """botocore's before-parse hook: what `customized_response_dict` holds is merged into the
    parsed answer, and an empty body parses to nothing."""
    if response_dict["status_code"] >= 300:
        return
    try:
        answer = json.loads(response_dict["body"])
    except ValueError:
        return  # a damaged body: botocore's parse and its CRC32 check retry the call
    customized_response_dict.update(answer)
    response_dict["body"] = b""


def _condition(condition: Condition) -> dict[str, Any]:
    params: dict[str, Any] = {"ConditionExpression": condition.expression}
    params |= _names(condition.expression)
    if condition.values:
        params["ExpressionAttributeValues"] = marshal_item(condition.values)
    return params


def _names(*expressions: str) -> dict[str, Any]:
    """ExpressionAttributeNames for the `#<attribute>` placeholders of these expressions."""
    names = {
        ref(attribute): attribute
        for expression in expressions
        for attribute in _PLACEHOLDER.findall(expression)
    }
    return {"ExpressionAttributeNames": names} if names else {}


@contextmanager
def _refusal_as(code: str, error_type: type[Exception]) -> Iterator[None]:
    """DynamoDB's refusal `code` raised as `error_type`; any other error as it came."""
    try:
        yield
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == code:
            raise error_type(str(error)) from error
        raise
