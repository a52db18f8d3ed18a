"""The table, queues and bucket definitions that the CDK stack and the emulator both build from."""

from __future__ import annotations

from datetime import timedelta

from domain.orders import DeliveryPriority
from domain.resources import BUCKET, QUEUES, TABLE, WORKER_TIMEOUT_SECONDS
from storage import keys
from storage.items import COMMAND_OUTCOME_RETENTION

SQS_MAX_RETENTION_DAYS = 14


def test_the_table_is_keyed_as_the_storage_layer_writes_items() -> None:
    assert (TABLE.partition_key, TABLE.sort_key) == (keys.PK, keys.SK)
    assert {(index.name, index.partition_key, index.sort_key) for index in TABLE.indexes} == {
        (keys.GSI1, keys.GSI1_PK, keys.GSI1_SK),
        (keys.GSI2, keys.GSI2_PK, keys.GSI2_SK),
    }
    assert TABLE.ttl_attribute == keys.TTL_ATTRIBUTE
    assert TABLE.name("dev") == "dev-orders"


def test_urgent_and_standard_orders_have_queues_of_their_own() -> None:
    assert set(QUEUES) == set(DeliveryPriority)
    names = {queue.name("dev") for queue in QUEUES.values()}
    dead_letters = {queue.dlq_name("dev") for queue in QUEUES.values()}

    assert len(names) == len(dead_letters) == len(QUEUES)
    assert not names & dead_letters
    assert all(name.startswith("dev-") and name.endswith(".fifo") for name in names | dead_letters)


def test_queue_settings_suit_the_worker_and_sqs() -> None:
    for queue in QUEUES.values():
        assert queue.visibility_timeout_seconds >= 6 * WORKER_TIMEOUT_SECONDS
        assert queue.max_receive_count >= 1
        assert queue.retention_days <= queue.dlq_retention_days <= SQS_MAX_RETENTION_DAYS


def test_command_outcomes_outlive_any_message_that_could_be_redelivered() -> None:
    longest = max(queue.dlq_retention_days for queue in QUEUES.values())

    assert timedelta(days=longest) < COMMAND_OUTCOME_RETENTION


def test_the_receipts_bucket_is_named_per_deployment() -> None:
    assert BUCKET.name("dev") == "dev-receipts"
    assert BUCKET.receipts_prefix.endswith("/")


def test_each_order_version_has_its_own_receipt_key_under_the_receipts_prefix() -> None:
    assert BUCKET.receipt_key("01JORDER", 1) == "receipts/01JORDER/v1.pdf"
    assert BUCKET.receipt_key("01JORDER", 12) == "receipts/01JORDER/v12.pdf"
    assert BUCKET.receipts_pattern == "receipts/*"
