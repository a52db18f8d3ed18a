"""Redriving a work queue: its dead letters moved back onto it once the fault is fixed.

SQS's own redrive (StartMessageMoveTask) is not in the emulator, so this moves messages itself,
the same way locally and in AWS: receive from the dead-letter queue, send to the work queue in the
same FIFO group with the same body and attributes, and delete from the dead-letter queue only
once the send succeeded. The send's deduplication id is fixed by the dead letter's own message
id, so a rerun of a redrive cut short between its send and its delete sends nothing twice within
SQS's 5-minute deduplication window; past it, the worker's write, conditional on the command's
outcome not existing yet, still applies the command once.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from app.aws_clients import AwsClients
from app.settings import EnvVar
from domain.commands import OrderCommand, command_reference, decode_command
from domain.errors import DomainError, MalformedCommandError
from domain.orders import DeliveryPriority

if TYPE_CHECKING:
    from types_aiobotocore_sqs import SQSClient
    from types_aiobotocore_sqs.type_defs import MessageTypeDef

# How long a received dead letter stays hidden while it is moved or listed: long enough for a
# batch of ten, short enough that one left behind by a failed run is back within a minute.
HOLD_SECONDS = 30
# Long polling asks every SQS server, so an empty answer means an empty queue, not a sample.
WAIT_SECONDS = 1
_QUEUE_URL_VARS = {
    DeliveryPriority.URGENT: EnvVar.URGENT_QUEUE_URL,
    DeliveryPriority.STANDARD: EnvVar.STANDARD_QUEUE_URL,
}
_MISSING_QUEUE_CODES = {"AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"}


class RedriveError(Exception):
    """The queues cannot be reached or found, or do not fit together; says why in one line."""


@dataclass(frozen=True, slots=True)
class QueueChoice:
    """Which work queue to redrive: by URL, or by name (the stack's `UrgentQueueName` output)."""

    url: str | None = None
    name: str | None = None


def choose_queue(
    priority: DeliveryPriority,
    *,
    queue_url: str | None,
    queue_name: str | None,
    environ: Mapping[str, str],
    fallback_name: str | None,
) -> QueueChoice:
    """The queue named on the command line, else the one the service's environment names
    (ORDER_DELIVERY_URGENT_QUEUE_URL...), else `fallback_name`; RedriveError when none is."""
    if queue_url:
        return QueueChoice(url=queue_url)
    if queue_name:
        return QueueChoice(name=queue_name)
    variable = _QUEUE_URL_VARS[priority]
    if environ.get(variable):
        return QueueChoice(url=environ[variable])
    if fallback_name:
        return QueueChoice(name=fallback_name)
    raise RedriveError(
        f"which {priority.value.lower()} queue? Give --queue-url, --queue-name (the stack's "
        f"{priority.value.capitalize()}QueueName output) or set {variable}"
    )


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """What an operator needs to know of a dead letter before moving it."""

    message_id: str
    group_id: str | None
    # None when the body is not a command this code can read (it is moved all the same).
    command_type: str | None
    command_id: str | None
    order_id: str | None


@dataclass(frozen=True, slots=True)
class RedriveReport:
    queue_url: str
    dead_letter_queue_url: str
    dry_run: bool
    letters: tuple[DeadLetter, ...]
    # What the dead-letter queue reported holding before the run, and after it (approximate).
    waiting_before: int
    waiting_after: int

    @property
    def groups(self) -> list[str]:
        return sorted({letter.group_id for letter in self.letters if letter.group_id})


async def redrive_queue(
    choice: QueueChoice,
    *,
    region: str,
    endpoint_url: str | None,
    dry_run: bool,
    limit: int | None = None,
    hold_seconds: int = HOLD_SECONDS,
) -> RedriveReport:
    """Open clients for `region` (and an emulator at `endpoint_url`), then redrive."""
    clients = AwsClients(region, endpoint_url)
    try:
        sqs = await clients.sqs()
        queue_url = choice.url or await _queue_url(sqs, str(choice.name))
        return await redrive(
            sqs, queue_url, dry_run=dry_run, limit=limit, hold_seconds=hold_seconds
        )
    except (BotoCoreError, ClientError) as error:
        raise RedriveError(_explain(error)) from error
    finally:
        await clients.close()


async def redrive(
    sqs: SQSClient,
    queue_url: str,
    *,
    dry_run: bool,
    limit: int | None = None,
    hold_seconds: int = HOLD_SECONDS,
    wait_seconds: int = WAIT_SECONDS,
) -> RedriveReport:
    """Move the dead letters of the work queue at `queue_url` back onto it (at most `limit`),
    or with `dry_run` list them and move nothing.

    A dry run receives the letters to read them (SQS has no peek) and holds them for
    `hold_seconds` while it lists, then makes them visible again at once. A FIFO queue shows
    a group's later messages only once its earlier ones are released, so a dry run may list
    fewer than `waiting_before` when one group holds more than a batch of ten.
    """
    dead_letters = await dead_letter_queue_url(sqs, queue_url)
    waiting_before = await _waiting(sqs, dead_letters)
    fifo = queue_url.endswith(".fifo")
    letters: list[DeadLetter] = []
    held: list[str] = []  # receipt handles received and neither moved nor released yet
    seen: set[tuple[str | None, str]] = set()
    try:
        while limit is None or len(letters) < limit:
            wanted = 10 if limit is None else min(10, limit - len(letters))
            received = await sqs.receive_message(
                QueueUrl=dead_letters,
                MaxNumberOfMessages=wanted,
                WaitTimeSeconds=wait_seconds,
                VisibilityTimeout=hold_seconds,
                MessageSystemAttributeNames=["All"],
                MessageAttributeNames=["All"],
            )
            messages = received.get("Messages", [])
            held += [message["ReceiptHandle"] for message in messages]
            # A letter seen before in this run came back: listed once already, or moved and
            # failed again since. It waits for the next run, and once only those are left, stop.
            fresh = [message for message in messages if _identity(message) not in seen]
            if not fresh:
                break
            for message in fresh:
                seen.add(_identity(message))
                letters.append(describe(message))
                if not dry_run:
                    await sqs.send_message(**_resend(queue_url, message, fifo=fifo))
                    await sqs.delete_message(
                        QueueUrl=dead_letters, ReceiptHandle=message["ReceiptHandle"]
                    )
                    held.remove(message["ReceiptHandle"])
            if not dry_run:
                await _release(sqs, dead_letters, held)
                held = []
    finally:
        # Listed, skipped, or left by a failure: visible again now, not after the hold.
        with contextlib.suppress(BotoCoreError, ClientError):
            await _release(sqs, dead_letters, held)
    return RedriveReport(
        queue_url=queue_url,
        dead_letter_queue_url=dead_letters,
        dry_run=dry_run,
        letters=tuple(letters),
        waiting_before=waiting_before,
        waiting_after=await _waiting(sqs, dead_letters),
    )


async def dead_letter_queue_url(sqs: SQSClient, queue_url: str) -> str:
    """The dead-letter queue the work queue's RedrivePolicy names: the one SQS moves its
    failing messages to, whatever the stack or the emulator called it."""
    attributes = (
        await sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["RedrivePolicy"])
    ).get("Attributes", {})
    if "RedrivePolicy" not in attributes:
        raise RedriveError(f"{_name(queue_url)} has no dead-letter queue (no RedrivePolicy)")
    target = json.loads(attributes["RedrivePolicy"])["deadLetterTargetArn"]
    *_, account, name = str(target).split(":")
    response = await sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)
    return response["QueueUrl"]


