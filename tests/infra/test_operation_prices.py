"""What the cost estimate (app/operations/prices.py) assumes of the stack is what it deploys:
the functions' memory, active tracing on both, and an HTTP API in front of them."""

from __future__ import annotations

import pytest

from app.operations.prices import LAMBDA_MEMORY_MB, PRICES, Meter
from tests.infra.conftest import Synthesized

pytestmark = pytest.mark.infra


def test_both_functions_have_the_memory_the_estimate_prices(synthesized: Synthesized) -> None:
    functions = synthesized.service_functions().values()

    assert [function["Properties"]["MemorySize"] for function in functions] == [
        LAMBDA_MEMORY_MB,
        LAMBDA_MEMORY_MB,
    ]


def test_both_functions_record_the_traces_the_estimate_prices(synthesized: Synthesized) -> None:
    functions = synthesized.service_functions().values()

    assert Meter.XRAY_TRACES in PRICES
    assert [function["Properties"]["TracingConfig"] for function in functions] == [
        {"Mode": "Active"},
        {"Mode": "Active"},
    ]


def test_the_api_is_the_http_api_the_estimate_prices(synthesized: Synthesized) -> None:
    assert "HTTP APIs" in PRICES[Meter.API_REQUESTS].page
    assert synthesized.resources("AWS::ApiGateway::RestApi") == {}
    [api] = synthesized.resources("AWS::ApiGatewayV2::Api").values()
    assert api["Properties"]["ProtocolType"] == "HTTP"
