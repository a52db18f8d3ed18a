"""Commands that can never be written are rejected for good, never retried into the DLQ."""

from __future__ import annotations

import json
from typing import Any

import pytest

from domain.commands import CommandState, encode_command
from domain.errors import ErrorCode
from tests.integration.conftest import Stack, place_command, register_command

pytestmark = pytest.mark.integration

# Text the API now refuses, but an older API (or a bug) could have queued: a lone surrogate
# cannot be encoded for the table at all; the others are refused by the worker's decoder.
UNWRITABLE_TEXT = ["Ada\ud800", "Ada\udfff", "Ada\u202eLovelace", "Ada\u2028Lovelace"]


def _with_field(body: str, path: tuple[str, ...], value: Any) -> str:
    """A queue message as an older API would have queued it: one field set past validation."""
    envelope = json.loads(body)
    target = envelope["command"]
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return json.dumps(envelope)


def _record(message_id: str, body: str, group: str) -> dict[str, Any]:
    return {"messageId": message_id, "body": body, "attributes": {"MessageGroupId": group}}


@pytest.mark.parametrize("text", UNWRITABLE_TEXT, ids=["d800", "dfff", "rlo", "line-sep"])
async def test_an_undecodable_order_is_rejected_not_retried(stack: Stack, text: str) -> None:
    # GIVEN a queued order whose notes the worker's decoder refuses
    await stack.apply(register_command("ann"))
    placed = place_command("ann")
    body = _with_field(encode_command(placed), ("notes",), text)

    # WHEN the worker gets it
    response = await stack.worker.process(
        {"Records": [_record("m1", body, placed.message_group())]}
    )

    # THEN it is settled (not reported failed), rejected with a code its issuer can read
    assert response == {"batchItemFailures": []}
    outcome = await (await stack.context_for_staff()).reads.command_outcome(placed.command_id)
    assert outcome is not None
    assert outcome.state is CommandState.REJECTED
    assert outcome.error_code is ErrorCode.VALIDATION
    assert outcome.actor_sub == "ann"
    assert outcome.order_id == placed.order_id
    assert await (await stack.context_for_staff()).reads.order(placed.order_id) is None


async def test_a_redelivered_undecodable_command_keeps_its_first_rejection(stack: Stack) -> None:
    registered = register_command("bob")
    body = _with_field(encode_command(registered), ("name",), "Bob\ud800")
    record = _record("m1", body, registered.message_group())

    await stack.worker.process({"Records": [record]})
    first = await (await stack.context_for_staff()).reads.command_outcome(registered.command_id)
    response = await stack.worker.process({"Records": [record]})
    second = await (await stack.context_for_staff()).reads.command_outcome(registered.command_id)

    assert response == {"batchItemFailures": []}
    assert first is not None
    assert first.state is CommandState.REJECTED
    assert second == first


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("command_id",), "not-a-command-id"),
        (("actor", "sub"), "someone-else"),
        (("actor", "sub"), "ann\ud800"),
        (("actor",), None),
    ],
    ids=["malformed-id", "id-of-another-issuer", "unencodable-issuer", "no-issuer"],
)
async def test_a_message_that_does_not_say_whose_it_is_still_fails(
    stack: Stack, path: tuple[str, ...], value: Any
) -> None:
    placed = place_command("ann")
    body = _with_field(encode_command(placed), ("notes",), "Ada\ud800")
    body = _with_field(body, path, value)

    response = await stack.worker.process(
        {"Records": [_record("m1", body, placed.message_group())]}
    )

    # Nothing can be recorded for it: the queue retries it and then dead-letters it.
    assert response == {"batchItemFailures": [{"itemIdentifier": "m1"}]}


@pytest.mark.parametrize(
    "value", [{"schema": 2}, {"type": "ChangeEmail"}], ids=["newer-schema", "unknown-type"]
)
async def test_a_message_of_a_newer_api_is_retried_not_rejected(
    stack: Stack, value: dict[str, Any]
) -> None:
    # A newer API mid-deploy may queue what this worker does not know yet: it must survive
    # (retried, then parked in the dead-letter queue for a redrive), not be rejected for good.
    placed = place_command("ann")
    body = json.dumps(json.loads(encode_command(placed)) | value)

    response = await stack.worker.process(
        {"Records": [_record("m1", body, placed.message_group())]}
    )

    assert response == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    assert await (await stack.context_for_staff()).reads.command_outcome(placed.command_id) is None


@pytest.mark.parametrize("text", ["Ann\ud800", "Ann\udbff\udbff"], ids=["lone", "two-highs"])
async def test_a_decoded_command_the_table_would_refuse_is_rejected(
    stack: Stack, text: str
) -> None:
    # GIVEN a command that passed the decoder, but whose text no table can store
    registered = register_command("ann")
    object.__setattr__(registered, "name", text)

    # WHEN it is applied
    outcome = await stack.apply(registered)

    # THEN it is rejected with a code, and nothing else was written (or even sent)
    assert outcome.state is CommandState.REJECTED
    assert outcome.error_code is ErrorCode.VALIDATION
    context = await stack.context_for_staff()
    assert await context.reads.command_outcome(registered.command_id) == outcome
    assert await context.customers.load("ann") is None