def describe(message: MessageTypeDef) -> DeadLetter:
    """The command a dead letter carries, read as the worker reads it; a body the worker
    cannot decode (the reason some letters are dead) still names its command when it can."""
    body = message.get("Body", "")
    group = message.get("Attributes", {}).get("MessageGroupId")
    try:
        command = decode_command(body)
    except (MalformedCommandError, DomainError, ValueError):
        reference = command_reference(body)
        return DeadLetter(
            message_id=message["MessageId"],
            group_id=group,
            command_type=None,
            command_id=reference.command_id if reference else None,
            order_id=reference.order_id if reference else None,
        )
    return DeadLetter(
        message_id=message["MessageId"],
        group_id=group,
        command_type=type(command).__name__,
        command_id=command.command_id,
        order_id=command.order_id if isinstance(command, OrderCommand) else None,
    )


def format_redrive_report(report: RedriveReport) -> str:
    """What `order-delivery redrive` prints."""
    queue, dead = _name(report.queue_url), _name(report.dead_letter_queue_url)
    if not report.letters:
        return f"{dead} is empty: nothing to move back to {queue}."
    count = len(report.letters)
    groups = len(report.groups)
    verb = "would move" if report.dry_run else "moved"
    lines = [
        f"{count} dead letter{'s' if count != 1 else ''} of {dead} {verb} back to {queue}, "
        f"in {groups} message group{'s' if groups != 1 else ''}"
        + (" (dry run: nothing moved)." if report.dry_run else "."),
        "",
        *_letter_table(report.letters),
        "",
    ]
    if report.dry_run and count < report.waiting_before:
        lines.append(
            f"{dead} holds about {report.waiting_before}: a FIFO queue shows a group's later "
            "messages only once its earlier ones have moved."
        )
    lines.append(
        f"{'Still' if report.dry_run else 'Left'} in {dead}: about {report.waiting_after}."
    )
    return "\n".join(lines)


