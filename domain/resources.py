"""The table, queues and bucket the service runs on, defined once.

The CDK stack and the local emulator's bootstrap both build from these definitions, so the
deployed resources and the local ones cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain import storage
from domain.notifications import WORKER_TIMEOUT_SECONDS
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


TABLE = TableDefinition(
    partition_key=storage.PK,
    sort_key=storage.SK,
    indexes=(
        IndexDefinition(storage.GSI1, storage.GSI1_PK, storage.GSI1_SK),
        IndexDefinition(storage.GSI2, storage.GSI2_PK, storage.GSI2_SK),
    ),
    ttl_attribute=storage.TTL_ATTRIBUTE,
)

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
