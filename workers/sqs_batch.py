"""SQS batch processing with partial failures, keeping FIFO order within each message group.

Why not Powertools' SqsFifoPartialProcessor: with `skip_group_on_error=True` it fails the same
messages as this (a failed message and its group's later ones, other groups carrying on), but it
runs every record in turn, through a synchronous record handler (it has no async processing:
`_async_process_record` raises NotImplementedError). Our handlers are coroutines on one event
loop, and a batch of ten orders is ten groups whose AWS calls overlap here; handled one after
the other they would take about ten times as long. What remains of it is a few lines here.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from typing import Any, Protocol, TypedDict

from domain.commands import (
    Command,
    CommandOutcome,
    CommandReference,
    command_reference,
    decode_command,
)
from domain.errors import InvalidCommandError
from domain.log_context import COMMAND_ID, CORRELATION_ID, MESSAGE_ID, ORDER_ID, log_context

logger = logging.getLogger(__name__)


class BatchItemFailure(TypedDict):
    itemIdentifier: str


class PartialBatchResponse(TypedDict):
    batchItemFailures: list[BatchItemFailure]


class CommandHandling(Protocol):
    async def handle(self, command: Command) -> CommandOutcome:
        """Apply a decoded command once."""
        ...

    async def reject_undecodable(self, reference: CommandReference, reason: str) -> CommandOutcome:
        """Record as rejected a message that names its command but cannot be decoded."""
        ...


async def process_sqs_batch(
    event: Mapping[str, Any], handlers: CommandHandling
) -> PartialBatchResponse:
    """Handle each record; report the ones that failed so only they come back.

    Message groups are independent, so they run concurrently; within a group records run in
    order, and once one fails the group's later records are reported failed without being
    tried: applying them first would break the group's order.
    """
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for record in event.get("Records", []):
        group = record.get("attributes", {}).get("MessageGroupId") or str(record["messageId"])
        groups.setdefault(group, []).append(record)
    failed = await asyncio.gather(
        *(_process_group(records, handlers) for records in groups.values())
    )
    return {
        "batchItemFailures": [
            {"itemIdentifier": message_id} for group in failed for message_id in group
        ]
    }


async def _process_group(
    records: Sequence[Mapping[str, Any]], handlers: CommandHandling
) -> list[str]:
    for index, record in enumerate(records):
        message_id, body = str(record["messageId"]), str(record["body"])
        with log_context(**{MESSAGE_ID: message_id}, **_log_keys(body)):
            try:
                outcome = await _process_record(body, handlers)
                logger.info(
                    "applied message %s command %s: %s",
                    message_id,
                    outcome.command_id,
                    outcome.state,
                )
            except Exception:
                # Malformed or failing for a transient reason: the queue redelivers it, and
                # after its maximum receives moves it to the dead-letter queue.
                logger.exception("message %s failed; it will be retried", message_id)
                return [str(later["messageId"]) for later in records[index:]]
    return []


def _log_keys(body: str) -> dict[str, str | None]:
    """What the message's log lines carry: its command and order, and the command id as the
    correlation id (the id its issuer was given, and polls)."""
    reference = command_reference(body)
    if reference is None:
        return {}
    return {
        CORRELATION_ID: reference.command_id,
        COMMAND_ID: reference.command_id,
        ORDER_ID: reference.order_id,
    }


async def _process_record(body: str, handlers: CommandHandling) -> CommandOutcome:
    try:
        command = decode_command(body)
    except InvalidCommandError as error:
        # A command that breaks the rules and says whose it is gets a recorded rejection its
        # issuer can read; one that does not is left to the dead-letter queue, as is a message
        # of a schema or type this worker does not know (a newer API's, mid-deploy).
        reference = command_reference(body)
        if reference is None:
            raise
        return await handlers.reject_undecodable(reference, str(error))
    return await handlers.handle(command)
