"""Local data across restarts: saved in a directory at a clean stop, put back at the next start.

The embedded emulator keeps everything in memory. At a clean stop the table, the bucket's
objects, the emails SES accepted and the messages still queued (received ones not yet deleted
included) are written to one JSON file; at the next start they are put back before the worker
starts, so a command accepted before the stop is applied after it. A crash loses what happened
since the last clean stop.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from app.aws_clients import AwsClients
from app.local.emulator import EmbeddedAwsEmulator, QueuedMessage, RawEmail
from app.settings import Settings

STATE_FILE = "state.json"
STATE_FORMAT = 1
_BATCH_WRITE_LIMIT = 25
_SEND_BATCH_LIMIT = 10
_BYTES = "$base64"  # how bytes (objects' bodies) are written in JSON


class LocalStateError(Exception):
    """The data directory holds a state this version cannot read."""


@dataclass(frozen=True, slots=True)
class StoredObject:
    key: str
    body: bytes
    content_type: str


@dataclass(frozen=True, slots=True)
class LocalState:
    items: list[dict[str, Any]]  # the table's, in DynamoDB's typed form
    objects: list[StoredObject]
    queued: dict[str, list[QueuedMessage]]  # by queue name, oldest first
    emails: list[RawEmail]

    def summary(self) -> str:
        queued = sum(len(messages) for messages in self.queued.values())
        return (
            f"{len(self.items)} items, {len(self.objects)} objects, "
            f"{queued} messages queued, {len(self.emails)} emails"
        )


@dataclass(frozen=True, slots=True)
class LocalEnvironment:
    """What holds the state: the embedded emulator, clients of it, the resources' names."""

    emulator: EmbeddedAwsEmulator
    clients: AwsClients
    settings: Settings


async def restore_local_state(data_dir: Path, environment: LocalEnvironment) -> LocalState | None:
    """Put back what the last clean stop saved in `data_dir`; None if it saved nothing yet."""
    state = await asyncio.to_thread(_read, data_dir / STATE_FILE)
    if state is None:
        return None
    await _put_items(environment, state.items)
    await _put_objects(environment, state.objects)
    environment.emulator.keep_emails_sent(state.emails, environment.settings.region)
    await _queue_again(environment, state.queued)
    return state


async def save_local_state(data_dir: Path, environment: LocalEnvironment) -> LocalState:
    """Write the emulator's state to `data_dir`, replacing what was there only once complete."""
    emulator, region = environment.emulator, environment.settings.region
    sqs = await environment.clients.sqs()
    queue_urls = (await sqs.list_queues()).get("QueueUrls", [])
    queue_names = sorted(url.rsplit("/", 1)[-1] for url in queue_urls)
    state = LocalState(
        items=await table_items(environment.clients, environment.settings.table_name),
        objects=await _all_objects(environment),
        queued={
            name: messages
            for name in queue_names
            if (messages := emulator.messages_queued(name, region))
        },
        emails=emulator.emails_sent(),
    )
    await asyncio.to_thread(_write, data_dir / STATE_FILE, state)
    return state


async def table_items(clients: AwsClients, table_name: str) -> list[dict[str, Any]]:
    """Every item of the table, in DynamoDB's typed form: the emulator's whole state of it."""
    dynamodb = await clients.dynamodb()
    items: list[dict[str, Any]] = []
    request: dict[str, Any] = {"TableName": table_name, "ConsistentRead": True}
    while True:
        page = await dynamodb.scan(**request)
        items.extend(page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            return items
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


async def object_keys(clients: AwsClients, bucket: str, prefix: str = "") -> AsyncIterator[str]:
    """The key of every object in the bucket under `prefix`, page by page."""
    s3 = await clients.s3()
    request: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix}
    while True:
        page = await s3.list_objects_v2(**request)
        for entry in page.get("Contents", []):
            yield entry["Key"]
        if not page.get("IsTruncated"):
            return
        request["ContinuationToken"] = page["NextContinuationToken"]


