"""Redriving on the emulator: dead letters go back to their work queue, in their FIFO groups and
order, each once, and are then applied; a dry run and an empty dead-letter queue move nothing."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Any

import pytest

from app.aws_clients import AwsClients
from app.local import cli
from app.local.resources import create_resources
from app.operations.redrive import dead_letter_queue_url, format_redrive_report, redrive
from domain.commands import Command, CommandState, encode_command
from domain.orders import DeliveryPriority
from resolvers.command_publisher import SqsCommandPublisher
from tests.integration.conftest import (
    BUSINESS,
    REGION,
    Stack,
    cancel_command,
    identity,
    place_command,
    register_command,
)

pytestmark = pytest.mark.integration

STANDARD = DeliveryPriority.STANDARD


class ProcessDiedError(Exception):
    """The redrive's process dying between two calls."""


async def failed_until_dead(stack: Stack, command: Command) -> None:
    """Queue the command as the API does, then fail it until SQS moves it to the dead-letter
    queue (its maximum receives, as a worker that keeps failing would)."""
    sqs = await stack.clients.sqs()
    url = stack.settings.queue_urls[STANDARD]
    await SqsCommandPublisher(sqs, stack.settings.queue_urls).publish(command, STANDARD)
    dlq = await dead_letter_queue_url(sqs, url)
    for _ in range(500):
        await sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)
        if await peek(sqs, dlq):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the command never reached the dead-letter queue")


async def in_dead_letter_queue(stack: Stack, *commands: Command) -> list[dict[str, Any]]:
    """The commands in the dead-letter queue, in the order and groups SQS would have moved them
    there (put there directly: several of a group failing in turn is slow to stage)."""
    sqs = await stack.clients.sqs()
    dlq = await dead_letter_queue_url(sqs, stack.settings.queue_urls[STANDARD])
    for command in commands:
        await sqs.send_message(
            QueueUrl=dlq,
            MessageBody=encode_command(command),
            MessageGroupId=command.message_group(),
            MessageDeduplicationId=command.command_id,
        )
    return await peek(sqs, dlq)


async def peek(sqs: Any, url: str) -> list[dict[str, Any]]:
    """Every message a queue holds, in the order a consumer gets them, left in place."""
    messages: list[dict[str, Any]] = []
    handles: list[str] = []
    while True:
        received = await sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=10,
            VisibilityTimeout=30,
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        batch = received.get("Messages", [])
        if not batch:
            break
        messages += batch
        handles += [message["ReceiptHandle"] for message in batch]
    for handle in handles:
        await sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=0)
    return messages


async def outcome_state(stack: Stack, who: str, command_id: str) -> CommandState | None:
    context = await stack.context(identity(who))
    outcome = await context.reads.command_outcome(command_id)
    return None if outcome is None else outcome.state


@pytest.fixture
async def faulty_sqs(emulator_url: str) -> AsyncIterator[Any]:
    """An SQS client whose first DeleteMessage never happens: the process died before it."""
    clients = AwsClients(REGION, emulator_url)
    sqs = await clients.sqs()
    failures = iter([ProcessDiedError()])

    def die_once(**_: Any) -> None:
        failure = next(failures, None)
        if failure is not None:
            raise failure

    sqs.meta.events.register("before-call.sqs.DeleteMessage", die_once)
    yield sqs
    await clients.close()


async def test_dead_letters_go_back_to_their_queue_and_are_applied(stack: Stack) -> None:
    await stack.apply(register_command("ann"))
    placed = place_command("ann", [("TEA", 2)])
    await failed_until_dead(stack, placed)
    sqs = await stack.clients.sqs()
    url = stack.settings.queue_urls[STANDARD]

    report = await redrive(sqs, url, dry_run=False)

    assert [(letter.command_type, letter.command_id) for letter in report.letters] == [
        ("PlaceOrder", placed.command_id)
    ]
    assert await peek(sqs, report.dead_letter_queue_url) == []
    assert report.waiting_after == 0
    await stack.drain()
    assert await outcome_state(stack, "ann", placed.command_id) is CommandState.APPLIED


async def test_a_dry_run_lists_the_dead_letters_and_moves_nothing(stack: Stack) -> None:
    first, second = place_command("ann", [("TEA", 1)]), place_command("bob", [("CAKE", 1)])
    cancel = cancel_command(identity("ann").actor, first.order_id)
    before = await in_dead_letter_queue(stack, first, cancel, second)
    sqs = await stack.clients.sqs()
    url = stack.settings.queue_urls[STANDARD]

    report = await redrive(sqs, url, dry_run=True)

    assert sorted((letter.command_type, letter.order_id) for letter in report.letters) == sorted(
        [
            ("PlaceOrder", first.order_id),
            ("CancelOrder", first.order_id),
            ("PlaceOrder", second.order_id),
        ]
    )
    assert report.groups == sorted({first.message_group(), second.message_group()})
    # Still there, and visible at once: the next worker or redrive need not wait for them.
    after = await peek(sqs, report.dead_letter_queue_url)
    assert [message["MessageId"] for message in after] == [
        message["MessageId"] for message in before
    ]
    assert await peek(sqs, url) == []
    assert "dry run: nothing moved" in format_redrive_report(report)


