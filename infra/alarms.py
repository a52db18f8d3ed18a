"""Alarms on what needs a person, and one dashboard of the service.

Alarms: dead letters, either queue getting old, API 5xx share and p99 latency, throttles of
either function, the worker's failures and its duration nearing its timeout, DynamoDB system
errors, and SES bounce and complaint rates (measured through the mail configuration set, at
thresholds below those at which SES reviews or pauses an account).
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from domain.metrics import BROKEN_DOWN_BY, NAMESPACE, WORKER_SERVICE, Dimension, MetricName
from domain.orders import DeliveryPriority
from domain.resources import WORKER_TIMEOUT_SECONDS
from infra.api import GraphQLApi
from infra.mail import CONFIGURATION_SET_DIMENSION, Mail

# An urgent order waiting this long has missed its promise; the worker should take seconds.
URGENT_AGE_ALARM_SECONDS = 120
# A standard order is promised in days, but an hour's wait means the worker is not keeping up.
STANDARD_AGE_ALARM_SECONDS = 3600
# Share of API requests answered 5xx, in percent, over five minutes.
API_5XX_ALARM_PERCENT = 1
# The API's p99 latency over five minutes: a read or a queued command takes tens of ms.
API_P99_ALARM_MS = 2000
# The worker's longest invocation, as a share of its timeout, before it times out for real.
WORKER_DURATION_ALARM_SHARE = 0.8
# SES reviews an account at 5% bounces and 0.1% complaints; warn well before either.
BOUNCE_RATE_ALARM_PERCENT = 2.0
COMPLAINT_RATE_ALARM_PERCENT = 0.05
FIVE_MINUTES = Duration.minutes(5)


class ServiceAlarms(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        queues: dict[DeliveryPriority, sqs.Queue],
        dead_letter_queues: dict[DeliveryPriority, sqs.Queue],
        api: GraphQLApi,
        api_function: lambda_.IFunction,
        worker: lambda_.IFunction,
        table: dynamodb.ITable,
        mail: Mail,
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
        for priority, threshold in (
            (DeliveryPriority.URGENT, URGENT_AGE_ALARM_SECONDS),
            (DeliveryPriority.STANDARD, STANDARD_AGE_ALARM_SECONDS),
        ):
            self._add(
                f"{priority.value.capitalize()}QueueAge",
                queues[priority].metric_approximate_age_of_oldest_message(
                    period=Duration.minutes(1), statistic="Maximum"
                ),
                threshold=threshold,
                description=(
                    f"{priority.value.capitalize()} orders are waiting: the worker is stuck or "
                    "throttled."
                ),
                action=notify,
            )
        http = api.api
        requests = http.metric_count(period=FIVE_MINUTES, statistic="Sum")
        self._add(
            "Api5xxRate",
            cloudwatch.MathExpression(
                expression="IF(requests > 0, 100 * errors / requests, 0)",
                using_metrics={
                    "errors": http.metric_server_error(period=FIVE_MINUTES, statistic="Sum"),
                    "requests": requests,
                },
                period=FIVE_MINUTES,
                label="5xx %",
            ),
            threshold=API_5XX_ALARM_PERCENT,
            description="More than 1% of API requests failed with a 5xx.",
            action=notify,
        )
        latency = http.metric_latency(period=FIVE_MINUTES, statistic="p99")
        self._add(
            "ApiLatencyP99",
            latency,
            threshold=API_P99_ALARM_MS,
            description="The slowest 1% of API requests took over 2 s.",
            action=notify,
        )
        for name, function in (("Api", api_function), ("Worker", worker)):
            self._add(
                f"{name}Throttles",
                function.metric_throttles(period=FIVE_MINUTES, statistic="Sum"),
                threshold=1,
                description=f"The {name.lower()} function was throttled: work is waiting.",
                action=notify,
            )
        self._add(
            "WorkerErrors",
            worker.metric_errors(period=FIVE_MINUTES, statistic="Sum"),
            threshold=1,
            description="The worker failed whole invocations (not single messages).",
            action=notify,
        )
        self._add(
            "WorkerNearTimeout",
            worker.metric_duration(period=FIVE_MINUTES, statistic="Maximum"),
            threshold=WORKER_TIMEOUT_SECONDS * 1000 * WORKER_DURATION_ALARM_SHARE,
            description="A worker invocation ran past 80% of its timeout: batches may time out.",
            action=notify,
        )
        table_errors = table.metric_system_errors_for_operations(
            operations=[
                dynamodb.Operation.GET_ITEM,
                dynamodb.Operation.BATCH_GET_ITEM,
                dynamodb.Operation.QUERY,
                dynamodb.Operation.PUT_ITEM,
                dynamodb.Operation.TRANSACT_WRITE_ITEMS,
            ],
            period=FIVE_MINUTES,
        )
        self._add(
            "TableSystemErrors",
            table_errors,
            threshold=1,
            description="DynamoDB answered with system errors (5xx): calls were retried or failed.",
            action=notify,
        )
        sent = _ses_metric("Send", mail)
        for event, percent in (
            ("Bounce", BOUNCE_RATE_ALARM_PERCENT),
            ("Complaint", COMPLAINT_RATE_ALARM_PERCENT),
        ):
            self._add(
                f"Mail{event}Rate",
                cloudwatch.MathExpression(
                    expression="IF(sent > 0, 100 * events / sent, 0)",
                    using_metrics={"events": _ses_metric(event, mail), "sent": sent},
                    period=Duration.hours(1),
                    label=f"{event} %",
                ),
                threshold=percent,
                description=(
                    f"{event}s are {percent}% of mail sent this hour: SES reviews accounts at "
                    "5% bounces or 0.1% complaints."
                ),
                action=notify,
            )
        self.dashboard = _dashboard(
            self, api=api, api_function=api_function, worker=worker, queues=queues, mail=mail
        )
        self.dashboard.add_widgets(
            cloudwatch.AlarmStatusWidget(alarms=list(self.alarms), title="Alarms", width=24)
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


def _ses_metric(event: str, mail: Mail) -> cloudwatch.Metric:
    return cloudwatch.Metric(
        namespace="AWS/SES",
        metric_name=event,
        dimensions_map={CONFIGURATION_SET_DIMENSION: mail.configuration_set_name},
        period=Duration.hours(1),
        statistic="Sum",
    )


def _worker_search(metric: MetricName, statistic: str) -> cloudwatch.MathExpression:
    """Every series of one of the worker's metrics, one line per value of its dimension (the
    worker writes each with `service` and the one it is broken down by: domain/metrics.py)."""
    dimensions = f"{Dimension.SERVICE},{BROKEN_DOWN_BY[metric]}"
    return cloudwatch.MathExpression(
        expression=(
            f'SEARCH(\'{{{NAMESPACE},{dimensions}}} {Dimension.SERVICE}="{WORKER_SERVICE}" '
            f"MetricName=\"{metric}\"', '{statistic}', 300)"
        ),
        using_metrics={},
        period=FIVE_MINUTES,
        label=metric,
    )


def _dashboard(
    scope: Construct,
    *,
    api: GraphQLApi,
    api_function: lambda_.IFunction,
    worker: lambda_.IFunction,
    queues: dict[DeliveryPriority, sqs.Queue],
    mail: Mail,
) -> cloudwatch.Dashboard:
    """One page: orders and commands (our metrics), the API, the queues, the functions, mail."""
    http = api.api
    dashboard = cloudwatch.Dashboard(scope, "Dashboard", default_interval=Duration.hours(24))
    dashboard.add_widgets(
        *(
            cloudwatch.GraphWidget(title=title, left=[_worker_search(metric, statistic)], width=6)
            for title, metric, statistic in (
                ("Orders placed, by priority", MetricName.ORDERS_PLACED, "Sum"),
                ("Commands applied, by command", MetricName.COMMANDS_APPLIED, "Sum"),
                ("Commands rejected, by code", MetricName.COMMANDS_REJECTED, "Sum"),
                ("Effect failures, by effect", MetricName.EFFECT_FAILURES, "Sum"),
            )
        ),
    )
    dashboard.add_widgets(
        cloudwatch.GraphWidget(
            title="Command apply latency (sent to recorded), p99 ms",
            left=[_worker_search(MetricName.COMMAND_APPLY_LATENCY, "p99")],
            width=8,
        ),
    )
    dashboard.add_widgets(
        cloudwatch.GraphWidget(
            title="API requests and errors",
            left=[
                http.metric_count(period=FIVE_MINUTES, statistic="Sum"),
                http.metric_client_error(period=FIVE_MINUTES, statistic="Sum"),
                http.metric_server_error(period=FIVE_MINUTES, statistic="Sum"),
            ],
            width=8,
        ),
        cloudwatch.GraphWidget(
            title="API latency, ms",
            left=[
                http.metric_latency(period=FIVE_MINUTES, statistic=statistic)
                for statistic in ("p50", "p99")
            ],
            width=8,
        ),
        cloudwatch.GraphWidget(
            title="Oldest queued command, s",
            left=[
                queue.metric_approximate_age_of_oldest_message(
                    period=FIVE_MINUTES, statistic="Maximum"
                )
                for queue in queues.values()
            ],
            width=8,
        ),
    )
    dashboard.add_widgets(
        cloudwatch.GraphWidget(
            title="Functions: duration p99, ms",
            left=[
                function.metric_duration(period=FIVE_MINUTES, statistic="p99")
                for function in (api_function, worker)
            ],
            width=8,
        ),
        cloudwatch.GraphWidget(
            title="Functions: errors and throttles",
            left=[
                metric
                for function in (api_function, worker)
                for metric in (
                    function.metric_errors(period=FIVE_MINUTES, statistic="Sum"),
                    function.metric_throttles(period=FIVE_MINUTES, statistic="Sum"),
                )
            ],
            width=8,
        ),
        cloudwatch.GraphWidget(
            title="Mail: sent, delivered, bounced, complained",
            left=[
                _ses_metric(event, mail) for event in ("Send", "Delivery", "Bounce", "Complaint")
            ],
            width=8,
        ),
    )
    return dashboard
