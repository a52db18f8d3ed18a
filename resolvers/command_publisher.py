"""Publishing commands to the FIFO queues: one SendMessage per mutation."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from domain.commands import Command, encode_command
from domain.orders import DeliveryPriority

if TYPE_CHECKING:
    from types_aiobotocore_sqs import SQSClient

logger = logging.getLogger(__name__)


class CommandQueueUnavailableError(Exception):
    """SQS did not take the command: nothing was queued, and the call is safe to retry."""


class CommandPublisher(Protocol):
    async def publish(self, command: Command, priority: DeliveryPriority) -> None:
        """Queue the command for the worker, or raise CommandQueueUnavailableError."""
        ...


class SqsCommandPublisher:
    """CommandPublisher on SQS FIFO."""

    def __init__(self, client: SQSClient, queue_urls: Mapping[DeliveryPriority, str]) -> None:
        self._client = client
        self._queue_urls = dict(queue_urls)

    async def publish(self, command: Command, priority: DeliveryPriority) -> None:
        """Queue a command on its priority's queue, in its FIFO group, deduplicated by its id."""
        try:
            await self._client.send_message(
                QueueUrl=self._queue_urls[priority],
                MessageBody=encode_command(command),
                MessageGroupId=command.message_group(),
                MessageDeduplicationId=command.command_id,
            )
        except (BotoCoreError, ClientError) as error:
            logger.warning("SQS refused command %s: %s", command.command_id, error)
            raise CommandQueueUnavailableError(command.command_id) from error


@dataclass(frozen=True, slots=True)
class QueuedCommand:
    """What a mutation answers: the command is on its way; poll it by id."""

    command_id: str
    order_id: str | None
