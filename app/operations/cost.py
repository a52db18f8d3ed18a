"""A month's AWS bill for a number of orders, from the counted calls and the dated prices in
app/operations/prices.py: what `order-delivery cost` prints, so a shop sees it before deploying."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from app.operations.prices import (
    ACCESS_LOG_LINE_BYTES,
    API_REQUEST_MS,
    APP_LOG_LINE_BYTES,
    IDLE_POLLERS_PER_QUEUE,
    LAMBDA_MEMORY_MB,
    LAMBDA_PLATFORM_LOG_BYTES,
    LAMBDA_PLATFORM_LOG_LINES,
    LOG_EVENT_OVERHEAD_BYTES,
    LONG_POLL_SECONDS,
    OPERATION_CALLS,
    POLLED_QUEUES,
    POLLER_REQUESTS_PER_MESSAGE,
    PRICE_REGION,
    PRICES,
    PRICES_AS_OF,
    SECONDS_PER_MONTH,
    WORKER_MESSAGE_MS,
    XRAY_RESERVOIR_PER_SECOND,
    XRAY_SAMPLED_SHARE,
    AwsCalls,
    Meter,
    OperationCalls,
    ShopOperation,
)

# Calls billed one by one, by what they are billed as.
_CALL_METERS = {
    "SendMessage": Meter.SQS_REQUESTS,
    "PutObject": Meter.S3_PUTS,
    "GetObject": Meter.S3_GETS,
}
# Calls billed by what they carry: DynamoDB's by request units, SES's by recipient.
_PRICED_BY_CONTENT = frozenset(
    {
        "GetItem",
        "BatchGetItem",
        "Query",
        "Scan",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "BatchWriteItem",
        "TransactWriteItems",
        "TransactGetItems",
        "SendEmail",
    }
)
_GIB = Decimal(1024**3)
_CENT = Decimal("0.01")
_WIDTH = 96


class UnpricedCallError(Exception):
    """A counted call no meter prices: the estimate would leave it out silently."""


@dataclass(frozen=True, slots=True)
class Workload:
    """A month of a shop: how many orders, and what each one brings besides its three changes."""

    orders_per_month: int
    reads_per_order: int = 5
    polls_per_order: int = 3
    receipt_downloads_per_order: int = 1
    api_request_ms: int = API_REQUEST_MS
    worker_message_ms: int = WORKER_MESSAGE_MS

    def __post_init__(self) -> None:
        negative = [name for name, value in self._counts().items() if value < 0]
        if negative:
            raise ValueError(f"must not be negative: {', '.join(negative)}")

    def _counts(self) -> dict[str, int]:
        return {
            "orders_per_month": self.orders_per_month,
            "reads_per_order": self.reads_per_order,
            "polls_per_order": self.polls_per_order,
            "receipt_downloads_per_order": self.receipt_downloads_per_order,
            "api_request_ms": self.api_request_ms,
            "worker_message_ms": self.worker_message_ms,
        }

    def operations_per_order(self) -> dict[ShopOperation, int]:
        return {
            ShopOperation.PLACE: 1,
            ShopOperation.READ: self.reads_per_order,
            ShopOperation.POLL: self.polls_per_order,
            ShopOperation.DISPATCH: 1,
            ShopOperation.COMPLETE: 1,
            ShopOperation.DOWNLOAD_RECEIPT: self.receipt_downloads_per_order,
        }


@dataclass(frozen=True, slots=True)
class CostLine:
    item: str
    meter: Meter
    quantity: Decimal
    dollars: Decimal  # rounded to the cent, so the lines add up to the total shown


@dataclass(frozen=True, slots=True)
class MonthlyCost:
    workload: Workload
    lines: tuple[CostLine, ...]

    @property
    def total(self) -> Decimal:
        return sum((line.dollars for line in self.lines), Decimal(0))


def operation_usage(
    operation: OperationCalls, *, api_request_ms: int, worker_message_ms: int
) -> dict[Meter, Decimal]:
    """What one operation uses of each meter. Raises UnpricedCallError for a call no meter
    prices."""
    usage: dict[Meter, Decimal] = {}
    gigabytes = Decimal(LAMBDA_MEMORY_MB) / 1024
    if operation.api is not None:
        _add(usage, Meter.CLOUDFRONT_REQUESTS, 1)
        _add(usage, Meter.API_REQUESTS, 1)
        _add(usage, Meter.LAMBDA_REQUESTS, 1)
        _add(usage, Meter.LAMBDA_COMPUTE, Decimal(api_request_ms) / 1000 * gigabytes)
        _add(usage, Meter.LOG_INGESTION, _log_bytes(operation.api, access_log=True) / _GIB)
        _add_calls(usage, operation.api)
    if operation.worker is not None:
        _add(usage, Meter.LAMBDA_REQUESTS, 1)
        _add(usage, Meter.LAMBDA_COMPUTE, Decimal(worker_message_ms) / 1000 * gigabytes)
        _add(usage, Meter.SQS_REQUESTS, POLLER_REQUESTS_PER_MESSAGE)
        _add(usage, Meter.LOG_INGESTION, _log_bytes(operation.worker, access_log=False) / _GIB)
        _add_calls(usage, operation.worker)
    if operation.s3_gets:
        _add(usage, Meter.S3_GETS, operation.s3_gets)
    return usage


def traces_recorded(invocations: int) -> Decimal:
    """A function's traces in a month of `invocations` spread evenly: X-Ray's default sampling
    records the first request each second and a share of the rest."""
    reservoir = XRAY_RESERVOIR_PER_SECOND * SECONDS_PER_MONTH
    recorded = min(invocations, reservoir)
    return recorded + XRAY_SAMPLED_SHARE * (invocations - recorded)


def idle_polls_per_month() -> int:
    """Lambda's pollers long-polling the work queues, whether or not anything arrives."""
    return IDLE_POLLERS_PER_QUEUE * POLLED_QUEUES * SECONDS_PER_MONTH // LONG_POLL_SECONDS


