"""The worker's Lambda handler on an SQS event, its runtime on fakes: the EMF metrics it writes
for each batch and the JSON log lines, each carrying its message's order and command."""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pytest

from app.settings import EnvVar
from domain.commands import Command, encode_command
from domain.orders import DeliveryPriority
from tests.api_requests import LAMBDA_ENVIRONMENT
from tests.factories import (
    CUSTOMER_SUB,
    a_business,
    a_cancel_order_command,
    a_catalogue,
    a_place_order_command,
    a_profile,
)
from tests.fakes import (
    FakeCommandStore,
    FakeLambdaContext,
    FakeMailer,
    FakeReceiptStore,
)
from workers.command_handlers import CommandHandlers
from workers.order_effects import OrderEffects
from workers.sqs_batch import PartialBatchResponse, process_sqs_batch


@dataclass
class FakeRuntime:
    """The worker's runtime on fakes, counting with the module's own metrics."""

    handlers: CommandHandlers

    async def process(self, event: dict[str, Any]) -> PartialBatchResponse:
        return await process_sqs_batch(event, self.handlers)


@dataclass
class Worker:
    module: ModuleType
    store: FakeCommandStore
    mailer: FakeMailer

    def run(self, *commands: Command) -> PartialBatchResponse:
        records = [
            {
                "messageId": f"m{index}",
                "body": encode_command(command),
                "attributes": {"MessageGroupId": command.message_group()},
            }
            for index, command in enumerate(commands)
        ]
        # Where the test captures stdout now (Powertools' handler keeps the stream it was made
        # with, and is made once per process).
        self.module._logger.registered_handler.stream = sys.stdout
        response: PartialBatchResponse = self.module.handler(
            {"Records": records}, FakeLambdaContext()
        )
        return response


@pytest.fixture
def worker(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Iterator[Worker]:
    """app.worker_lambda imported as Lambda does (settings from the environment), while
    stdout is captured: its log lines and EMF metrics are written there."""
    for name, value in (LAMBDA_ENVIRONMENT | {EnvVar.LOG_LEVEL: "INFO"}).items():
        monkeypatch.setenv(name, value)
    sys.modules.pop("app.worker_lambda", None)
    module = importlib.import_module("app.worker_lambda")
    store = FakeCommandStore(catalogue=a_catalogue())
    store.profiles[CUSTOMER_SUB] = a_profile()
    mailer = FakeMailer()
    metrics = module._metrics
    effects = OrderEffects(store, FakeReceiptStore(), mailer, a_business(), metrics)
    monkeypatch.setattr(module, "_runtime", FakeRuntime(CommandHandlers(store, effects, metrics)))
    yield Worker(module, store, mailer)
    sys.modules.pop("app.worker_lambda", None)


def written_lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]


def emf_metrics(lines: list[dict[str, Any]]) -> dict[tuple[str, str, str], list[float]]:
    """Each EMF line's metric values, by (metric, dimension, value) with the service apart."""
    found = {}
    for line in lines:
        if "_aws" not in line:
            continue
        (directive,) = line["_aws"]["CloudWatchMetrics"]
        assert directive["Namespace"] == "OrderDelivery"
        assert line["service"] == "worker"
        (dimensions,) = directive["Dimensions"]
        (dimension,) = [name for name in dimensions if name != "service"]
        for metric in directive["Metrics"]:
            values = line[metric["Name"]]
            found[metric["Name"], dimension, line[dimension]] = (
                values if isinstance(values, list) else [values]
            )
    return found


def test_a_batch_writes_its_metrics_once_each_by_dimension(
    worker: Worker, capsys: pytest.CaptureFixture[str]
) -> None:
    placed = a_place_order_command(priority=DeliveryPriority.URGENT)
    missing = a_cancel_order_command()

    response = worker.run(placed, missing)

    assert response == {"batchItemFailures": []}
    metrics = emf_metrics(written_lines(capsys))
    assert metrics["OrdersPlaced", "priority", "URGENT"] == [1.0]
    assert metrics["CommandsApplied", "command", "PlaceOrder"] == [1.0]
    assert metrics["CommandsRejected", "code", "NOT_FOUND"] == [1.0]
    latency = metrics["CommandApplyLatency", "command", "PlaceOrder"]
    issued_to_recorded = worker.store.outcomes[placed.command_id].recorded_at - placed.issued_at
    assert latency == [issued_to_recorded.total_seconds() * 1000]
    assert ("CommandsApplied", "command", "CancelOrder") not in metrics


def test_a_redelivered_batch_counts_nothing_again(
    worker: Worker, capsys: pytest.CaptureFixture[str]
) -> None:
    placed = a_place_order_command()
    worker.run(placed)
    capsys.readouterr()

    worker.run(placed)

    assert emf_metrics(written_lines(capsys)) == {}


def test_an_effect_that_fails_is_counted_by_kind_and_its_message_retried(
    worker: Worker, capsys: pytest.CaptureFixture[str]
) -> None:
    worker.mailer.failures = 1

    response = worker.run(a_place_order_command())

    assert response == {"batchItemFailures": [{"itemIdentifier": "m0"}]}
    metrics = emf_metrics(written_lines(capsys))
    assert metrics["EffectFailures", "effect", "EMAIL_CUSTOMER"] == [1.0]
    assert metrics["OrdersPlaced", "priority", "STANDARD"] == [1.0]


def test_each_log_line_carries_its_message_order_command_and_invocation(
    worker: Worker, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = a_place_order_command(), a_cancel_order_command()

    worker.run(first, second)

    logs = [line for line in written_lines(capsys) if "_aws" not in line]
    applied = {line["order_id"]: line for line in logs if line["message"].startswith("applied")}
    assert set(applied) == {first.order_id, second.order_id}
    for command, message_id in ((first, "m0"), (second, "m1")):
        line = applied[command.order_id]
        assert line["command_id"] == line["correlation_id"] == command.command_id
        assert line["message_id"] == message_id
        assert line["service"] == "worker"
        assert line["name"] == "workers.sqs_batch"
        assert line["function_request_id"] == FakeLambdaContext.aws_request_id


def test_every_client_the_worker_opens_is_traced(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in LAMBDA_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    sys.modules.pop("app.worker_lambda", None)
    module = importlib.import_module("app.worker_lambda")
    clients = module._runtime._clients

    opened = [
        module._loop.run_until_complete(open_client())
        for open_client in (clients.dynamodb, clients.s3, clients.sesv2)
    ]

    # app.xray's hook, on each client's events by its unique id
    assert all(
        "xray-call-begins" in client.meta.events._emitter._unique_id_handlers for client in opened
    )
    module._loop.run_until_complete(clients.close())
    sys.modules.pop("app.worker_lambda", None)
