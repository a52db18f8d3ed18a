"""Batches from SQS: partial failures, FIFO order within a group, the dead-letter queue."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from domain.commands import CommandState, encode_command
from domain.orders import DeliveryPriority
from tests.integration.conftest import Stack, place_command, register_command

pytestmark = pytest.mark.integration


def _record(message_id: str, body: str, group: str) -> dict[str, Any]:
    return {"messageId": message_id, "body": body, "attributes": {"MessageGroupId": group}}


async def test_a_poison_message_alone_is_reported_failed_and_the_rest_apply(stack: Stack) -> None:
    await stack.apply(register_command("ann"))
    orders = [place_command("ann", [("TEA", index + 1)]) for index in range(9)]
    records = [
        _record(f"m{index}", encode_command(command), command.message_group())
        for index, command in enumerate(orders)
    ]
    records.insert(4, _record("poison", '{"schema": 1, "type": "LaunchRocket"}', "g-poison"))

    response = await stack.worker.process({"Records": records})

    assert response == {"batchItemFailures": [{"itemIdentifier": "poison"}]}
    reads = (await stack.context_for_staff()).reads
    for command in orders:
        outcome = await reads.command_outcome(command.command_id)
        assert outcome is not None
        assert outcome.state is CommandState.APPLIED


async def test_after_a_failure_the_rest_of_its_group_waits(stack: Stack) -> None:
    await stack.apply(register_command("ann"))
    placed = place_command("ann")
    records = [
        _record("broken", "not json", placed.message_group()),
        _record("later", encode_command(placed), placed.message_group()),
    ]

    response = await stack.worker.process({"Records": records})

    assert [failure["itemIdentifier"] for failure in response["batchItemFailures"]] == [
        "broken",
        "later",
    ]
    context = await stack.context_for_staff()
    assert await context.reads.order(placed.order_id) is None


async def test_a_transient_failure_is_retried_by_the_queue_and_applied_once(stack: Stack) -> None:
    await stack.apply(register_command("ann"))
    placed = place_command("ann")
    sqs, dynamodb = await stack.clients.sqs(), await stack.clients.dynamodb()
    queue_url = stack.settings.queue_urls[DeliveryPriority.STANDARD]
    throttled: list[str] = []

    def throttle_first_write(**_: Any) -> None:
        if not throttled:
            throttled.append("TransactWriteItems")
            raise ClientError(
                {"Error": {"Code": "ThrottlingException", "Message": "injected"}},
                "TransactWriteItems",
            )

    dynamodb.meta.events.register("before-call.dynamodb.TransactWriteItems", throttle_first_write)
    await sqs.send_message(
        QueueUrl=queue_url,
        MessageBody=encode_command(placed),
        MessageGroupId=placed.message_group(),
        MessageDeduplicationId=placed.command_id,
    )
    reads = (await stack.context_for_staff()).reads

    async def recorded() -> bool:
        return await reads.command_outcome(placed.command_id) is not None

    try:
        await stack.run_worker_until(recorded, what="the throttled command's retry")
    finally:
        dynamodb.meta.events.unregister(
            "before-call.dynamodb.TransactWriteItems", throttle_first_write
        )

    assert throttled == ["TransactWriteItems"]
    details = await reads.order_details(placed.order_id)
    assert details is not None
    assert len(details.transactions) == 1


async def test_a_message_that_keeps_failing_ends_in_the_dead_letter_queue(stack: Stack) -> None:
    sqs = await stack.clients.sqs()
    queue_url = stack.settings.queue_urls[DeliveryPriority.STANDARD]
    await sqs.send_message(
        QueueUrl=queue_url,
        MessageBody="this is not a command",
        MessageGroupId="g1",
        MessageDeduplicationId="poison-1",
    )
    attributes = await sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])
    redrive = json.loads(attributes["Attributes"]["RedrivePolicy"])
    dlq_name = redrive["deadLetterTargetArn"].rsplit(":", 1)[1]
    dlq_url = (await sqs.get_queue_url(QueueName=dlq_name))["QueueUrl"]
    in_dlq: list[Any] = []

    async def dead_lettered() -> bool:
        in_dlq.extend(
            (await sqs.receive_message(QueueUrl=dlq_url, WaitTimeSeconds=0)).get("Messages", [])
        )
        return bool(in_dlq)

    await stack.run_worker_until(dead_lettered, what="the poison message reaching the DLQ")

    assert [message["Body"] for message in in_dlq] == ["this is not a command"]
    assert int(redrive["maxReceiveCount"]) >= 2