async def test_an_empty_dead_letter_queue_is_said_plainly(stack: Stack) -> None:
    sqs = await stack.clients.sqs()

    report = await redrive(sqs, stack.settings.queue_urls[STANDARD], dry_run=False)

    assert report.letters == ()
    assert format_redrive_report(report) == (
        f"{report.dead_letter_queue_url.rsplit('/', 1)[-1]} is empty: nothing to move back to "
        f"{report.queue_url.rsplit('/', 1)[-1]}."
    )


async def test_fifo_groups_order_bodies_and_attributes_survive(stack: Stack) -> None:
    first, second = place_command("ann", [("TEA", 1)]), place_command("bob", [("CAKE", 1)])
    cancel = cancel_command(identity("ann").actor, first.order_id)
    await in_dead_letter_queue(stack, first, second, cancel)
    sqs = await stack.clients.sqs()
    url = stack.settings.queue_urls[STANDARD]
    dlq = await dead_letter_queue_url(sqs, url)
    # A letter with a message attribute, as another producer might send (the API sends none).
    third = place_command("cy", [("MUG", 1)])
    await sqs.send_message(
        QueueUrl=dlq,
        MessageBody=encode_command(third),
        MessageGroupId=third.message_group(),
        MessageDeduplicationId=third.command_id,
        MessageAttributes={"origin": {"DataType": "String", "StringValue": "import"}},
    )

    await redrive(sqs, url, dry_run=False)

    redriven = await peek(sqs, url)
    by_group: dict[str, list[str]] = {}
    for message in redriven:
        by_group.setdefault(message["Attributes"]["MessageGroupId"], []).append(message["Body"])
    assert by_group == {
        first.message_group(): [encode_command(first), encode_command(cancel)],
        second.message_group(): [encode_command(second)],
        third.message_group(): [encode_command(third)],
    }
    (imported,) = [m for m in redriven if m["Body"] == encode_command(third)]
    assert imported["MessageAttributes"]["origin"]["StringValue"] == "import"


async def test_a_redrive_cut_short_after_sending_sends_nothing_twice_when_rerun(
    stack: Stack, faulty_sqs: Any
) -> None:
    await stack.apply(register_command("ann"))
    placed = place_command("ann", [("TEA", 2)])
    await failed_until_dead(stack, placed)
    url = stack.settings.queue_urls[STANDARD]

    # Sent to the work queue, then the process dies before deleting the dead letter.
    with pytest.raises(ProcessDiedError):
        await redrive(faulty_sqs, url, dry_run=False)
    rerun = await redrive(faulty_sqs, url, dry_run=False)

    assert [letter.command_id for letter in rerun.letters] == [placed.command_id]
    sqs = await stack.clients.sqs()
    queued = await peek(sqs, url)
    assert [message["Body"] for message in queued] == [encode_command(placed)]
    assert await peek(sqs, rerun.dead_letter_queue_url) == []
    await stack.drain()
    assert await outcome_state(stack, "ann", placed.command_id) is CommandState.APPLIED


def _local_queues(emulator_url: str) -> Sequence[str]:
    """Fresh queues, made outside any test's event loop (the CLI runs its own)."""

    async def create() -> Sequence[str]:
        clients = AwsClients(REGION, emulator_url)
        try:
            settings = await create_resources(
                clients,
                prefix=f"cli{uuid.uuid4().hex[:10]}",
                region=REGION,
                endpoint_url=emulator_url,
                visibility_timeout=1,
                business=BUSINESS,
            )
            return [settings.queue_urls[STANDARD]]
        finally:
            await clients.close()

    return asyncio.run(create())


def test_the_command_line_redrives_by_queue_url(
    emulator_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (url,) = _local_queues(emulator_url)
    arguments = ["redrive", "--queue", "standard", "--endpoint-url", emulator_url]

    assert cli.main([*arguments, "--queue-url", url, "--dry-run"]) == 0

    assert "-dlq.fifo is empty: nothing to move back to" in capsys.readouterr().out


def test_a_queue_that_does_not_exist_is_one_line_and_exit_1(
    emulator_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    arguments = ["redrive", "--queue", "urgent", "--endpoint-url", emulator_url]

    assert cli.main([*arguments, "--queue-name", "no-such-queue.fifo"]) == 1

    error = capsys.readouterr().err.strip().splitlines()
    assert error == ["order-delivery: no queue named 'no-such-queue.fifo' here"]