def monthly_cost(
    workload: Workload, operations: Mapping[ShopOperation, OperationCalls] = OPERATION_CALLS
) -> MonthlyCost:
    """Each meter's monthly quantity and price, in the order of Meter, then the idle polls."""
    usage: dict[Meter, Decimal] = {}
    invocations = {"api": 0, "worker": 0}
    for name, count in workload.operations_per_order().items():
        operation = operations[name]
        monthly = count * workload.orders_per_month
        per_operation = operation_usage(
            operation,
            api_request_ms=workload.api_request_ms,
            worker_message_ms=workload.worker_message_ms,
        )
        for meter, amount in per_operation.items():
            _add(usage, meter, amount * monthly)
        invocations["api"] += monthly if operation.api is not None else 0
        invocations["worker"] += monthly if operation.worker is not None else 0
    usage[Meter.XRAY_TRACES] = sum(
        (traces_recorded(count) for count in invocations.values()), Decimal(0)
    )
    lines = [_line(meter.value, meter, usage[meter]) for meter in Meter if meter in usage]
    lines.append(
        _line(
            f"{Meter.SQS_REQUESTS.value}, idle long polls",
            Meter.SQS_REQUESTS,
            Decimal(idle_polls_per_month()),
        )
    )
    return MonthlyCost(workload, tuple(lines))


def format_monthly_cost(cost: MonthlyCost) -> str:
    """The table `order-delivery cost` prints: line item, monthly quantity, dollars, total."""
    workload = cost.workload
    width = max(len(line.item) for line in cost.lines)
    rows = [
        *_wrapped(
            f"Monthly AWS cost of {workload.orders_per_month:,} orders: {PRICE_REGION} list "
            f"prices as of {PRICES_AS_OF.isoformat()}, no free tier. Each order is placed, read "
            f"{_times(workload.reads_per_order)}, its commands polled "
            f"{_times(workload.polls_per_order)}, dispatched, delivered, and its receipt "
            f"downloaded {_times(workload.receipt_downloads_per_order)}."
        ),
        "",
        f"{'line item':<{width}}  {'quantity/month':>16}  {'$/month':>10}",
    ]
    for line in cost.lines:
        rows.append(f"{line.item:<{width}}  {_quantity(line.quantity):>16}  {line.dollars:>10,.2f}")
    rows += [
        f"{'total':<{width}}  {'':>16}  {cost.total:>10,.2f}",
        "",
        *_wrapped(
            "Counted on the emulator: each operation's AWS calls, DynamoDB units and emails "
            "(app/operations/prices.py)."
        ),
        *_wrapped(
            f"Assumed: {workload.api_request_ms} ms per API request and "
            f"{workload.worker_message_ms} ms per worker message at {LAMBDA_MEMORY_MB} MB; "
            f"{POLLER_REQUESTS_PER_MESSAGE} poller requests per queued message; "
            f"{IDLE_POLLERS_PER_QUEUE} long polls per queue every {LONG_POLL_SECONDS} s; "
            f"{APP_LOG_LINE_BYTES}-byte log lines; X-Ray recording {XRAY_RESERVOIR_PER_SECOND} "
            f"request a second of each function and {XRAY_SAMPLED_SHARE:.0%} of the rest."
        ),
        *_wrapped(
            "Not included: free tiers, data transfer, storage (DynamoDB, S3, logs), Cognito "
            "users, alarms and custom metrics, SnapStart's cache, the web app's page loads, "
            "modifying or cancelling orders."
        ),
    ]
    return "\n".join(rows)


def _line(item: str, meter: Meter, quantity: Decimal) -> CostLine:
    price = PRICES[meter]
    dollars = (quantity * price.dollars / price.per).quantize(_CENT, rounding=ROUND_HALF_UP)
    return CostLine(item, meter, quantity, dollars)


def _add(usage: dict[Meter, Decimal], meter: Meter, amount: Decimal | int) -> None:
    usage[meter] = usage.get(meter, Decimal(0)) + amount


def _add_calls(usage: dict[Meter, Decimal], calls: AwsCalls) -> None:
    for name, count in calls.calls.items():
        if name in _CALL_METERS:
            _add(usage, _CALL_METERS[name], count)
        elif name not in _PRICED_BY_CONTENT:
            raise UnpricedCallError(name)
    _add(usage, Meter.DYNAMODB_WRITES, calls.write_units + calls.index_write_units)
    _add(usage, Meter.DYNAMODB_READS, calls.read_units)
    _add(usage, Meter.SES_EMAILS, calls.email_recipients)


def _log_bytes(calls: AwsCalls, *, access_log: bool) -> Decimal:
    """One invocation's log bytes as CloudWatch bills them: Lambda's own lines, the
    application's, and for an API request API Gateway's access-log line."""
    lines = LAMBDA_PLATFORM_LOG_LINES + calls.log_lines + access_log
    size = LAMBDA_PLATFORM_LOG_BYTES + calls.log_lines * APP_LOG_LINE_BYTES
    size += ACCESS_LOG_LINE_BYTES if access_log else 0
    return Decimal(size + lines * LOG_EVENT_OVERHEAD_BYTES)


def _wrapped(paragraph: str) -> list[str]:
    return textwrap.wrap(paragraph, width=_WIDTH)


def _quantity(quantity: Decimal) -> str:
    if quantity == quantity.to_integral_value():
        return f"{quantity:,.0f}"
    return f"{quantity:,.2f}"


def _times(count: int) -> str:
    return {0: "never", 1: "once", 2: "twice"}.get(count, f"{count} times")
