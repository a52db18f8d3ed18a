"""The urgent and standard FIFO queues, each with its dead-letter queue."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from domain.orders import DeliveryPriority
from domain.resources import QUEUES


class CommandQueues(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.queues: dict[DeliveryPriority, sqs.Queue] = {}
        self.dead_letter_queues: dict[DeliveryPriority, sqs.Queue] = {}
        for priority, definition in QUEUES.items():
            name = priority.value.capitalize()
            dead_letters = sqs.Queue(
                self,
                f"{name}DeadLetters",
                fifo=True,
                retention_period=Duration.days(definition.dlq_retention_days),
                encryption=sqs.QueueEncryption.SQS_MANAGED,
                enforce_ssl=True,
            )
            self.dead_letter_queues[priority] = dead_letters
            self.queues[priority] = sqs.Queue(
                self,
                name,
                fifo=True,
                content_based_deduplication=False,
                visibility_timeout=Duration.seconds(definition.visibility_timeout_seconds),
                retention_period=Duration.days(definition.retention_days),
                dead_letter_queue=sqs.DeadLetterQueue(
                    max_receive_count=definition.max_receive_count, queue=dead_letters
                ),
                encryption=sqs.QueueEncryption.SQS_MANAGED,
                enforce_ssl=True,
            )
