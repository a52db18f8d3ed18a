"""Alarms on what needs a person: dead letters, a stuck urgent queue, API errors, worker errors."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from domain.orders import DeliveryPriority

# An urgent order waiting this long has missed its promise; the worker should take seconds.
URGENT_AGE_ALARM_SECONDS = 120
# Share of API requests answered 5xx, in percent, over five minutes.
API_5XX_ALARM_PERCENT = 1


class ServiceAlarms(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        queues: dict[DeliveryPriority, sqs.Queue],
        dead_letter_queues: dict[DeliveryPriority, sqs.Queue],
        api: apigateway.RestApi,
        worker: lambda_.IFunction,
    ) -> None:
        super().__init__(scope, construct_id)
        # A key of our own: CloudWatch alarms cannot publish to a topic encrypted with the
        # AWS-managed alias/aws/sns key (its policy cannot grant CloudWatch).
        key = kms.Key(
            self,
            "TopicKey",
            description="Encrypts the order-delivery alarm notifications",
            enable_key_rotation=True,
        )
        key.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],  # in a key policy, "*" is this key
            )
        )
        self.topic = sns.Topic(
            self,
            "Topic",
            display_name="Order delivery alarms",
            enforce_ssl=True,
            master_key=key,
        )
        notify = actions.SnsAction(self.topic)
        self.alarms: list[cloudwatch.Alarm] = []
        for priority, queue in dead_letter_queues.items():
            self._add(
                f"{priority.value.capitalize()}DeadLetters",
                queue.metric_approximate_number_of_messages_visible(
                    period=Duration.minutes(1), statistic="Maximum"
                ),
                threshold=1,
                description=f"A {priority.value.lower()} command failed every retry: see its DLQ.",
                action=notify,
            )
        self._add(
            "UrgentQueueAge",
            queues[DeliveryPriority.URGENT].metric_approximate_age_of_oldest_message(
                period=Duration.minutes(1), statistic="Maximum"
            ),
            threshold=URGENT_AGE_ALARM_SECONDS,
            description="Urgent orders are waiting: the worker is stuck or throttled.",
            action=notify,
        )
        self._add(
            "Api5xxRate",
            cloudwatch.MathExpression(
                expression="IF(requests > 0, 100 * errors / requests, 0)",
                using_metrics={
                    "errors": api.metric_server_error(period=Duration.minutes(5), statistic="Sum"),
                    "requests": api.metric_count(period=Duration.minutes(5), statistic="Sum"),
                },
                period=Duration.minutes(5),
                label="5xx %",
            ),
            threshold=API_5XX_ALARM_PERCENT,
            description="More than 1% of API requests failed with a 5xx.",
            action=notify,
        )
        self._add(
            "WorkerErrors",
            worker.metric_errors(period=Duration.minutes(5), statistic="Sum"),
            threshold=1,
            description="The worker failed whole invocations (not single messages).",
            action=notify,
        )

    def _add(
        self,
        name: str,
        metric: cloudwatch.IMetric,
        *,
        threshold: float,
        description: str,
        action: actions.SnsAction,
    ) -> None:
        alarm = cloudwatch.Alarm(
            self,
            name,
            metric=metric,
            threshold=threshold,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=description,
        )
        alarm.add_alarm_action(action)
        self.alarms.append(alarm)
