"""The AWS clients' timeouts and retries fit inside the function that makes the call."""

from __future__ import annotations

import importlib
import json
import sys
from types import SimpleNamespace
from typing import Any, cast

import aioboto3
import pytest
from botocore.exceptions import ParamValidationError

from app.aws_clients import (
    API_TIMEOUTS,
    LOCAL_TIMEOUTS,
    USER_AGENT,
    WORKER_TIMEOUTS,
    AwsClients,
    ClientTimeouts,
)
from domain.resources import API_TIMEOUT_SECONDS, WORKER_TIMEOUT_SECONDS
from tests.api_requests import LAMBDA_ENVIRONMENT, UNREACHABLE_AWS


@pytest.mark.parametrize(
    ("timeouts", "function_timeout"),
    [(API_TIMEOUTS, API_TIMEOUT_SECONDS), (WORKER_TIMEOUTS, WORKER_TIMEOUT_SECONDS)],
    ids=["api", "worker"],
)
def test_a_call_with_all_its_retries_ends_before_its_function_times_out(
    timeouts: ClientTimeouts, function_timeout: int
) -> None:
    assert timeouts.worst_case_seconds() < function_timeout


def test_the_worst_case_counts_every_attempt_and_each_backoff() -> None:
    # 3 attempts of 2 + 5 s, and back-offs of up to 2 and 4 s between them.
    assert ClientTimeouts(2, 5, 3).worst_case_seconds() == 3 * 7 + 2 + 4
    # botocore caps a back-off at 20 s.
    assert ClientTimeouts(1, 1, 7).worst_case_seconds() == 7 * 2 + 2 + 4 + 8 + 16 + 20 + 20


def test_the_local_worker_can_long_poll() -> None:
    assert LOCAL_TIMEOUTS.read_seconds > 20  # SQS's longest poll


async def test_the_client_uses_the_attempts_as_a_total_not_as_retries() -> None:
    session = aioboto3.Session(region_name="us-east-1")
    config = API_TIMEOUTS.config()
    async with session.client(
        "dynamodb",
        config=config,
        endpoint_url="http://127.0.0.1:9",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    ) as client:
        assert client.meta.config.retries["total_max_attempts"] == API_TIMEOUTS.max_attempts
        assert client.meta.config.connect_timeout == API_TIMEOUTS.connect_seconds
        assert client.meta.config.read_timeout == API_TIMEOUTS.read_seconds


@pytest.mark.parametrize(
    ("timeouts", "validated"),
    [(API_TIMEOUTS, False), (WORKER_TIMEOUTS, False), (LOCAL_TIMEOUTS, True)],
    ids=["api", "worker", "local"],
)
async def test_only_local_clients_check_requests_before_sending_them(
    timeouts: ClientTimeouts, validated: bool
) -> None:
    clients = AwsClients("us-east-1", UNREACHABLE_AWS, timeouts)
    try:
        dynamodb = await clients.dynamodb()

        def answer_instead_of_sending(**_: Any) -> Any:
            """A 200 for what would be sent, without a network call."""
            return SimpleNamespace(status_code=200, headers={}), {"sent": True}

        dynamodb.meta.events.register("before-call.dynamodb.GetItem", answer_instead_of_sending)
        get_without_key: Any = dynamodb.get_item(TableName="orders")  # type: ignore[call-arg]
        if validated:
            with pytest.raises(ParamValidationError):
                await get_without_key
        else:  # sent for AWS to refuse
            assert await get_without_key == {"sent": True}
    finally:
        await clients.close()


@pytest.mark.parametrize(
    ("module", "timeouts"),
    [("app.api_lambda", API_TIMEOUTS), ("app.worker_lambda", WORKER_TIMEOUTS)],
)
def test_each_handler_makes_its_calls_with_its_functions_timeouts(
    module: str, timeouts: ClientTimeouts
) -> None:
    with pytest.MonkeyPatch.context() as environment:
        for name, value in LAMBDA_ENVIRONMENT.items():
            environment.setenv(name, value)
        sys.modules.pop(module, None)
        try:
            found = vars(importlib.import_module(module)).values()
            # The module's clients, or those of the runtime it holds.
            clients = [value for value in found if isinstance(value, AwsClients)] + [
                inner
                for value in found
                if hasattr(value, "__dict__") and not isinstance(value, type)
                for inner in vars(value).values()
                if isinstance(inner, AwsClients)
            ]
        finally:
            sys.modules.pop(module, None)

    assert clients
    assert {client.timeouts for client in clients} == {timeouts}


async def test_receipt_links_name_the_buckets_region(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    clients = AwsClients("eu-west-1", timeouts=API_TIMEOUTS)
    try:
        s3 = await clients.s3()
        link = await s3.generate_presigned_url(
            "get_object", Params={"Bucket": "shop-receipts", "Key": "receipts/o/v1.pdf"}
        )
    finally:
        await clients.close()

    assert link.startswith("https://shop-receipts.s3.eu-west-1.amazonaws.com/receipts/o/v1.pdf?")


async def test_every_client_sends_our_user_agent_and_dynamodb_reads_its_items_as_json() -> None:
    clients = AwsClients("us-east-1", UNREACHABLE_AWS, API_TIMEOUTS)
    try:
        dynamodb, sqs = await clients.dynamodb(), await clients.sqs()
        answer = {"Item": {"PK": {"S": "ORDER#1"}, "version": {"N": "2"}}}
        response = {"status_code": 200, "headers": {}, "body": json.dumps(answer).encode()}
        parsed: dict[str, Any] = {}
        await dynamodb.meta.events.emit(
            "before-parse.dynamodb.GetItem",
            operation_model=None,
            response_dict=response,
            customized_response_dict=parsed,
        )
    finally:
        await clients.close()

    for client in (dynamodb, sqs):
        assert client.meta.config.user_agent.startswith(f"{USER_AGENT} botocore/")
    assert parsed == answer
    assert response["body"] == b""  # nothing left for botocore's own parse


async def test_clients_opened_again_after_closing_resolve_their_credentials_anew(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As after a SnapStart restore: the snapshot's credentials must not be reused."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDSNAPSHOT")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "snapshot")
    clients = AwsClients("eu-west-1", timeouts=API_TIMEOUTS)
    before = await clients.dynamodb()
    assert cast(Any, before)._get_credentials().access_key == "AKIDSNAPSHOT"
    await clients.close()

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDRESTORED")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "restored")
    after = await clients.dynamodb()

    assert after is not before
    assert cast(Any, after)._get_credentials().access_key == "AKIDRESTORED"
    await clients.close()


async def test_clients_from_one_instance_are_opened_from_one_session(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each session loads botocore's endpoint rules and models again: one per process."""
    sessions: list[aioboto3.Session] = []

    class CountedSession(aioboto3.Session):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            sessions.append(self)

    monkeypatch.setattr(aioboto3, "Session", CountedSession)
    clients = AwsClients("eu-west-1", UNREACHABLE_AWS)
    await clients.dynamodb()
    await clients.sqs()
    await clients.s3()
    await clients.sesv2()

    assert len(sessions) == 1
    await clients.close()
