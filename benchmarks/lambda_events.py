"""The events the benchmark suite invokes its contenders with, shaped as Lambda delivers them:
HTTP API (payload 2.0) requests with the JWT authorizer's claims, and SQS FIFO batches whose
bodies are commands as the API publishes them."""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from domain.commands import Command, encode_command
from tests.api_requests import api_gateway_event

Event = dict[str, Any]

ORDER_FIELDS = """
    id status version estimatedDelivery total { display } balance { display }
    items { sku name quantity unitPrice { display } lineTotal { display } }
    transactions { kind amount { display } note createdAt }
    history { kind detail at version }
"""
# The selection the bare baseline's schema can answer too.
ORDER_SUMMARY_FIELDS = "id status total { amount currency display }"


@dataclass(frozen=True, slots=True)
class GraphQLRequest:
    """One GraphQL operation: its measure's name, its text and its variables."""

    name: str
    query: str
    variables: dict[str, Any]

    def event(self, claims: dict[str, str]) -> Event:
        body = json.dumps({"query": self.query, "variables": self.variables})
        return api_gateway_event(body.encode(), claims=claims)


def order_read(order_id: str) -> GraphQLRequest:
    return GraphQLRequest(
        "order(id)",
        f"query Order($id: ID!) {{ order(id: $id) {{ {ORDER_FIELDS} }} }}",
        {"id": order_id},
    )


def order_summary_read(order_id: str) -> GraphQLRequest:
    return GraphQLRequest(
        "order(id) { id status total }",
        f"query OrderSummary($id: ID!) {{ order(id: $id) {{ {ORDER_SUMMARY_FIELDS} }} }}",
        {"id": order_id},
    )


def orders_page(first: int) -> GraphQLRequest:
    return GraphQLRequest(
        f"orders(first: {first})",
        "query Orders($first: Int!) { orders(first: $first) {"
        f" edges {{ cursor node {{ {ORDER_SUMMARY_FIELDS} }} }}"
        " pageInfo { hasNextPage endCursor } } }",
        {"first": first},
    )


def place_order(items: Sequence[tuple[str, int]]) -> GraphQLRequest:
    return GraphQLRequest(
        "placeOrder",
        "mutation Place($input: PlaceOrderInput!) { placeOrder(input: $input) { __typename"
        " ... on CommandAccepted { commandId orderId } ... on Error { code message } } }",
        {"input": {"items": [{"sku": sku, "quantity": quantity} for sku, quantity in items]}},
    )


def customer_claims(sub: str, email: str) -> dict[str, str]:
    """As the HTTP API's JWT authorizer hands a customer's ID token over: strings only."""
    return {"sub": sub, "email": email, "email_verified": "true"}


def sqs_event(commands: Sequence[Command], queue_url: str, region: str) -> Event:
    """A batch as Lambda's SQS event source delivers it from a FIFO queue: each command's body,
    group and deduplication id exactly as resolvers/command_publisher.py sends them."""
    account, queue_name = queue_url.rstrip("/").split("/")[-2:]
    sent = str(int(time.time() * 1000))
    return {
        "Records": [
            {
                "messageId": str(uuid.uuid4()),
                "receiptHandle": f"benchmark-{index}",
                "body": (body := encode_command(command)),
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": sent,
                    "SenderId": "AROABENCHMARK",
                    "ApproximateFirstReceiveTimestamp": sent,
                    "SequenceNumber": f"{index + 1:020d}",
                    "MessageGroupId": command.message_group(),
                    "MessageDeduplicationId": command.command_id,
                },
                "messageAttributes": {},
                "md5OfBody": hashlib.md5(body.encode(), usedforsecurity=False).hexdigest(),
                "eventSource": "aws:sqs",
                "eventSourceARN": f"arn:aws:sqs:{region}:{account}:{queue_name}",
                "awsRegion": region,
            }
            for index, command in enumerate(commands)
        ]
    }
