"""What the service costs, in one place: dated AWS list prices, the AWS calls each operation of a
shop makes (counted), and the assumptions the estimate rests on (named, not hidden).

The calls are measured, not guessed: tests/integration/test_operation_costs.py performs each
operation on the emulator through the GraphQL schema and the worker's SQS batch handler,
counts what they send with botocore's hooks, and fails when OPERATION_CALLS says otherwise.
Update this table when that test fails, and PRICES (with PRICES_AS_OF) when AWS's pages change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from domain.resources import FUNCTION_MEMORY_MB, QUEUES

# When the list prices below were in effect, as AWS's pricing pages (each named) published them
# for us-east-1, free tiers left out. Re-read the pages and move the date when a price changes.
PRICES_AS_OF = date(2025, 6, 1)
PRICE_REGION = "us-east-1"


class Meter(StrEnum):
    """What AWS bills the service by, as the cost table names it."""

    CLOUDFRONT_REQUESTS = "CloudFront requests (/graphql)"
    API_REQUESTS = "API Gateway requests (HTTP API)"
    LAMBDA_REQUESTS = "Lambda requests"
    LAMBDA_COMPUTE = "Lambda compute (arm64, GB-s)"
    SQS_REQUESTS = "SQS FIFO requests"
    DYNAMODB_WRITES = "DynamoDB write request units"
    DYNAMODB_READS = "DynamoDB read request units"
    S3_PUTS = "S3 PUT requests (receipts)"
    S3_GETS = "S3 GET requests (receipt downloads)"
    SES_EMAILS = "SES emails"
    LOG_INGESTION = "CloudWatch Logs ingestion (GB)"
    XRAY_TRACES = "X-Ray traces recorded"


@dataclass(frozen=True, slots=True)
class Price:
    dollars: Decimal
    per: int  # units the price is for: 1,000,000 requests, 1 GB
    page: str  # where on AWS's pricing pages it is read


PRICES: Mapping[Meter, Price] = {
    # The stack's /graphql behaviour (infra/site.py): every API request passes CloudFront.
    Meter.CLOUDFRONT_REQUESTS: Price(
        Decimal("0.0100"), 10_000, "Amazon CloudFront pricing: HTTPS requests, United States"
    ),
    # An HTTP API (infra/api.py), metered per 512 KB: a GraphQL request is one. (A REST API
    # would be $3.50.)
    Meter.API_REQUESTS: Price(
        Decimal("1.00"),
        1_000_000,
        "Amazon API Gateway pricing: HTTP APIs, first 300 million requests a month",
    ),
    Meter.LAMBDA_REQUESTS: Price(Decimal("0.20"), 1_000_000, "AWS Lambda pricing: requests"),
    Meter.LAMBDA_COMPUTE: Price(
        Decimal("0.0000133334"), 1, "AWS Lambda pricing: duration, Arm, first 7.5 billion GB-s"
    ),
    # A request is billed per 64 KB chunk of its payload; a command is well under one chunk.
    Meter.SQS_REQUESTS: Price(
        Decimal("0.50"), 1_000_000, "Amazon SQS pricing: FIFO queue requests"
    ),
    Meter.DYNAMODB_WRITES: Price(
        Decimal("0.625"),
        1_000_000,
        "Amazon DynamoDB pricing: on-demand, Standard table class, write request units",
    ),
    Meter.DYNAMODB_READS: Price(
        Decimal("0.125"),
        1_000_000,
        "Amazon DynamoDB pricing: on-demand, Standard table class, read request units",
    ),
    Meter.S3_PUTS: Price(
        Decimal("0.005"), 1_000, "Amazon S3 pricing: S3 Standard, PUT, COPY, POST, LIST requests"
    ),
    Meter.S3_GETS: Price(
        Decimal("0.0004"), 1_000, "Amazon S3 pricing: S3 Standard, GET, SELECT and all other"
    ),
    Meter.SES_EMAILS: Price(
        Decimal("0.10"), 1_000, "Amazon SES pricing: outbound email, per recipient"
    ),
    Meter.LOG_INGESTION: Price(
        Decimal("0.50"), 1, "Amazon CloudWatch pricing: Logs, Standard class, data ingested"
    ),
    # Both functions trace actively (infra/functions.py); reading traces back is not modelled.
    Meter.XRAY_TRACES: Price(Decimal("5.00"), 1_000_000, "AWS X-Ray pricing: traces recorded"),
}
# Not modelled: KMS. The queues and buckets use their services' own keys; the table's AWS
# managed key is called a few times an hour (DynamoDB caches its data key), not per order.


class ShopOperation(StrEnum):
    PLACE = "place an order"
    READ = "read an order"
    POLL = "poll a command"
    DISPATCH = "dispatch an order"
    COMPLETE = "complete a delivery"
    DOWNLOAD_RECEIPT = "download a receipt"


@dataclass(frozen=True, slots=True)
class AwsCalls:
    """What one Lambda invocation sends to AWS for one operation, as counted on the emulator."""

    # Every call, by API operation as botocore names it ("SendMessage", "PutItem"). DynamoDB's
    # are billed by the units below and SES's by recipient; the others by call.
    calls: Mapping[str, int] = field(default_factory=dict)
    # Table writes by item size (1 per started KB; a transaction's items count twice).
    write_units: int = 0
    # A write to an item in a global secondary index writes the index too (by item size), and
    # moving it to another index key deletes its old entry (1 more).
    index_write_units: int = 0
    # 1 per started 4 KB read strongly consistent (a Query's items summed; a missing item 1).
    read_units: Decimal = Decimal(0)
    email_recipients: int = 0
    # The application's own log lines at the production level (INFO), SDKs' left out.
    log_lines: int = 0


@dataclass(frozen=True, slots=True)
class OperationCalls:
    # One GraphQL request: CloudFront, API Gateway and one invocation of the API's function.
    api: AwsCalls | None = None
    # One queued command: one invocation of the worker's function (see POLLER_* below).
    worker: AwsCalls | None = None
    # Requests a browser sends straight to S3 with a presigned URL.
    s3_gets: int = 0


# Measured for an order of two lines, on a registered customer; the order read at its largest
# (delivered: every change, receipt and email on its timeline); a command polled while pending
# (the poll that finds it applied also reads the order: count it among the reads).
# Dispatching and completing cost the same: one read and one message at the API, the order's
# change, its receipt and one email at the worker.
_STAFF_MOVE = OperationCalls(
    api=AwsCalls({"GetItem": 1, "SendMessage": 1}, read_units=Decimal(1)),
    worker=AwsCalls(
        {
            "Query": 1,
            "TransactWriteItems": 1,
            "PutObject": 1,
            "SendEmail": 1,
            "BatchWriteItem": 1,
        },
        write_units=8,
        index_write_units=3,
        read_units=Decimal(1),
        email_recipients=1,
        log_lines=1,
    ),
)
OPERATION_CALLS: Mapping[ShopOperation, OperationCalls] = {
    ShopOperation.PLACE: OperationCalls(
        api=AwsCalls({"SendMessage": 1}),
        worker=AwsCalls(
            {
                "BatchGetItem": 1,
                "TransactWriteItems": 1,
                "PutObject": 1,
                "SendEmail": 2,
                "BatchWriteItem": 1,  # the receipt and both emails recorded
            },
            write_units=11,
            index_write_units=2,
            read_units=Decimal(4),
            email_recipients=2,
            log_lines=1,
        ),
    ),
    ShopOperation.READ: OperationCalls(api=AwsCalls({"Query": 1}, read_units=Decimal(2))),
    ShopOperation.POLL: OperationCalls(api=AwsCalls({"GetItem": 1}, read_units=Decimal(1))),
    ShopOperation.DISPATCH: _STAFF_MOVE,
    ShopOperation.COMPLETE: _STAFF_MOVE,
    ShopOperation.DOWNLOAD_RECEIPT: OperationCalls(s3_gets=1),
}

# Assumed, not measured: what the emulator cannot tell.
# Both functions' memory, as the stack deploys them.
LAMBDA_MEMORY_MB = FUNCTION_MEMORY_MB
# Warm invocations, billed by the millisecond: a GraphQL request (one or two round trips to
# AWS), and a worker message (a read, a transaction, a receipt PDF rendered and stored, its
# emails, their records: about eight round trips and the PDF).
API_REQUEST_MS = 100
WORKER_MESSAGE_MS = 400
# Lambda's SQS pollers: a ReceiveMessage and a DeleteMessageBatch for each batch. Counted per
# message, as if every batch held one (the most it can cost; a batch holds up to 10).
POLLER_REQUESTS_PER_MESSAGE = 2
# And while the queues are idle: Lambda keeps long-polling each (20 s a poll) with about five
# pollers; a month of that whatever the orders.
IDLE_POLLERS_PER_QUEUE = 5
LONG_POLL_SECONDS = 20
POLLED_QUEUES = len(QUEUES)
SECONDS_PER_MONTH = 30 * 24 * 3600
# Log sizes: CloudWatch bills each event's bytes plus 26 of metadata. Lambda writes START, END
# and REPORT (with its X-Ray ids) per invocation; an application line is a Powertools JSON
# object with the invocation's and the log context's keys (app/logging_setup.py); API Gateway
# writes one JSON access-log line per request (infra/api.py's ACCESS_LOG_FORMAT).
LOG_EVENT_OVERHEAD_BYTES = 26
LAMBDA_PLATFORM_LOG_LINES = 3
LAMBDA_PLATFORM_LOG_BYTES = 450
APP_LOG_LINE_BYTES = 700
ACCESS_LOG_LINE_BYTES = 420
# X-Ray's default sampling, which Lambda applies to each function: the first request in each
# second, then 5% of the others. Counted as if requests were spread evenly over the month.
XRAY_RESERVOIR_PER_SECOND = 1
XRAY_SAMPLED_SHARE = Decimal("0.05")
