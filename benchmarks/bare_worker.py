"""The worker's baseline: a bare aioboto3 SQS consumer writing each record with one PutItem.

The least a Lambda on SQS can do per record and still store something, with our worker's
shape: one event loop and one client for the life of the process, a batch's records written
concurrently. Nothing of ours is imported (benchmarks/bare_settings.py says why).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import aioboto3

from benchmarks.bare_settings import ENDPOINT_VARIABLE, REGION_VARIABLE, TABLE_NAME_VARIABLE

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb import DynamoDBClient

_client: DynamoDBClient | None = None
_TABLE_NAME = os.environ[TABLE_NAME_VARIABLE]


async def _dynamodb() -> DynamoDBClient:
    global _client  # opened once, in the process's loop
    if _client is None:
        session = aioboto3.Session(region_name=os.environ[REGION_VARIABLE])
        context = session.client("dynamodb", endpoint_url=os.environ.get(ENDPOINT_VARIABLE))
        _client = await context.__aenter__()
    return _client


async def _store(record: Mapping[str, Any]) -> None:
    client = await _dynamodb()
    await client.put_item(
        TableName=_TABLE_NAME,
        Item={
            "PK": {"S": f"BARE#{record['messageId']}"},
            "SK": {"S": "BARE"},
            "body": {"S": record["body"]},
        },
    )


async def _consume(event: Mapping[str, Any]) -> dict[str, list[dict[str, str]]]:
    await asyncio.gather(*(_store(record) for record in event["Records"]))
    return {"batchItemFailures": []}


_loop = asyncio.new_event_loop()


def handler(event: dict[str, Any], _context: object) -> dict[str, list[dict[str, str]]]:
    return _loop.run_until_complete(_consume(event))
