"""The worker's metrics as CloudWatch embedded metric format (EMF) lines, through Powertools.

Each fact has its own dimension (the priority, the command, the rejection's code, the effect),
and an EMF line carries one dimension set for all its metrics. Powertools' `Metrics` holds a
single set, shared by every instance, so each set here gets its own `EphemeralMetrics`;
`flush` writes one line per set, at the end of each invocation.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

from domain.notifications import Effect
from domain.orders import DeliveryPriority

NAMESPACE = "OrderDelivery"
SERVICE = "worker"


class MetricName(StrEnum):
    ORDERS_PLACED = "OrdersPlaced"
    COMMANDS_APPLIED = "CommandsApplied"
    COMMANDS_REJECTED = "CommandsRejected"
    EFFECT_FAILURES = "EffectFailures"
    COMMAND_APPLY_LATENCY = "CommandApplyLatency"


class Dimension(StrEnum):
    PRIORITY = "priority"
    COMMAND = "command"
    CODE = "code"
    EFFECT = "effect"


class EmfCommandMetrics:
    """CommandMetrics as EMF lines on stdout, which Lambda sends to CloudWatch Logs."""

    def __init__(self, namespace: str = NAMESPACE, service: str = SERVICE) -> None:
        self._namespace = namespace
        self._service = service
        self._by_dimensions: dict[tuple[Dimension, str], EphemeralMetrics] = {}

    def order_placed(self, priority: DeliveryPriority) -> None:
        self._count(MetricName.ORDERS_PLACED, Dimension.PRIORITY, priority.value)

    def command_applied(self, command_type: str, latency: timedelta) -> None:
        self._count(MetricName.COMMANDS_APPLIED, Dimension.COMMAND, command_type)
        self._metrics(Dimension.COMMAND, command_type).add_metric(
            MetricName.COMMAND_APPLY_LATENCY,
            MetricUnit.Milliseconds,
            latency / timedelta(milliseconds=1),
        )

    def command_rejected(self, code: str) -> None:
        self._count(MetricName.COMMANDS_REJECTED, Dimension.CODE, code)

    def effect_failed(self, effect: Effect) -> None:
        self._count(MetricName.EFFECT_FAILURES, Dimension.EFFECT, effect.value)

    def flush(self) -> None:
        """Write what this invocation counted, one line per dimension set, and start afresh."""
        for metrics in self._by_dimensions.values():
            metrics.flush_metrics()
        self._by_dimensions.clear()

    def _count(self, name: MetricName, dimension: Dimension, value: str) -> None:
        self._metrics(dimension, value).add_metric(name, MetricUnit.Count, 1)

    def _metrics(self, dimension: Dimension, value: str) -> EphemeralMetrics:
        key = (dimension, value)
        if key not in self._by_dimensions:
            metrics = EphemeralMetrics(namespace=self._namespace, service=self._service)
            metrics.add_dimension(dimension.value, value)
            self._by_dimensions[key] = metrics
        return self._by_dimensions[key]
