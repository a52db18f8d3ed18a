"""The embedded emulator's patches to moto: all-or-nothing transactions whose cost, like a
query's, does not grow with the table, and no model object kept after its last use."""

from __future__ import annotations

import copy
import gc
import os
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table

from app.aws_clients import AwsClients
from tests.integration.conftest import REGION

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb import DynamoDBClient

pytestmark = pytest.mark.integration

SMALL_TABLE = 5
LARGE_TABLE = 500


def an_item(partition: str, sort: str, **attributes: str) -> dict[str, Any]:
    values = {"PK": partition, "SK": sort, "note": "x" * 40} | attributes
    return {name: {"S": value} for name, value in values.items()}


@dataclass
class EmulatedTable:
    name: str
    dynamodb: DynamoDBClient

    async def fill(self, count: int, partition: str = "FILLER") -> None:
        items = [an_item(f"{partition}#{n % 50}", f"ITEM#{n:05d}") for n in range(count)]
        for start in range(0, len(items), 25):
            puts: list[Any] = [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]
            await self.dynamodb.batch_write_item(RequestItems={self.name: puts})

    async def put(self, item: dict[str, Any]) -> None:
        await self.dynamodb.put_item(TableName=self.name, Item=item)

    async def everything(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        request: dict[str, Any] = {"TableName": self.name}
        while True:
            page = await self.dynamodb.scan(**request)
            items.extend(page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return sorted(items, key=lambda item: (item["PK"]["S"], item["SK"]["S"]))
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    async def partition(self, partition: str, **options: Any) -> list[dict[str, Any]]:
        response = await self.dynamodb.query(
            TableName=self.name,
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": {"S": partition}},
            **options,
        )
        return list(response["Items"])

    async def transact(self, *writes: dict[str, Any]) -> None:
        operations: list[Any] = [
            {kind: {"TableName": self.name, **operation}}
            for write in writes
            for kind, operation in write.items()
        ]
        await self.dynamodb.transact_write_items(TransactItems=operations)


@pytest.fixture
async def new_table(emulator_url: str) -> AsyncIterator[Callable[[], Any]]:
    """Makes empty tables with the service's key names, each under a name of its own."""
    clients = AwsClients(REGION, emulator_url)
    dynamodb = await clients.dynamodb()

    async def make() -> EmulatedTable:
        name = f"emulator-{uuid.uuid4().hex[:12]}"
        await dynamodb.create_table(
            TableName=name,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[
                {"AttributeName": "PK", "AttributeType": "S"},
                {"AttributeName": "SK", "AttributeType": "S"},
            ],
            KeySchema=[
                {"AttributeName": "PK", "KeyType": "HASH"},
                {"AttributeName": "SK", "KeyType": "RANGE"},
            ],
        )
        return EmulatedTable(name, dynamodb)

    yield make
    await clients.close()


async def small_and_large_tables(
    new_table: Callable[[], Any], *items: dict[str, Any]
) -> list[EmulatedTable]:
    """Two new tables holding the same `items`, filled to SMALL_TABLE and LARGE_TABLE."""
    tables = []
    for size in (SMALL_TABLE, LARGE_TABLE):
        table = await new_table()
        for item in items:
            await table.put(item)
        await table.fill(size)
        tables.append(table)
    return tables


def alive(model: type[Any]) -> list[Any]:
    """What moto's dashboard lists of a model: the instances its class tracks."""
    return list(vars(model)["instances_tracked"])


class CallCounter:
    """Counts the calls of a function, for as long as the test runs."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> None:
        self.calls = 0
        original = getattr(owner, name)

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(owner, name, counted)


def order_placed(order: str) -> list[dict[str, Any]]:
    """A transaction shaped like the worker's: new items, an update, a condition on an outcome."""
    return [
        {"Put": {"Item": an_item(f"ORDER#{order}", "ORDER", status="PLACED")}},
        {"Put": {"Item": an_item(f"ORDER#{order}", "EVENT#1", kind="ORDER_PLACED")}},
        {
            "Update": {
                "Key": {"PK": {"S": "CUSTOMER#ann"}, "SK": {"S": "PROFILE"}},
                "UpdateExpression": "SET last_order = :order",
                "ExpressionAttributeValues": {":order": {"S": order}},
            }
        },
        {
            "Put": {
                "Item": an_item(f"COMMAND#{order}", "OUTCOME", state="APPLIED"),
                "ConditionExpression": "attribute_not_exists(PK)",
            }
        },
    ]


async def test_a_transaction_with_a_failed_condition_writes_nothing(new_table: Any) -> None:
    table = await new_table()
    await table.put(an_item("CUSTOMER#ann", "PROFILE", name="Ann"))
    await table.put(an_item("COMMAND#o2", "OUTCOME", state="APPLIED"))
    await table.put(an_item("ORDER#old", "ORDER", status="PLACED"))
    before = await table.everything()

    # The outcome of o2 exists, so the last write's condition fails after the others ran.
    with pytest.raises(ClientError) as refused:
        await table.transact(
            *order_placed("o2")[:3],
            {"Delete": {"Key": {"PK": {"S": "ORDER#old"}, "SK": {"S": "ORDER"}}}},
            order_placed("o2")[3],
        )

    assert refused.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert await table.everything() == before


async def test_a_transaction_writing_one_item_twice_writes_nothing(new_table: Any) -> None:
    table = await new_table()
    await table.put(an_item("CUSTOMER#ann", "PROFILE", name="Ann"))
    before = await table.everything()

    with pytest.raises(ClientError) as refused:
        await table.transact(
            *order_placed("o1")[:3],
            {"Put": {"Item": an_item("ORDER#o1", "ORDER", status="CANCELLED")}},
        )

    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert await table.everything() == before


async def test_a_transaction_whose_conditions_hold_writes_everything(new_table: Any) -> None:
    table = await new_table()
    await table.put(an_item("CUSTOMER#ann", "PROFILE", name="Ann"))

    await table.transact(*order_placed("o1"))

    written = {(item["PK"]["S"], item["SK"]["S"]): item for item in await table.everything()}
    assert set(written) == {
        ("CUSTOMER#ann", "PROFILE"),
        ("ORDER#o1", "ORDER"),
        ("ORDER#o1", "EVENT#1"),
        ("COMMAND#o1", "OUTCOME"),
    }
    assert written[("CUSTOMER#ann", "PROFILE")]["last_order"] == {"S": "o1"}
    assert written[("CUSTOMER#ann", "PROFILE")]["name"] == {"S": "Ann"}


async def test_a_transaction_copies_as_much_on_a_large_table_as_on_a_small_one(
    new_table: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    tables = await small_and_large_tables(
        new_table,
        an_item("CUSTOMER#ann", "PROFILE", name="Ann"),
        an_item("COMMAND#taken", "OUTCOME", state="APPLIED"),
    )
    copies_made = []
    for table in tables:
        with monkeypatch.context() as patch:
            # Every object deep-copied, nested ones included (copy recurses through the global).
            deep_copies = CallCounter(patch, copy, "deepcopy")
            await table.transact(*order_placed("o1"))
            with pytest.raises(ClientError):
                await table.transact(*order_placed("taken"))
        copies_made.append(deep_copies.calls)

    assert copies_made[0] > 0  # the backup of what the transactions overwrite
    assert copies_made[1] == copies_made[0]


async def test_a_query_compares_as_many_keys_on_a_large_table_as_on_a_small_one(
    new_table: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    tables = await small_and_large_tables(
        new_table, *(an_item("ORDER#o1", sort) for sort in ("EVENT#1", "ORDER", "EVENT#2"))
    )
    comparisons = []
    for table in tables:
        with monkeypatch.context() as patch:
            equal = CallCounter(patch, DynamoType, "__eq__")
            less = CallCounter(patch, DynamoType, "__lt__")
            await table.partition("ORDER#o1")
        comparisons.append(equal.calls + less.calls)

    assert comparisons[0] > 0  # the partition's own keys, sorted and matched
    assert comparisons[1] == comparisons[0]


async def test_a_query_answers_its_partition_in_key_order_page_by_page(new_table: Any) -> None:
    table = await new_table()
    await table.fill(120, partition="OTHER")
    for sort in ("EVENT#2", "ORDER", "EVENT#1", "EVENT#3"):
        await table.put(an_item("ORDER#o1", sort))

    newest_first = await table.partition("ORDER#o1", ScanIndexForward=False)
    first_page = await table.dynamodb.query(
        TableName=table.name,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": "ORDER#o1"}},
        Limit=2,
    )
    second_page = await table.partition(
        "ORDER#o1", Limit=2, ExclusiveStartKey=first_page["LastEvaluatedKey"]
    )

    assert [item["SK"]["S"] for item in newest_first] == ["ORDER", "EVENT#3", "EVENT#2", "EVENT#1"]
    assert [item["SK"]["S"] for item in first_page["Items"] + second_page] == [
        "EVENT#1",
        "EVENT#2",
        "EVENT#3",
        "ORDER",
    ]
    assert await table.partition("ORDER#none") == []


async def test_answered_and_refused_requests_leave_no_model_objects_behind(new_table: Any) -> None:
    table = await new_table()
    await table.put(an_item("CUSTOMER#ann", "PROFILE", name="Ann"))
    await table.put(an_item("COMMAND#taken", "OUTCOME", state="APPLIED"))
    await table.fill(100)
    gc.collect()
    items_alive = len(alive(Item))
    tables_alive = len(alive(Table))

    for _ in range(10):
        await table.partition("FILLER#1")
        await table.everything()
        with pytest.raises(ClientError):
            await table.transact(*order_placed("taken"))
    gc.collect()

    assert len(alive(Item)) == items_alive
    assert len(alive(Table)) == tables_alive


async def test_the_emulator_dashboard_still_lists_the_live_tables(new_table: Any) -> None:
    table = await new_table()

    assert table.name in {tracked.name for tracked in alive(Table)}


async def test_a_request_does_not_list_the_emulator_package_again(
    new_table: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = await new_table()
    listings = CallCounter(monkeypatch, os, "listdir")

    await table.put(an_item("CUSTOMER#ann", "PROFILE"))
    await table.partition("CUSTOMER#ann")

    assert listings.calls == 0
