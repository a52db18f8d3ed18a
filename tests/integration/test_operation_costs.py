"""The calls `order-delivery cost` prices are the calls the code makes: each operation of a shop
is performed on the emulator (GraphQL requests through the schema, commands through the worker's
SQS batch handler), what it sends is counted, and app/operations/prices.py must say the same."""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import pytest

from app.operations.prices import OPERATION_CALLS, AwsCalls, OperationCalls, ShopOperation
from benchmarks.worker_calls import Counting, item_bytes
from domain.orders import DeliveryPriority
from domain.resources import TABLE
from schema.graphql_schema import build_schema
from tests.integration.conftest import Stack, identity, register_command

pytestmark = pytest.mark.integration

SCHEMA = build_schema()
# What the web app asks (web/src/orders/orderDocuments.ts, web/src/commands/commandDocuments.ts).
ORDER_FIELDS = """
fragment OrderFields on Order {
  id status priority version createdAt updatedAt estimatedDelivery canModify canCancel notes
  items { sku name quantity unitPrice { amount currency display } lineTotal { display } }
  deliveryAddress { line1 line2 city postalCode country }
  subtotal { display } deliveryFee { display } total { display } balance { display }
  receipt { url version issuedAt }
  transactions { id kind createdAt note amount { display } }
  history { at kind detail version }
}"""
PLACE = """
mutation($input: PlaceOrderInput!) {
  placeOrder(input: $input) { __typename ... on CommandAccepted { commandId orderId } }
}"""
DISPATCH = """
mutation($id: ID!) {
  dispatchOrder(input: {orderId: $id}) { __typename ... on CommandAccepted { commandId } }
}"""
COMPLETE = """
mutation($id: ID!) {
  completeDelivery(input: {orderId: $id}) { __typename ... on CommandAccepted { commandId } }
}"""
COMMAND = (
    "query($id: ID!) { command(id: $id) { id state orderId recordedAt error { code message }"
    " order { ...OrderFields } } }" + ORDER_FIELDS
)
ORDER = "query($id: ID!) { order(id: $id) { ...OrderFields } }" + ORDER_FIELDS
# Where the application's log lines come from; the SDKs' are kept to warnings in production.
OUR_PACKAGES = {"app", "domain", "storage", "schema", "resolvers", "workers"}


def _units(item: Mapping[str, Any], unit_bytes: int) -> int:
    return max(1, math.ceil(item_bytes(item) / unit_bytes))


def _written_items(operation: str, params: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    if operation == "PutItem":
        return [params["Item"]]
    if operation == "TransactWriteItems":
        return [write["Put"]["Item"] for write in params["TransactItems"] if "Put" in write]
    if operation == "BatchWriteItem":
        return [
            request["PutRequest"]["Item"]
            for requests in params["RequestItems"].values()
            for request in requests
            if "PutRequest" in request
        ]
    return []


class Tally:
    """Counts what the hooked clients send, step by step: the calls and table write units by
    benchmarks/worker_calls.py's Counting, and here the rest a bill depends on (read units,
    index writes, email recipients, log lines)."""

    def __init__(self, caplog: pytest.LogCaptureFixture) -> None:
        self._counting = Counting()
        self._caplog = caplog
        self._read_units = Decimal(0)
        self._index_write_units = 0
        self._recipients = 0
        self.presigned: Counter[str] = Counter()
        # Each written item's entry in each index: its keys and write units, to price a move.
        self._index_entries: dict[tuple[str, str], tuple[tuple[str, str], int]] = {}

    def hook(self, clients: Iterable[Any]) -> None:
        for client in clients:
            self._counting.hook(client)
            client.meta.events.register("before-parameter-build.*.*", self._before)
            client.meta.events.register("after-call.dynamodb.*", self._after_read)

    def take(self) -> AwsCalls:
        step = self._counting.take()
        # A presigned URL is signed here, not sent; botocore builds its parameters like a call's.
        calls = Counter(step.calls)
        calls.subtract(self.presigned)
        lines = [
            record
            for record in self._caplog.records
            if record.name.split(".")[0] in OUR_PACKAGES and record.levelno >= logging.INFO
        ]
        taken = AwsCalls(
            calls={name: count for name, count in calls.items() if count},
            write_units=step.write_units,
            index_write_units=self._index_write_units,
            read_units=self._read_units,
            email_recipients=self._recipients,
            log_lines=len(lines),
        )
        self._caplog.clear()
        self._read_units, self._index_write_units, self._recipients = Decimal(0), 0, 0
        self.presigned = Counter()
        return taken

    def _before(self, model: Any, params: Mapping[str, Any], context: Any, **_: Any) -> None:
        if context.get("is_presign_request"):
            self.presigned[model.name] += 1
            return
        context["tallied_params"] = params
        if model.name == "SendEmail":
            destination = params.get("Destination", {})
            self._recipients += sum(
                len(destination.get(kind, []))
                for kind in ("ToAddresses", "CcAddresses", "BccAddresses")
            )
        for item in _written_items(model.name, params):
            self._index_write(item)

    def _index_write(self, item: Mapping[str, Any]) -> None:
        key = f"{item[TABLE.partition_key]}|{item[TABLE.sort_key]}"
        for index in TABLE.indexes:
            entry = (str(item.get(index.partition_key)), str(item.get(index.sort_key)))
            present = index.partition_key in item and index.sort_key in item
            previous = self._index_entries.get((key, index.name))
            if previous is not None and (not present or previous[0] != entry):
                self._index_write_units += previous[1]  # the old entry is deleted
            if present:
                units = _units(item, 1024)
                self._index_write_units += units
                self._index_entries[(key, index.name)] = (entry, units)

    def _after_read(self, model: Any, parsed: Mapping[str, Any], context: Any, **_: Any) -> None:
        params = context.get("tallied_params", {})
        if model.name == "GetItem":
            units = _units(parsed["Item"], 4096) if "Item" in parsed else 1
            self._read(units, params.get("ConsistentRead", False))
        elif model.name == "BatchGetItem":
            for table, request in params["RequestItems"].items():
                found = parsed.get("Responses", {}).get(table, [])
                missing = len(request["Keys"]) - len(found)
                units = sum(_units(item, 4096) for item in found) + missing
                self._read(units, request.get("ConsistentRead", False))
        elif model.name in ("Query", "Scan"):
            size = sum(item_bytes(item) for item in parsed.get("Items", []))
            self._read(max(1, math.ceil(size / 4096)), params.get("ConsistentRead", False))

    def _read(self, units: int, consistent: bool) -> None:
        self._read_units += Decimal(units) if consistent else Decimal(units) / 2


async def _graphql(stack: Stack, who: Any, document: str, **variables: Any) -> Any:
    result = await SCHEMA.execute(
        document, variable_values=variables, context_value=await stack.context(who)
    )
    assert result.errors is None, result.errors
    return result.data


async def _deliver(stack: Stack, tally: Tally, priority: DeliveryPriority) -> AwsCalls:
    """The one queued command through the worker's batch handler, as Lambda would hand it on;
    the poller's receive and delete are priced by assumption (POLLER_REQUESTS_PER_MESSAGE)."""
    sqs = await stack.clients.sqs()
    url = stack.settings.queue_urls[priority]
    received = await sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"]
    )
    (message,) = received["Messages"]
    tally.take()
    event = {
        "Records": [
            {
                "messageId": message["MessageId"],
                "body": message["Body"],
                "attributes": message.get("Attributes", {}),
            }
        ]
    }
    result = await stack.worker.process(event)
    calls = tally.take()
    assert result == {"batchItemFailures": []}
    await sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    tally.take()
    return calls


