"""The table client, on a recording stand-in for DynamoDB: the requests it sends, its paging,
its batching and how it reports a failed condition; and its reads' answers parsed as JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, cast

import botocore.parsers
import botocore.session
import pytest
from botocore.exceptions import ClientError

from storage import keys
from storage import table as table_module
from storage.codec import MAX_ITEM_BYTES, UnstorableItemError, marshal_item
from storage.table import (
    ITEM_IS_NEW,
    Query,
    Table,
    TransactionCanceledError,
    ref,
)

TABLE_NAME = "t-orders"
Answer = dict[str, Any] | ClientError


class RecordingDynamoDB:
    """Answers each call with the next answer scripted for its operation, recording the call."""

    def __init__(self, **answers: list[Answer]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __getattr__(self, operation: str) -> Callable[..., Any]:
        async def call(**params: Any) -> dict[str, Any]:
            self.calls.append((operation, params))
            answer = self.answers[operation].pop(0)
            if isinstance(answer, ClientError):
                raise answer
            return answer

        return call


def a_table(client: RecordingDynamoDB) -> Table:
    return Table(cast("Any", client), TABLE_NAME)


def refusal(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "refused"}}, "Operation")


def stored(**attributes: Any) -> dict[str, Any]:
    return marshal_item(attributes)


async def test_a_get_reads_one_item_back_as_plain_values() -> None:
    dynamodb = RecordingDynamoDB(get_item=[{"Item": stored(PK="P", SK="S", version=3)}])

    item = await a_table(dynamodb).get({"PK": "P", "SK": "S"}, consistent=True)

    assert item == {"PK": "P", "SK": "S", "version": 3}
    assert dynamodb.calls == [
        (
            "get_item",
            {
                "TableName": TABLE_NAME,
                "Key": {"PK": {"S": "P"}, "SK": {"S": "S"}},
                "ConsistentRead": True,
            },
        )
    ]


async def test_a_get_decodes_what_it_found_and_answers_none_for_a_missing_key() -> None:
    dynamodb = RecordingDynamoDB(get_item=[{"Item": stored(PK="P", SK="S")}, {}])
    table = a_table(dynamodb)

    assert await table.get({"PK": "P", "SK": "S"}, lambda item: item["PK"], consistent=True) == (
        "P"
    )
    assert await table.get({"PK": "Q", "SK": "S"}, lambda item: item["PK"], consistent=True) is None


async def test_a_query_names_its_attributes_through_expression_attribute_names() -> None:
    dynamodb = RecordingDynamoDB(query=[{"Items": []}])
    query = Query(
        f"{ref(keys.GSI2_PK)} = :pk",
        {":pk": "CATALOG", ":active": True},
        index=keys.GSI2,
        filter=f"{ref(keys.ACTIVE)} = :active",
        descending=True,
    )

    await a_table(dynamodb).query_page(query, limit=5)

    assert dynamodb.calls == [
        (
            "query",
            {
                "TableName": TABLE_NAME,
                "IndexName": "GSI2",
                "KeyConditionExpression": "#GSI2PK = :pk",
                "FilterExpression": "#active = :active",
                "ExpressionAttributeNames": {"#GSI2PK": "GSI2PK", "#active": "active"},
                "ExpressionAttributeValues": {":pk": {"S": "CATALOG"}, ":active": {"BOOL": True}},
                "ScanIndexForward": False,
                "Limit": 5,
            },
        )
    ]


async def test_a_query_reads_every_page_from_where_the_last_one_stopped() -> None:
    dynamodb = RecordingDynamoDB(
        query=[
            {"Items": [stored(PK="P", SK="1")], "LastEvaluatedKey": stored(PK="P", SK="1")},
            {"Items": [stored(PK="P", SK="2")]},
        ]
    )
    query = Query(f"{ref(keys.PK)} = :pk", {":pk": "P"}, consistent=True)

    items = await a_table(dynamodb).query(query)

    assert [item["SK"] for item in items] == ["1", "2"]
    first, second = (params for _, params in dynamodb.calls)
    assert "ExclusiveStartKey" not in first
    assert second["ExclusiveStartKey"] == stored(PK="P", SK="1")
    assert first["ConsistentRead"] is second["ConsistentRead"] is True


async def test_one_page_says_where_the_next_would_start() -> None:
    dynamodb = RecordingDynamoDB(
        query=[{"Items": [], "LastEvaluatedKey": stored(PK="P", SK="9", GSI2SK="x")}]
    )

    page = await a_table(dynamodb).query_page(Query(f"{ref(keys.PK)} = :pk", {":pk": "P"}))

    assert page.items == []
    assert page.last_key == {"PK": "P", "SK": "9", "GSI2SK": "x"}


async def test_a_batch_get_asks_for_at_most_100_keys_at_once_and_again_for_unprocessed_ones() -> (
    None
):
    wanted = [{"PK": f"P{index}", "SK": "S"} for index in range(150)]
    left_over = {TABLE_NAME: {"Keys": [marshal_item(wanted[0])], "ConsistentRead": True}}
    dynamodb = RecordingDynamoDB(
        batch_get_item=[
            {"Responses": {TABLE_NAME: [stored(PK="P1", SK="S")]}, "UnprocessedKeys": left_over},
            {"Responses": {TABLE_NAME: [stored(PK="P0", SK="S")]}},
            {"Responses": {TABLE_NAME: [stored(PK="P149", SK="S")]}},
        ]
    )

    found = await a_table(dynamodb).batch_get(wanted, consistent=True)

    assert sorted(item["PK"] for item in found) == ["P0", "P1", "P149"]
    requests = [params["RequestItems"][TABLE_NAME] for _, params in dynamodb.calls]
    assert [len(request["Keys"]) for request in requests] == [100, 1, 50]
    assert all(request["ConsistentRead"] is True for request in requests)


async def test_a_batch_put_sends_at_most_25_items_at_once_and_answers_the_unprocessed() -> None:
    items = [{"PK": f"P{index}", "SK": "S", "n": index} for index in range(30)]
    throttled = {TABLE_NAME: [{"PutRequest": {"Item": marshal_item(items[3])}}]}
    dynamodb = RecordingDynamoDB(batch_write_item=[{"UnprocessedItems": throttled}, {}])

    unprocessed = await a_table(dynamodb).batch_put(items)

    assert unprocessed == [items[3]]
    requests = [params["RequestItems"][TABLE_NAME] for _, params in dynamodb.calls]
    assert [len(request) for request in requests] == [25, 5]
    assert requests[0][0] == {"PutRequest": {"Item": stored(PK="P0", SK="S", n=0)}}


async def test_an_eventually_consistent_batch_get_sends_no_consistency_flag() -> None:
    dynamodb = RecordingDynamoDB(batch_get_item=[{"Responses": {}}])

    assert await a_table(dynamodb).batch_get([{"PK": "P", "SK": "S"}], consistent=False) == []
    ((_, params),) = dynamodb.calls
    assert params["RequestItems"] == {TABLE_NAME: {"Keys": [stored(PK="P", SK="S")]}}


async def test_other_refusals_pass_through_unchanged() -> None:
    dynamodb = RecordingDynamoDB(transact_write_items=[refusal("ThrottlingException")])
    table = a_table(dynamodb)

    with pytest.raises(ClientError):
        await table.transact([table.put_entry({"PK": "P", "SK": "S"})])


async def test_a_transaction_sends_its_puts_and_reports_a_cancellation_by_type() -> None:
    dynamodb = RecordingDynamoDB(transact_write_items=[{}, refusal("TransactionCanceledException")])
    table = a_table(dynamodb)
    entries = [
        table.put_entry({"PK": "P", "SK": "A"}, ITEM_IS_NEW),
        table.put_entry({"PK": "P", "SK": "B"}),
    ]

    await table.transact(entries)
    with pytest.raises(TransactionCanceledError):
        await table.transact(entries)

    _, params = dynamodb.calls[0]
    assert params["TransactItems"] == [
        {
            "Put": {
                "TableName": TABLE_NAME,
                "Item": stored(PK="P", SK="A"),
                "ConditionExpression": "attribute_not_exists(#PK)",
                "ExpressionAttributeNames": {"#PK": "PK"},
            }
        },
        {"Put": {"TableName": TABLE_NAME, "Item": stored(PK="P", SK="B")}},
    ]


async def test_an_item_dynamodb_would_refuse_is_never_sent() -> None:
    dynamodb = RecordingDynamoDB()
    table = a_table(dynamodb)
    too_large = {"PK": "P", "SK": "S", "notes": "x" * MAX_ITEM_BYTES}

    with pytest.raises(UnstorableItemError):
        table.put_entry(too_large)
    with pytest.raises(UnstorableItemError):
        await table.batch_put([{"PK": "P", "SK": "small"}, too_large])
    assert dynamodb.calls == []


ITEM = {
    "PK": {"S": "ORDER#1"},
    "version": {"N": "3"},
    "active": {"BOOL": True},
    "gone": {"NULL": True},
    "lines": {"L": [{"M": {"sku": {"S": "TEA"}, "quantity": {"N": "2"}}}]},
    "address": {"M": {"city": {"S": "Leeds"}, "line2": {"NULL": True}}},
}
ANSWERS = {
    "GetItem": {"Item": ITEM},
    "Query": {"Items": [ITEM, ITEM], "Count": 2, "ScannedCount": 2, "LastEvaluatedKey": ITEM},
    "BatchGetItem": {"Responses": {TABLE_NAME: [ITEM]}, "UnprocessedKeys": {}},
}


def parsed(operation: str, status: int, body: bytes, *, as_json: bool) -> dict[str, Any]:
    """An answer as a DynamoDB client hands it over, parsed by botocore, with or without the
    before-parse hook that parse_item_reads_as_json registers."""
    model = botocore.session.get_session().get_service_model("dynamodb")
    operation_model = model.operation_model(operation)
    response = {"status_code": status, "headers": {}, "body": body}
    customized: dict[str, Any] = {}
    if as_json:
        table_module._answer_as_json(response_dict=response, customized_response_dict=customized)
        # A successful answer is the hook's alone: botocore is left nothing to parse.
        assert (response["body"] == b"") is (status < 300)
    answer = botocore.parsers.create_parser("json").parse(response, operation_model.output_shape)
    answer.update(customized)
    answer.pop("ResponseMetadata", None)
    return answer


@pytest.mark.parametrize("operation", table_module.ITEM_READS)
def test_item_reads_parsed_as_json_are_what_botocore_would_hand_over(operation: str) -> None:
    body = json.dumps(ANSWERS[operation]).encode()

    assert parsed(operation, 200, body, as_json=True) == parsed(operation, 200, body, as_json=False)


def test_an_error_answer_is_left_to_botocore() -> None:
    body = json.dumps(
        {"__type": "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException", "message": "no"}
    ).encode()

    answer = parsed("GetItem", 400, body, as_json=True)

    assert answer == parsed("GetItem", 400, body, as_json=False)
    assert answer["Error"]["Code"] == "ResourceNotFoundException"


def test_a_damaged_answer_is_left_to_botocore_and_its_checksum_retry() -> None:
    response = {"status_code": 200, "headers": {}, "body": b'{"Item": {"PK": '}
    customized: dict[str, Any] = {}

    table_module._answer_as_json(response_dict=response, customized_response_dict=customized)

    assert response["body"] == b'{"Item": {"PK": '
    assert customized == {}
