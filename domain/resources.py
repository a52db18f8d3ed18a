"""The table, queues, bucket and staff group the service runs on, defined once.

The CDK stack and the local emulator's bootstrap both build from these definitions, so the
deployed resources and the local ones cannot drift apart. What the table's items hold, and how
their keys are made, is storage/'s business: it reads the key attribute names from TABLE.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.orders import DeliveryPriority


@dataclass(frozen=True, slots=True)
class IndexDefinition:
    name: str
    partition_key: str
    sort_key: str


@dataclass(frozen=True, slots=True)
class TableDefinition:
    partition_key: str
    sort_key: str
    indexes: tuple[IndexDefinition, ...]
    ttl_attribute: str

    def name(self, prefix: str) -> str:
        return f"{prefix}-orders"


@dataclass(frozen=True, slots=True)
class QueueDefinition:
    """A FIFO work queue and its dead-letter queue."""

    key: str
    # Receives before a message that keeps failing moves to the dead-letter queue.
    max_receive_count: int
    visibility_timeout_seconds: int
    retention_days: int = 4
    dlq_retention_days: int = 14

    def name(self, prefix: str) -> str:
        return f"{prefix}-{self.key}.fifo"

    def dlq_name(self, prefix: str) -> str:
        return f"{prefix}-{self.key}-dlq.fifo"


@dataclass(frozen=True, slots=True)
class BucketDefinition:
    receipts_prefix: str

    def name(self, prefix: str) -> str:
        return f"{prefix}-receipts"

    def receipt_key(self, order_id: str, version: int) -> str:
        """Receipts are never overwritten: each order version has its own object."""
        return f"{self.receipts_prefix}{order_id}/v{version}.pdf"

    @property
    def receipts_pattern(self) -> str:
        """Every receipt's key, as IAM grants name them."""
        return f"{self.receipts_prefix}*"


TABLE = TableDefinition(
    partition_key="PK",
    sort_key="SK",
    indexes=(
        # A customer's orders (storage/keys.py says what each index's keys hold).
        IndexDefinition("GSI1", "GSI1PK", "GSI1SK"),
        # Orders by status, and the catalogue.
        IndexDefinition("GSI2", "GSI2PK", "GSI2SK"),
    ),
    ttl_attribute="expiresAt",
)

# The worker's timeout in AWS (the stack sets it from here): no invocation lives longer, so a
# message it holds is never handed to a second worker (what the worker's effects rely on).
WORKER_TIMEOUT_SECONDS = 30
# Both functions' memory (and so their share of CPU), which `order-delivery cost` prices.
FUNCTION_MEMORY_MB = 1024
# The API's: a GraphQL request reads a few items or queues one command, so 10 s is ample, and
# well inside the HTTP API's 30 s integration limit.
API_TIMEOUT_SECONDS = 10
# SQS's advice: a visibility timeout of at least 6 times the consumer's timeout.
_VISIBILITY_TIMEOUT_SECONDS = 6 * WORKER_TIMEOUT_SECONDS
QUEUES: dict[DeliveryPriority, QueueDefinition] = {
    DeliveryPriority.URGENT: QueueDefinition(
        key="orders-urgent",
        max_receive_count=5,
        visibility_timeout_seconds=_VISIBILITY_TIMEOUT_SECONDS,
    ),
    DeliveryPriority.STANDARD: QueueDefinition(
        key="orders-standard",
        max_receive_count=5,
        visibility_timeout_seconds=_VISIBILITY_TIMEOUT_SECONDS,
    ),
}

BUCKET = BucketDefinition(receipts_prefix="receipts/")

# The Cognito group whose members are staff (Actor.is_staff): the stack creates it, tokens
# carry it in `cognito:groups`.
STAFF_GROUP = "staff"