async def measure_operations(
    stack: Stack, caplog: pytest.LogCaptureFixture
) -> dict[ShopOperation, OperationCalls]:
    customer, staff = identity("cost-ann"), identity("cost-staff", staff=True)
    await stack.apply(register_command(customer.sub))
    caplog.set_level(logging.INFO)
    tally = Tally(caplog)
    clients = stack.clients
    tally.hook(
        [await clients.dynamodb(), await clients.sqs(), await clients.s3(), await clients.sesv2()]
    )
    tally.take()
    standard = DeliveryPriority.STANDARD
    lines = [{"sku": "TEA", "quantity": 2}, {"sku": "CAKE", "quantity": 1}]

    placed = (await _graphql(stack, customer, PLACE, input={"items": lines}))["placeOrder"]
    place_api = tally.take()
    poll = await _graphql(stack, customer, COMMAND, id=placed["commandId"])
    assert poll["command"]["state"] == "PENDING"
    poll_api = tally.take()
    place_worker = await _deliver(stack, tally, standard)

    order_id = placed["orderId"]
    dispatched = await _graphql(stack, staff, DISPATCH, id=order_id)
    assert dispatched["dispatchOrder"]["__typename"] == "CommandAccepted"
    dispatch_api = tally.take()
    dispatch_worker = await _deliver(stack, tally, standard)
    completed = await _graphql(stack, staff, COMPLETE, id=order_id)
    assert completed["completeDelivery"]["__typename"] == "CommandAccepted"
    complete_api = tally.take()
    complete_worker = await _deliver(stack, tally, standard)

    read = await _graphql(stack, customer, ORDER, id=order_id)
    assert read["order"]["status"] == "DELIVERED"
    presigned = tally.presigned
    read_api = tally.take()
    # The receipt's link is a presigned GET: each download is one S3 GET from the browser.
    assert presigned == Counter(GetObject=1)

    return {
        ShopOperation.PLACE: OperationCalls(api=place_api, worker=place_worker),
        ShopOperation.READ: OperationCalls(api=read_api),
        ShopOperation.POLL: OperationCalls(api=poll_api),
        ShopOperation.DISPATCH: OperationCalls(api=dispatch_api, worker=dispatch_worker),
        ShopOperation.COMPLETE: OperationCalls(api=complete_api, worker=complete_worker),
        ShopOperation.DOWNLOAD_RECEIPT: OperationCalls(s3_gets=1),
    }


async def test_the_cost_tables_calls_are_what_each_operation_sends(
    stack: Stack, caplog: pytest.LogCaptureFixture
) -> None:
    measured = await measure_operations(stack, caplog)

    for operation, calls in measured.items():
        assert calls == OPERATION_CALLS[operation], operation
    assert measured.keys() == OPERATION_CALLS.keys()
