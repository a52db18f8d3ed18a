"""The worker's metrics as CloudWatch embedded metric format (EMF) lines, through Powertools.

Each fact has its own dimension (the priority, the command, the rejection's code, the effect),
and an EMF line carries one dimension set for all its metrics. Powertools' `Metrics` holds a
single set, shared by every instance, so each set here gets its own `EphemeralMetrics`;
`flush` writes one line per set, at the end of each invocation.
"""

from __future__ import annotations

from datetime import timedelta

from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

from domain.metrics import BROKEN_DOWN_BY, NAMESPACE, WORKER_SERVICE, Dimension, MetricName
from domain.notifications import Effect
from domain.orders import DeliveryPriority


class EmfCommandMetrics:
    """CommandMetrics as EMF lines on stdout, which Lambda sends to CloudWatch Logs."""

    def __init__(self, namespace: str = NAMESPACE, service: str = WORKER_SERVICE) -> None:
        self._namespace = namespace
        self._service = service
        self._by_dimensions: dict[tuple[Dimension, str], EphemeralMetrics] = {}

    def order_placed(self, priority: DeliveryPriority) -> None:
        self._add(MetricName.ORDERS_PLACED, priority.value)

    def command_applied(self, command_type: str, latency: timedelta) -> None:
        self._add(MetricName.COMMANDS_APPLIED, command_type)
        milliseconds = latency / timedelta(milliseconds=1)
        self._add(MetricName.COMMAND_APPLY_LATENCY, command_type, milliseconds)

    def command_rejected(self, code: str) -> None:
        self._add(MetricName.COMMANDS_REJECTED, code)

    def effect_failed(self, effect: Effect) -> None:
        self._add(MetricName.EFFECT_FAILURES, effect.value)

    def flush(self) -> None:
        """Write what this invocation counted, one line per dimension set, and start afresh."""
        for metrics in self._by_dimensions.values():
            metrics.flush_metrics()
        self._by_dimensions.clear()

    def _add(self, name: MetricName, dimension_value: str, value: float = 1) -> None:
        """Add `value` to the metric, in its dimension's set for `dimension_value`."""
        dimension = BROKEN_DOWN_BY[name]
        key = (dimension, dimension_value)
        if key not in self._by_dimensions:
            metrics = EphemeralMetrics(namespace=self._namespace, service=self._service)
            metrics.add_dimension(dimension.value, dimension_value)
            self._by_dimensions[key] = metrics
        unit = MetricUnit.Milliseconds if name in _IN_MILLISECONDS else MetricUnit.Count
        self._by_dimensions[key].add_metric(name, unit, value)


_IN_MILLISECONDS = frozenset({MetricName.COMMAND_APPLY_LATENCY})
