"""SQS batch processing with partial failures, keeping FIFO order within each message group."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
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

    Once a record of a FIFO message group fails, the group's later records in this batch are
    reported failed without being tried: applying them first would break the group's order.
    """
    failures: list[BatchItemFailure] = []
    failed_groups: set[str] = set()
    for record in event.get("Records", []):
        message_id = str(record["messageId"])
        group = record.get("attributes", {}).get("MessageGroupId")
        if group is not None and group in failed_groups:
            failures.append({"itemIdentifier": message_id})
            continue
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
            failures.append({"itemIdentifier": message_id})
            if group is not None:
                failed_groups.add(group)
    return {"batchItemFailures": failures}
