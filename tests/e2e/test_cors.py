"""CORS through HTTP: the web app's origin may call the API from a browser, any other may not."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.conftest import LiveServer

pytestmark = pytest.mark.e2e

WEB_APP = "http://localhost:5173"  # the local server's default: the web app's dev server


def _preflight(
    server: LiveServer,
    origin: str,
    method: str = "POST",
    headers: str = "authorization, content-type",
) -> httpx.Response:
    return server.graphql._http.options(
        server.graphql_url,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": headers,
        },
    )


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_a_preflight_from_the_web_app_is_allowed(live_server: LiveServer, method: str) -> None:
    response = _preflight(live_server, WEB_APP, method)

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == WEB_APP
    assert method in response.headers["access-control-allow-methods"]
    allowed = response.headers["access-control-allow-headers"].lower()
    assert "authorization" in allowed
    assert "content-type" in allowed


@pytest.mark.parametrize(
    "origin",
    ["https://evil.example", "http://localhost:5174", "null", "http://localhost:5173.evil"],
)
def test_a_preflight_from_another_origin_gets_no_allow_header(
    live_server: LiveServer, origin: str
) -> None:
    response = _preflight(live_server, origin)

    assert response.status_code >= 400
    assert "access-control-allow-origin" not in response.headers
    assert response.headers["content-type"] == "application/json"
    assert response.json()["errors"][0]["extensions"]["code"] == "CORS_PREFLIGHT_REFUSED"


@pytest.mark.parametrize(
    ("method", "headers"),
    [("PUT", "authorization"), ("POST", "authorization, x-forged")],
    ids=["method", "header"],
)
def test_a_preflight_refused_for_the_web_app_is_json_too(
    live_server: LiveServer, method: str, headers: str
) -> None:
    response = _preflight(live_server, WEB_APP, method, headers)

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    assert response.json()["errors"][0]["extensions"]["code"] == "CORS_PREFLIGHT_REFUSED"


def test_the_web_app_can_read_an_answer_and_its_correlation_id(live_server: LiveServer) -> None:
    response = live_server.graphql._http.post(
        live_server.graphql_url,
        json={"query": "{ __typename }"},
        headers={"Origin": WEB_APP, "Authorization": f"Bearer {live_server.customer_token}"},
    )

    assert response.json() == {"data": {"__typename": "Query"}}
    assert response.headers["access-control-allow-origin"] == WEB_APP
    assert "x-correlation-id" in response.headers["access-control-expose-headers"].lower()
    assert "*" not in response.headers["access-control-allow-origin"]
