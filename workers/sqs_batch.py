"""SQS batch processing with partial failures, keeping FIFO order within each message group."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypedDict

from domain.commands import Command, CommandOutcome, decode_command

logger = logging.getLogger(__name__)


class BatchItemFailure(TypedDict):
    itemIdentifier: str


class PartialBatchResponse(TypedDict):
    batchItemFailures: list[BatchItemFailure]


async def process_sqs_batch(
    event: Mapping[str, Any], handle: Callable[[Command], Awaitable[CommandOutcome]]
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
    failed = await asyncio.gather(*(_process_group(records, handle) for records in groups.values()))
    return {
        "batchItemFailures": [
            {"itemIdentifier": message_id} for group in failed for message_id in group
        ]
    }


async def _process_group(
    records: Sequence[Mapping[str, Any]], handle: Callable[[Command], Awaitable[CommandOutcome]]
) -> list[str]:
    for index, record in enumerate(records):
        message_id = str(record["messageId"])
        try:
            command = decode_command(str(record["body"]))
            outcome = await handle(command)
            logger.info(
                "applied message %s command %s: %s", message_id, command.command_id, outcome.state
            )
        except Exception:
            # Malformed or failing for a transient reason: the queue redelivers it, and after
            # its maximum receives moves it to the dead-letter queue.
            logger.exception("message %s failed; it will be retried", message_id)
            return [str(later["messageId"]) for later in records[index:]]
    return []
