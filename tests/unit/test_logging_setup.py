"""Log lines carry what their task is about: the API's correlation id, the worker's order and
command; as Powertools' JSON in Lambda, as text on a developer's terminal."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from typing import Any

import pytest
from starlette.types import Receive, Scope, Send

from app.asgi import CorrelationIds
from app.logging_setup import KeyedTextFormatter, LogContextFilter, configure_lambda_logging
from app.settings import CORRELATION_ID_HEADER
from domain.log_context import CORRELATION_ID, ORDER_ID, current_log_context, log_context

logger = logging.getLogger("tests.unit.test_logging_setup")


@pytest.fixture
def json_lines() -> io.StringIO:
    """The root logger as in Lambda, writing its lines here."""
    powertools = configure_lambda_logging("api", "INFO")
    stream = io.StringIO()
    powertools.registered_handler.stream = stream
    return stream


def lines_of(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_line_carries_the_keys_of_its_context_and_only_there(json_lines: io.StringIO) -> None:
    with log_context(**{CORRELATION_ID: "c-1"}), log_context(**{ORDER_ID: "o-1"}):
        logger.info("inside")
    logger.info("outside")

    inside, outside = lines_of(json_lines)
    assert (inside["correlation_id"], inside["order_id"]) == ("c-1", "o-1")
    assert (inside["service"], inside["name"], inside["level"]) == ("api", logger.name, "INFO")
    assert "correlation_id" not in outside
    assert current_log_context() == {}


def test_a_key_without_a_value_is_left_out(json_lines: io.StringIO) -> None:
    with log_context(**{ORDER_ID: None}):
        logger.info("a customer's profile, no order")

    (line,) = lines_of(json_lines)
    assert "order_id" not in line


async def test_concurrent_tasks_keep_their_own_keys(json_lines: io.StringIO) -> None:
    async def handle(order_id: str) -> None:
        with log_context(**{ORDER_ID: order_id}):
            await asyncio.sleep(0)  # the other task sets its own meanwhile
            logger.info("handled %s", order_id)

    await asyncio.gather(handle("o-1"), handle("o-2"))

    assert {line["message"]: line["order_id"] for line in lines_of(json_lines)} == {
        "handled o-1": "o-1",
        "handled o-2": "o-2",
    }


async def test_every_line_an_api_request_logs_carries_its_correlation_id(
    json_lines: io.StringIO,
) -> None:
    async def logging_app(scope: Scope, receive: Receive, send: Send) -> None:
        logger.info("resolving")
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(_message: Any) -> None:
        pass

    scope = {"type": "http", "headers": [(CORRELATION_ID_HEADER.encode(), b"req-42")]}
    await CorrelationIds(logging_app)(scope, receive, send)

    (line,) = lines_of(json_lines)
    assert (line["message"], line["correlation_id"]) == ("resolving", "req-42")


def test_a_terminal_line_ends_with_its_keys() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(KeyedTextFormatter("%(levelname)s %(message)s"))
    handler.addFilter(LogContextFilter())
    record = logger.makeRecord(logger.name, logging.INFO, __file__, 1, "applied", (), None)

    with log_context(**{ORDER_ID: "o-1", CORRELATION_ID: "c-1"}):
        handler.handle(record)
    handler.handle(logger.makeRecord(logger.name, logging.INFO, __file__, 1, "idle", (), None))

    assert stream.getvalue().splitlines() == [
        "INFO applied [order_id=o-1 correlation_id=c-1]",
        "INFO idle",
    ]
