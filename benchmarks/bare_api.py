"""The API's baseline: a bare Strawberry + Mangum + aioboto3 Lambda answering `order(id)` with
one GetItem, the least a Lambda on this stack can do for that read.

Nothing of ours is imported (benchmarks/bare_settings.py says why). Like our handler, it runs
one event loop for the life of the process, opens its client once, inside that loop, and keeps
Strawberry's own parser and validation caches: without them it would parse and validate every
request and cost more CPU than ours (9.4 against 6.9 ms a call in a first try), which makes no
floor to measure against.
"""

from __future__ import annotations

import asyncio
import os
from typing import TYPE_CHECKING, Any

import aioboto3
import strawberry
from mangum import Mangum
from strawberry.asgi import GraphQL
from strawberry.extensions import ParserCache, ValidationCache

from benchmarks.bare_settings import (
    ENDPOINT_VARIABLE,
    REGION_VARIABLE,
    TABLE_NAME_VARIABLE,
    order_key,
)

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb import DynamoDBClient

_SYMBOLS = {"USD": "$"}


class _Table:
    """One DynamoDB client for the life of the process, opened in the loop that uses it."""

    def __init__(self) -> None:
        self.name = os.environ[TABLE_NAME_VARIABLE]
        self._client: DynamoDBClient | None = None

    async def client(self) -> DynamoDBClient:
        if self._client is None:
            session = aioboto3.Session(region_name=os.environ[REGION_VARIABLE])
            context = session.client("dynamodb", endpoint_url=os.environ.get(ENDPOINT_VARIABLE))
            self._client = await context.__aenter__()
        return self._client


_table = _Table()


@strawberry.type
class Money:
    amount: int
    currency: str

    @strawberry.field
    def display(self) -> str:
        units, cents = divmod(abs(self.amount), 100)
        sign = "-" if self.amount < 0 else ""
        return f"{sign}{_SYMBOLS.get(self.currency, '')}{units:,}.{cents:02d}"


@strawberry.type
class Order:
    id: strawberry.ID
    status: str
    total: Money


def _order(item: dict[str, Any]) -> Order:
    lines = item["lines"]["L"]
    total = int(item["delivery_fee"]["N"]) + sum(
        int(line["M"]["quantity"]["N"]) * int(line["M"]["unit_price"]["N"]) for line in lines
    )
    return Order(
        id=strawberry.ID(item["id"]["S"]),
        status=item["status"]["S"],
        total=Money(amount=total, currency=item["currency"]["S"]),
    )


@strawberry.type
class Query:
    @strawberry.field
    async def order(self, info: strawberry.Info, id: strawberry.ID) -> Order | None:
        client = await _table.client()
        key = {name: {"S": value} for name, value in order_key(str(id)).items()}
        answer = await client.get_item(TableName=_table.name, Key=key)
        item = answer.get("Item")
        # The owner or staff only, as the claims API Gateway's authorizer passed say.
        claims = info.context["request"].scope["aws.event"]["requestContext"]["authorizer"]
        caller = claims["jwt"]["claims"]
        if item is None or (
            item["customer_id"]["S"] != caller["sub"]
            and "staff" not in caller.get("cognito:groups", "")
        ):
            return None
        return _order(item)


_loop = asyncio.new_event_loop()
asyncio.set_event_loop(_loop)
_schema = strawberry.Schema(query=Query, extensions=[ParserCache, ValidationCache])
handler = Mangum(GraphQL(_schema), lifespan="off")
