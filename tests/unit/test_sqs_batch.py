"""The SQS batch processor: partial failures, FIFO order within a group, on fakes."""

from __future__ import annotations

import json
from typing import Any

from domain.commands import (
    Command,
    CommandOutcome,
    CommandReference,
    CommandState,
    encode_command,
)
from tests.factories import (
    a_business,
    a_cancel_order_command,
    a_catalogue,
    a_command_outcome,
    a_customer,
    a_place_order_command,
    a_profile,
)
from tests.fakes import FakeCommandStore, FakeMailer, FakeReceiptStore
from workers.command_handlers import CommandHandlers
from workers.order_effects import OrderEffects
from workers.sqs_batch import process_sqs_batch


class RecordingHandlers:
    """Applies nothing: remembers what it was handed, and fails the commands it is told to."""

    def __init__(self, failing: set[str] | None = None) -> None:
        self.handled: list[str] = []
        self.rejected: list[CommandReference] = []
        self._failing = failing or set()

    async def handle(self, command: Command) -> CommandOutcome:
        self.handled.append(command.command_id)
        if command.command_id in self._failing:
            raise ConnectionError("the table is unreachable")
        return a_command_outcome(command_id=command.command_id)

    async def reject_undecodable(self, reference: CommandReference, reason: str) -> CommandOutcome:
        self.rejected.append(reference)
        return a_command_outcome(command_id=reference.command_id, state=CommandState.REJECTED)


def record(message_id: str, body: str, group: str | None) -> dict[str, Any]:
    attributes = {} if group is None else {"MessageGroupId": group}
    return {"messageId": message_id, "body": body, "attributes": attributes}


def batch(*records: dict[str, Any]) -> dict[str, Any]:
    return {"Records": list(records)}


async def test_a_batch_that_all_applies_reports_no_failure() -> None:
    first, second = a_place_order_command(), a_place_order_command()
    handlers = RecordingHandlers()

    response = await process_sqs_batch(
        batch(
            record("m1", encode_command(first), first.order_id),
            record("m2", encode_command(second), second.order_id),
        ),
        handlers,
    )

    assert response == {"batchItemFailures": []}
    assert sorted(handlers.handled) == sorted([first.command_id, second.command_id])


async def test_a_failure_holds_back_its_group_s_later_messages_and_no_other_group() -> None:
    placed = a_place_order_command()
    cancelled = a_cancel_order_command(order_id=placed.order_id)
    elsewhere = a_place_order_command()
    handlers = RecordingHandlers(failing={placed.command_id})

    response = await process_sqs_batch(
        batch(
            record("m1", encode_command(placed), placed.order_id),
            record("m2", encode_command(cancelled), placed.order_id),
            record("m3", encode_command(elsewhere), elsewhere.order_id),
        ),
        handlers,
    )

    # The cancellation is not tried before its placement: both come back, in order.
    assert response == {"batchItemFailures": [{"itemIdentifier": "m1"}, {"itemIdentifier": "m2"}]}
    assert cancelled.command_id not in handlers.handled
    assert elsewhere.command_id in handlers.handled


async def test_a_group_s_messages_are_handled_in_their_order() -> None:
    placed = a_place_order_command()
    cancelled = a_cancel_order_command(order_id=placed.order_id)
    handlers = RecordingHandlers()

    await process_sqs_batch(
        batch(
            record("m1", encode_command(placed), placed.order_id),
            record("m2", encode_command(cancelled), placed.order_id),
        ),
        handlers,
    )

    assert handlers.handled == [placed.command_id, cancelled.command_id]


async def test_a_command_breaking_the_rules_is_rejected_under_its_id_not_retried() -> None:
    command = a_place_order_command()
    envelope = json.loads(encode_command(command))
    envelope["command"]["items"] = []  # no items: a PlaceOrder never valid
    handlers = RecordingHandlers()

    response = await process_sqs_batch(
        batch(record("m1", json.dumps(envelope), command.order_id)), handlers
    )

    assert response == {"batchItemFailures": []}
    assert [reference.command_id for reference in handlers.rejected] == [command.command_id]
    assert handlers.handled == []


async def test_a_message_that_says_nothing_of_whose_it_is_goes_back_to_the_queue() -> None:
    handlers = RecordingHandlers()

    response = await process_sqs_batch(batch(record("m1", "not json", None)), handlers)

    assert response == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    assert handlers.rejected == []


async def test_a_batch_of_placements_applies_each_once_through_the_real_handlers() -> None:
    store = FakeCommandStore(catalogue=a_catalogue())
    mailer = FakeMailer()
    handlers = CommandHandlers(store, OrderEffects(store, FakeReceiptStore(), mailer, a_business()))
    commands = []
    for sub in ("ann", "ben", "cleo"):
        store.profiles[sub] = a_profile(id=sub, email=f"{sub}@example.com")
        commands.append(a_place_order_command(actor=a_customer(sub)))
    records = [
        record(f"m{index}", encode_command(command), command.order_id)
        for index, command in enumerate(commands)
    ]

    first = await process_sqs_batch(batch(*records), handlers)
    redelivered = await process_sqs_batch(batch(*records), handlers)

    assert first == redelivered == {"batchItemFailures": []}
    assert len(store.orders) == 3
    assert len(mailer.sent) == 6  # two per order, none twice
