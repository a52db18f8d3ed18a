"""The service's own CloudWatch metrics: namespace, names, dimensions, defined once.

The worker writes them (workers/command_metrics.py, as EMF lines with the dimensions `service`
and the one each metric is broken down by); the stack's alarms and dashboard read them here.
"""

from __future__ import annotations

from enum import StrEnum

NAMESPACE = "OrderDelivery"
# Each function's Powertools service: its log lines' `service`, its traces' Service annotation
# and its metrics' `service` dimension.
API_SERVICE = "api"
WORKER_SERVICE = "worker"


class MetricName(StrEnum):
    ORDERS_PLACED = "OrdersPlaced"
    COMMANDS_APPLIED = "CommandsApplied"
    COMMANDS_REJECTED = "CommandsRejected"
    EFFECT_FAILURES = "EffectFailures"
    COMMAND_APPLY_LATENCY = "CommandApplyLatency"  # milliseconds, from issue to record


class Dimension(StrEnum):
    SERVICE = "service"
    PRIORITY = "priority"
    COMMAND = "command"
    CODE = "code"
    EFFECT = "effect"


# Each metric is broken down by one dimension besides `service`.
BROKEN_DOWN_BY = {
    MetricName.ORDERS_PLACED: Dimension.PRIORITY,
    MetricName.COMMANDS_APPLIED: Dimension.COMMAND,
    MetricName.COMMANDS_REJECTED: Dimension.CODE,
    MetricName.EFFECT_FAILURES: Dimension.EFFECT,
    MetricName.COMMAND_APPLY_LATENCY: Dimension.COMMAND,
}
