"""The local stand-in for Lambda's SQS event sources: long-poll a queue, hand batches over.

One consumer per queue, one batch at a time: the worker's effects rely on no two consumers
holding one order's message at once (in AWS, the visibility timeout outlasts the worker's
timeout). Locally that holds because `serve` runs a single consumer; two `serve` processes on
one emulator (`--aws-endpoint`) with a batch slower than the local visibility timeout could
hand a message to both and send its emails twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from workers.sqs_batch import PartialBatchResponse

if TYPE_CHECKING:
    from types_aiobotocore_sqs import SQSClient
    from types_aiobotocore_sqs.type_defs import MessageTypeDef

logger = logging.getLogger(__name__)
BatchProcessor = Callable[[Mapping[str, Any]], Awaitable[PartialBatchResponse]]


async def consume_queue(
    sqs: SQSClient,
    queue_url: str,
    process: BatchProcessor,
    stop: asyncio.Event,
    *,
    wait_seconds: int = 1,
    region: str = "us-east-1",
) -> None:
    """Receive up to 10 messages, process them as one SQS event, delete the ones that succeeded.

    Failed ones stay: they come back after the visibility timeout, and after the queue's
    maximum receives SQS moves them to the dead-letter queue, as with Lambda.
    """
    queue_arn = (await sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"]))[
        "Attributes"
    ]["QueueArn"]
    while not stop.is_set():
        try:
            response = await sqs.receive_message(
                QueueUrl=queue_url,
                MaxNumberOfMessages=10,
                WaitTimeSeconds=wait_seconds,
                MessageSystemAttributeNames=["All"],
            )
            messages = response.get("Messages", [])
            if not messages:
                continue
            event = {"Records": [_record(message, queue_arn, region) for message in messages]}
            result = await process(event)
            failed = {failure["itemIdentifier"] for failure in result["batchItemFailures"]}
            done = [message for message in messages if message["MessageId"] not in failed]
            if done:
                await sqs.delete_message_batch(
                    QueueUrl=queue_url,
                    Entries=[
                        {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]}
                        for index, message in enumerate(done)
                    ],
                )
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("polling %s failed; trying again", queue_url)
            await asyncio.sleep(1)


def _record(message: MessageTypeDef, queue_arn: str, region: str) -> dict[str, Any]:
    """A received message in the shape Lambda's SQS event source delivers it."""
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": dict(message.get("Attributes", {})),
        "messageAttributes": {},
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }
