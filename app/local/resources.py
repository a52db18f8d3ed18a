"""Creates the table, queues and bucket on an emulator, from the definitions the stack uses."""

from __future__ import annotations

import json
from typing import Any

from app.aws_clients import AwsClients
from app.settings import Settings
from domain.notifications import BusinessProfile
from domain.resources import BUCKET, QUEUES, TABLE, QueueDefinition


async def create_resources(
    clients: AwsClients,
    *,
    prefix: str,
    region: str,
    endpoint_url: str,
    visibility_timeout: int | None,
    business: BusinessProfile,
) -> Settings:
    """Create what is missing (idempotent) and return settings naming what was created.

    `visibility_timeout` overrides the queues' production value, so a failed message comes back
    in seconds on a developer's machine instead of minutes.
    """
    table_name = TABLE.name(prefix)
    await _create_table(clients, table_name)
    queue_urls = {
        priority: await _create_queue(clients, prefix, definition, visibility_timeout)
        for priority, definition in QUEUES.items()
    }
    bucket_name = BUCKET.name(prefix)
    s3 = await clients.s3()
    existing = {bucket["Name"] for bucket in (await s3.list_buckets()).get("Buckets", [])}
    if bucket_name not in existing:
        create: dict[str, Any] = {"Bucket": bucket_name}
        if region != "us-east-1":
            create["CreateBucketConfiguration"] = {"LocationConstraint": region}
        await s3.create_bucket(**create)
    await _verify_sender(clients, business.sender_email)
    return Settings(
        table_name=table_name,
        business=business,
        queue_urls=queue_urls,
        bucket_name=bucket_name,
        region=region,
        aws_endpoint_url=endpoint_url,
    )


async def _verify_sender(clients: AwsClients, sender: str) -> None:
    """The emulator, like SES, sends only from a verified identity."""
    ses = await clients.sesv2()
    identities = (await ses.list_email_identities()).get("EmailIdentities", [])
    if sender not in {identity.get("IdentityName") for identity in identities}:
        await ses.create_email_identity(EmailIdentity=sender)


async def _create_table(clients: AwsClients, table_name: str) -> None:
    dynamodb = await clients.dynamodb()
    if table_name in (await dynamodb.list_tables()).get("TableNames", []):
        return
    attributes = {TABLE.partition_key, TABLE.sort_key}
    for index in TABLE.indexes:
        attributes |= {index.partition_key, index.sort_key}
    await dynamodb.create_table(
        TableName=table_name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": name, "AttributeType": "S"} for name in sorted(attributes)
        ],
        KeySchema=[
            {"AttributeName": TABLE.partition_key, "KeyType": "HASH"},
            {"AttributeName": TABLE.sort_key, "KeyType": "RANGE"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": index.name,
                "KeySchema": [
                    {"AttributeName": index.partition_key, "KeyType": "HASH"},
                    {"AttributeName": index.sort_key, "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
            for index in TABLE.indexes
        ],
    )
    await dynamodb.update_time_to_live(
        TableName=table_name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": TABLE.ttl_attribute},
    )


async def _create_queue(
    clients: AwsClients, prefix: str, definition: QueueDefinition, visibility_timeout: int | None
) -> str:
    sqs = await clients.sqs()
    dlq_url = (
        await sqs.create_queue(
            QueueName=definition.dlq_name(prefix),
            Attributes={
                "FifoQueue": "true",
                "MessageRetentionPeriod": str(definition.dlq_retention_days * 86400),
            },
        )
    )["QueueUrl"]
    dlq_arn = (await sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"]))[
        "Attributes"
    ]["QueueArn"]
    timeout = visibility_timeout or definition.visibility_timeout_seconds
    response = await sqs.create_queue(
        QueueName=definition.name(prefix),
        Attributes={
            "FifoQueue": "true",
            "ContentBasedDeduplication": "false",
            "VisibilityTimeout": str(timeout),
            "MessageRetentionPeriod": str(definition.retention_days * 86400),
            "RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": definition.max_receive_count}
            ),
        },
    )
    return response["QueueUrl"]
