"""X-Ray subsegments: the right parent for each task's work under asyncio, one per AWS call with
what X-Ray shows of it, sent to the daemon only when Lambda's trace is sampled."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Mapping
from typing import Any

import pytest
from aiobotocore.session import get_session
from aiobotocore.stub import AioStubber
from botocore.exceptions import ClientError

from app.xray import (
    DAEMON_ADDRESS_VAR,
    TRACE_HEADER_VAR,
    AsyncSafeXRayProvider,
    TraceHeader,
    UdpDaemonEmitter,
    daemon_address,
    trace_aws_calls,
)
from domain.log_context import ORDER_ID, log_context

ROOT = "1-5759e988-bd862e3fe1be46a994272793"
SAMPLED = {TRACE_HEADER_VAR: f"Root={ROOT};Parent=53995c3f42cd8ad8;Sampled=1"}


class Sent(list[dict[str, Any]]):
    """The documents a provider sent, as the daemon would receive them."""

    def __call__(self, document: Mapping[str, Any]) -> None:
        self.append(json.loads(json.dumps(document)))

    def named(self, name: str) -> dict[str, Any]:
        (document,) = [document for document in self if document["name"] == name]
        return document


def a_provider(environ: Mapping[str, str] = SAMPLED) -> tuple[AsyncSafeXRayProvider, Sent]:
    sent = Sent()
    return AsyncSafeXRayProvider(sent, environ), sent


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (f"Root={ROOT};Parent=abc;Sampled=1", TraceHeader(ROOT, "abc", sampled=True)),
        (f"Root={ROOT};Parent=abc;Sampled=0;Lineage=a:1", TraceHeader(ROOT, "abc", False)),
        (f"Root={ROOT};Sampled=1", None),
        ("", None),
        (None, None),
    ],
)
def test_lambda_s_trace_header_is_read_as_lambda_writes_it(
    header: str | None, expected: TraceHeader | None
) -> None:
    assert TraceHeader.parse(header) == expected


async def test_concurrent_tasks_each_nest_their_work_under_their_own_subsegment() -> None:
    provider, sent = a_provider()

    async def task(name: str) -> None:
        async with provider.in_subsegment_async(name):
            await asyncio.sleep(0)  # the other task opens its subsegment meanwhile
            call = provider.begin(f"call of {name}", namespace="aws")
            assert call is not None
            await asyncio.sleep(0)
            provider.end(call)

    with provider.in_subsegment("## handler"):
        await asyncio.gather(task("first"), task("second"))

    handler = sent.named("## handler")
    assert handler["parent_id"] == "53995c3f42cd8ad8"
    for name in ("first", "second"):
        assert sent.named(name)["parent_id"] == handler["id"]
        assert sent.named(f"call of {name}")["parent_id"] == sent.named(name)["id"]
    assert {document["trace_id"] for document in sent} == {ROOT}
    assert all(document["type"] == "subsegment" for document in sent)


@pytest.mark.parametrize(
    "environ",
    [{}, {TRACE_HEADER_VAR: f"Root={ROOT};Parent=53995c3f42cd8ad8;Sampled=0"}],
    ids=["no-trace", "not-sampled"],
)
def test_nothing_is_sent_for_an_invocation_lambda_does_not_trace(environ: dict[str, str]) -> None:
    provider, sent = a_provider(environ)

    with provider.in_subsegment("## handler") as handler:
        handler.put_annotation("ColdStart", value=True)
        call = provider.begin("DynamoDB")
        if call is not None:
            provider.end(call)

    assert sent == []


def test_an_exception_is_the_subsegment_s_fault() -> None:
    provider, sent = a_provider()

    with pytest.raises(KeyError), provider.in_subsegment("## handler"):
        raise KeyError("order")

    document = sent.named("## handler")
    assert document["fault"] is True
    assert "KeyError" in document["cause"]["exceptions"][0]["message"]


@pytest.fixture
async def dynamodb() -> AsyncIterator[Any]:
    """A DynamoDB client whose answers are stubbed: nothing leaves the process."""
    session = get_session()
    async with session.create_client(
        "dynamodb",
        region_name="eu-west-1",
        aws_access_key_id="unit",
        aws_secret_access_key="unit",
    ) as client:
        yield client


async def test_an_aws_call_is_a_subsegment_with_its_operation_resource_and_order(
    dynamodb: Any,
) -> None:
    provider, sent = a_provider()
    trace_aws_calls(dynamodb, provider)
    trace_aws_calls(dynamodb, provider)  # registering again does not double
    stubber = AioStubber(dynamodb)
    stubber.add_response("get_item", {"ResponseMetadata": {"RequestId": "R1"}})

    with stubber, log_context(**{ORDER_ID: "01ORDER"}):
        await dynamodb.get_item(TableName="orders", Key={"PK": {"S": "ORDER#01ORDER"}})

    (document,) = sent
    assert document["name"] == "DynamoDB"
    assert document["namespace"] == "aws"
    assert document["parent_id"] == "53995c3f42cd8ad8"
    assert document["aws"] | {"region": "eu-west-1"} == {
        "operation": "GetItem",
        "region": "eu-west-1",
        "table_name": "orders",
        "request_id": "R1",
        "retries": 0,
    }
    assert document["http"] == {"response": {"status": 200}}
    assert document["annotations"] == {ORDER_ID: "01ORDER"}
    assert not {"error", "fault", "throttle"} & set(document)


@pytest.mark.parametrize(
    ("status", "flags"),
    [(400, {"error"}), (429, {"error", "throttle"}), (500, {"fault"})],
)
async def test_a_refused_aws_call_is_flagged_as_x_ray_reads_its_status(
    dynamodb: Any, status: int, flags: set[str]
) -> None:
    provider, sent = a_provider()
    trace_aws_calls(dynamodb, provider)
    stubber = AioStubber(dynamodb)
    stubber.add_client_error("get_item", "Refused", http_status_code=status)

    with stubber, pytest.raises(ClientError):
        await dynamodb.get_item(TableName="orders", Key={"PK": {"S": "ORDER#1"}})

    (document,) = sent
    assert {flag for flag in ("error", "fault", "throttle") if document.get(flag)} == flags
    assert document["http"] == {"response": {"status": status}}


def test_the_daemon_gets_each_subsegment_in_one_datagram() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as daemon:
        daemon.bind(("127.0.0.1", 0))
        daemon.settimeout(5)
        port = daemon.getsockname()[1]
        emitter = UdpDaemonEmitter({DAEMON_ADDRESS_VAR: f"127.0.0.1:{port}"})
        provider = AsyncSafeXRayProvider(emitter, SAMPLED)

        with provider.in_subsegment("## handler"):
            pass
        datagram = daemon.recv(65536)
        emitter.reset()

    preamble, document = datagram.split(b"\n", 1)
    assert json.loads(preamble) == {"format": "json", "version": 1}
    assert json.loads(document)["name"] == "## handler"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("169.254.79.129:2000", ("169.254.79.129", 2000)),
        ("tcp:127.0.0.1:2000 udp:127.0.0.2:2001", ("127.0.0.2", 2001)),
        ("", ("127.0.0.1", 2000)),
    ],
)
def test_the_daemon_address_is_read_in_either_of_its_forms(
    value: str, expected: tuple[str, int]
) -> None:
    assert daemon_address({DAEMON_ADDRESS_VAR: value}) == expected