def region_of_queue_url(url: str) -> str | None:
    """The region in an SQS URL (`https://sqs.eu-west-1.amazonaws.com/...`), if it names one."""
    host = url.split("://", 1)[-1].split("/", 1)[0]
    parts = host.split(".")
    if len(parts) >= 4 and parts[0] == "sqs" and parts[-2:] == ["amazonaws", "com"]:
        return parts[1]
    return None


def _letter_table(letters: Sequence[DeadLetter]) -> list[str]:
    rows = [
        (
            letter.group_id or "-",
            letter.command_type or "(undecodable)",
            letter.command_id or "-",
        )
        for letter in letters
    ]
    header = ("message group", "command", "command id")
    widths = [max(len(row[column]) for row in (header, *rows)) for column in range(3)]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in (header, *rows)
    ]


def _resend(queue_url: str, message: MessageTypeDef, *, fifo: bool) -> dict[str, Any]:
    """The SendMessage that puts a dead letter back: body, message attributes and FIFO group
    kept; deduplicated by the dead letter's id, which every receive of it shares."""
    request: dict[str, Any] = {"QueueUrl": queue_url, "MessageBody": message["Body"]}
    attributes = {
        name: {key: value for key, value in attribute.items() if value not in ([], None)}
        for name, attribute in message.get("MessageAttributes", {}).items()
    }
    if attributes:
        request["MessageAttributes"] = attributes
    if fifo:
        group = message.get("Attributes", {}).get("MessageGroupId")
        if not group:
            raise RedriveError(f"dead letter {message['MessageId']} has no message group")
        request["MessageGroupId"] = group
        request["MessageDeduplicationId"] = f"redrive-{message['MessageId']}"
    return request


async def _release(sqs: SQSClient, queue_url: str, receipt_handles: Sequence[str]) -> None:
    for start in range(0, len(receipt_handles), 10):
        batch = receipt_handles[start : start + 10]
        await sqs.change_message_visibility_batch(
            QueueUrl=queue_url,
            Entries=[
                {"Id": str(index), "ReceiptHandle": handle, "VisibilityTimeout": 0}
                for index, handle in enumerate(batch)
            ],
        )


async def _waiting(sqs: SQSClient, queue_url: str) -> int:
    attributes = (
        await sqs.get_queue_attributes(
            QueueUrl=queue_url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )
    ).get("Attributes", {})
    return int(attributes.get("ApproximateNumberOfMessages", 0)) + int(
        attributes.get("ApproximateNumberOfMessagesNotVisible", 0)
    )


async def _queue_url(sqs: SQSClient, name: str) -> str:
    try:
        return (await sqs.get_queue_url(QueueName=name))["QueueUrl"]
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in _MISSING_QUEUE_CODES:
            raise RedriveError(f"no queue named {name!r} here") from error
        raise


def _identity(message: MessageTypeDef) -> tuple[str | None, str]:
    return (message.get("Attributes", {}).get("MessageGroupId"), message.get("MD5OfBody", ""))


def _name(queue_url: str) -> str:
    return queue_url.rstrip("/").rsplit("/", 1)[-1]


def _explain(error: BotoCoreError | ClientError) -> str:
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        if code in _MISSING_QUEUE_CODES:
            return "the queue does not exist (check the URL or name, and the region)"
        return f"SQS refused: {error.response.get('Error', {}).get('Message') or code}"
    return str(error)
