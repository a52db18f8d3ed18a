"""The API's SnapStart hooks, called as Lambda calls them (the runtime's module is absent here):
warm before the snapshot without a call to AWS, renew after a restore what no copy may share."""

from __future__ import annotations

import importlib
import json
import logging
import random
import sys
from collections.abc import Callable, Iterator
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

from app.settings import EnvVar
from tests.api_requests import (
    LAMBDA_ENVIRONMENT,
    TYPENAME,
    TYPENAME_ANSWER,
    UNREACHABLE_AWS,
    api_gateway_event,
)
from tests.fakes import FakeLambdaContext

# Any call to AWS fails: nothing listens there.
ENVIRONMENT = LAMBDA_ENVIRONMENT | {EnvVar.AWS_ENDPOINT_URL: UNREACHABLE_AWS}


def import_api_lambda(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    for name, value in ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    sys.modules.pop("app.api_lambda", None)
    return importlib.import_module("app.api_lambda")


@pytest.fixture
def api_lambda(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    yield import_api_lambda(monkeypatch)
    sys.modules.pop("app.api_lambda", None)


def test_before_the_snapshot_a_request_is_answered_and_no_aws_call_made(
    api_lambda: ModuleType, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        api_lambda.before_snapshot()

    assert not caplog.records  # the warm-up answered 200, with AWS out of reach
    # Its clients are opened (what that imports is in the snapshot), to be renewed after it.
    assert set(api_lambda._clients._clients) == {"dynamodb", "sqs", "s3"}


def test_after_a_restore_the_clients_and_services_are_new_and_random_reseeded(
    api_lambda: ModuleType,
) -> None:
    api_lambda.before_snapshot()
    loop, services = api_lambda._loop, api_lambda._services
    before = loop.run_until_complete(services.get())
    random.seed(7)
    snapshot_state = random.getstate()

    api_lambda.after_restore()

    assert random.getstate() != snapshot_state
    after = loop.run_until_complete(services.get())
    assert after is not before
    assert after.reads is not before.reads


def test_a_restored_copy_still_answers(api_lambda: ModuleType) -> None:
    api_lambda.before_snapshot()
    api_lambda.after_restore()

    answer = api_lambda.handler(api_gateway_event(TYPENAME), FakeLambdaContext())

    assert answer["statusCode"] == 200, answer
    assert json.loads(answer["body"]) == TYPENAME_ANSWER


def test_no_event_can_pass_for_the_warm_up(api_lambda: ModuleType) -> None:
    event = api_gateway_event(TYPENAME, claims=None)
    event["headers"]["order_delivery.warm_up"] = "1"

    answer = api_lambda.handler(event, FakeLambdaContext())

    assert answer["statusCode"] == 401, answer


def test_the_hooks_are_registered_where_the_runtime_provides_snapshot_restore_py(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    registered: dict[str, Callable[..., Any]] = {}
    runtime_module = SimpleNamespace(
        register_before_snapshot=lambda hook: registered.setdefault("before", hook),
        register_after_restore=lambda hook: registered.setdefault("after", hook),
    )
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", runtime_module)

    module = import_api_lambda(monkeypatch)

    assert registered == {"before": module.before_snapshot, "after": module.after_restore}
    sys.modules.pop("app.api_lambda", None)


def test_without_snapstart_the_module_loads_and_registers_nothing(
    api_lambda: ModuleType,
) -> None:
    assert "snapshot_restore_py" not in sys.modules
    assert callable(api_lambda.handler)


def _traced(client: Any) -> bool:
    """Whether app.xray's hook is on the client's events (registered by its unique id)."""
    return "xray-call-begins" in client.meta.events._emitter._unique_id_handlers


def test_every_client_is_traced_before_the_snapshot_and_after_a_restore(
    api_lambda: ModuleType,
) -> None:
    api_lambda.before_snapshot()
    before = dict(api_lambda._clients._clients)
    api_lambda.after_restore()
    api_lambda._loop.run_until_complete(api_lambda._services.open_clients())
    after = dict(api_lambda._clients._clients)

    assert set(before) == set(after) == {"dynamodb", "sqs", "s3"}
    assert all(_traced(client) for client in (*before.values(), *after.values()))
    assert not set(map(id, before.values())) & set(map(id, after.values()))
