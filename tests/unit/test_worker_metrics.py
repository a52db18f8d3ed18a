"""What the worker counts, where it decides it, on fakes: each fact once, a repeat nothing."""

from __future__ import annotations

import json

from domain.commands import encode_command
from domain.errors import ErrorCode
from domain.orders import DeliveryPriority
from tests.factories import (
    CUSTOMER_SUB,
    a_business,
    a_cancel_order_command,
    a_catalogue,
    a_place_order_command,
    a_profile,
)
from tests.fakes import FakeCommandStore, FakeMailer, FakeMetrics, FakeReceiptStore
from workers.command_handlers import CommandHandlers
from workers.order_effects import OrderEffects
from workers.sqs_batch import process_sqs_batch


def counted_worker() -> tuple[CommandHandlers, FakeCommandStore, FakeMetrics, FakeReceiptStore]:
    store = FakeCommandStore(catalogue=a_catalogue())
    store.profiles[CUSTOMER_SUB] = a_profile()
    metrics, receipts = FakeMetrics(), FakeReceiptStore()
    effects = OrderEffects(store, receipts, FakeMailer(), a_business(), metrics)
    return CommandHandlers(store, effects, metrics), store, metrics, receipts


async def test_a_placement_counts_its_order_by_priority_and_its_latency_to_the_record() -> None:
    handlers, store, metrics, _ = counted_worker()
    command = a_place_order_command(priority=DeliveryPriority.URGENT)

    await handlers.handle(command)

    assert metrics.counted == [("OrdersPlaced", "URGENT"), ("CommandsApplied", "PlaceOrder")]
    assert metrics.latencies == [store.outcomes[command.command_id].recorded_at - command.issued_at]


async def test_a_repeat_delivery_counts_nothing() -> None:
    handlers, _, metrics, _ = counted_worker()
    command = a_place_order_command()
    await handlers.handle(command)
    metrics.counted.clear()

    await handlers.handle(command)

    assert metrics.counted == []


async def test_a_rejection_is_counted_by_its_code_and_its_repeat_is_not() -> None:
    handlers, _, metrics, _ = counted_worker()
    missing = a_cancel_order_command()

    await handlers.handle(missing)
    await handlers.handle(missing)

    assert metrics.counted == [("CommandsRejected", ErrorCode.NOT_FOUND)]


async def test_a_message_that_breaks_the_rules_is_counted_rejected_once() -> None:
    handlers, _, metrics, _ = counted_worker()
    command = a_place_order_command()
    envelope = json.loads(encode_command(command))
    envelope["command"]["items"] = []  # no items: a PlaceOrder never valid
    record = {"messageId": "m1", "body": json.dumps(envelope), "attributes": {}}

    await process_sqs_batch({"Records": [record, record | {"messageId": "m2"}]}, handlers)

    assert metrics.counted == [("CommandsRejected", ErrorCode.VALIDATION)]


async def test_a_failing_receipt_is_counted_each_time_it_fails_and_the_order_once() -> None:
    handlers, _, metrics, receipts = counted_worker()
    receipts.failures = 1
    command = a_place_order_command()
    record = {"messageId": "m1", "body": encode_command(command), "attributes": {}}

    failed = await process_sqs_batch({"Records": [record]}, handlers)
    retried = await process_sqs_batch({"Records": [record]}, handlers)

    assert failed == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    assert retried == {"batchItemFailures": []}
    assert metrics.counted == [
        ("OrdersPlaced", "STANDARD"),
        ("CommandsApplied", "PlaceOrder"),
        ("EffectFailures", "RECEIPT"),
    ]