async def _put_items(environment: LocalEnvironment, items: list[dict[str, Any]]) -> None:
    dynamodb = await environment.clients.dynamodb()
    for start in range(0, len(items), _BATCH_WRITE_LIMIT):
        puts: list[Any] = [
            {"PutRequest": {"Item": item}} for item in items[start : start + _BATCH_WRITE_LIMIT]
        ]
        request: dict[str, Any] = {environment.settings.table_name: puts}
        while request:
            response = await dynamodb.batch_write_item(RequestItems=request)
            request = dict(response.get("UnprocessedItems") or {})


async def _all_objects(environment: LocalEnvironment) -> list[StoredObject]:
    s3, bucket = await environment.clients.s3(), environment.settings.bucket_name
    objects: list[StoredObject] = []
    async for key in object_keys(environment.clients, bucket):
        found = await s3.get_object(Bucket=bucket, Key=key)
        async with found["Body"] as body:
            content = await body.read()
        objects.append(StoredObject(key, content, found.get("ContentType", "")))
    return objects


async def _put_objects(environment: LocalEnvironment, objects: list[StoredObject]) -> None:
    s3, bucket = await environment.clients.s3(), environment.settings.bucket_name
    for stored in objects:
        await s3.put_object(
            Bucket=bucket, Key=stored.key, Body=stored.body, ContentType=stored.content_type
        )


async def _queue_again(
    environment: LocalEnvironment, queued: dict[str, list[QueuedMessage]]
) -> None:
    sqs = await environment.clients.sqs()
    for queue_name, messages in queued.items():
        url = (await sqs.get_queue_url(QueueName=queue_name))["QueueUrl"]
        # In order, in batches SQS keeps in order: a FIFO group's commands apply as sent.
        for start in range(0, len(messages), _SEND_BATCH_LIMIT):
            entries: list[Any] = [
                _send_entry(index, message)
                for index, message in enumerate(messages[start : start + _SEND_BATCH_LIMIT])
            ]
            response = await sqs.send_message_batch(QueueUrl=url, Entries=entries)
            if response.get("Failed"):
                raise LocalStateError(f"{queue_name} refused saved messages: {response['Failed']}")


def _send_entry(index: int, message: QueuedMessage) -> dict[str, str]:
    entry = {"Id": str(index), "MessageBody": message.body}
    if message.group_id is not None:
        entry["MessageGroupId"] = message.group_id
    if message.deduplication_id is not None:
        entry["MessageDeduplicationId"] = message.deduplication_id
    return entry


def _write(path: Path, state: LocalState) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {"format": STATE_FORMAT, **asdict(state)}
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(document, default=_encode_bytes), encoding="utf-8")
    os.replace(partial, path)  # atomic: a stop cut short leaves the previous state whole


def _read(path: Path) -> LocalState | None:
    if not path.exists():
        return None
    try:
        document = json.loads(path.read_text(encoding="utf-8"), object_hook=_decode_bytes)
        if document.get("format") != STATE_FORMAT:
            raise LocalStateError(f"format {document.get('format')!r}, not {STATE_FORMAT}")
        return LocalState(
            items=document["items"],
            objects=[StoredObject(**stored) for stored in document["objects"]],
            queued={
                name: [QueuedMessage(**message) for message in messages]
                for name, messages in document["queued"].items()
            },
            emails=[RawEmail(**email) for email in document["emails"]],
        )
    except (OSError, ValueError, KeyError, TypeError, LocalStateError) as error:
        raise LocalStateError(f"cannot read the local state in {path}: {error}") from error


def _encode_bytes(value: Any) -> dict[str, str]:
    if isinstance(value, bytes):
        return {_BYTES: base64.b64encode(value).decode("ascii")}
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _decode_bytes(document: dict[str, Any]) -> Any:
    if document.keys() == {_BYTES}:
        return base64.b64decode(document[_BYTES])
    return document
