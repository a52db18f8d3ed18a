"""Bodies and content types that are not a GraphQL request, sent to the running local server.

Each gets a 4xx with a JSON GraphQL error and a correlation id, never a 5xx nor plain text;
a mutation sent as anything but JSON is not run, and nothing reaches the queue.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import httpx
import pytest

from domain.ids import order_id_for
from tests.api_requests import (
    ACCEPTED_CONTENT_TYPES,
    JSON,
    MALFORMED_BODIES,
    TYPENAME,
    TYPENAME_ANSWER,
    UNSUPPORTED_CONTENT_TYPES,
    Refused,
    assert_graphql_refusal,
)
from tests.e2e import operations as op
from tests.e2e.conftest import LiveServer
from tests.e2e.test_order_lifecycle import place, registered_customer

pytestmark = pytest.mark.e2e

FORGED_KEY = "forged-cross-site"


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=15) as client:
        yield client


def post(
    http: httpx.Client, server: LiveServer, token: str, body: bytes, content_type: str | None
) -> httpx.Response:
    headers = {"authorization": f"Bearer {token}"}
    if content_type is not None:
        headers["content-type"] = content_type
    return http.post(server.graphql_url, content=body, headers=headers)


def assert_refused(response: httpx.Response, expected: Refused) -> None:
    assert_graphql_refusal(response.status_code, response.headers, response.content, expected)


@pytest.mark.parametrize("refused", MALFORMED_BODIES)
def test_a_body_that_is_not_one_operation_gets_a_json_400(
    live_server: LiveServer, http: httpx.Client, refused: Refused
) -> None:
    response = post(http, live_server, live_server.customer_token, refused.body, JSON)

    assert_refused(response, refused)


@pytest.mark.parametrize("content_type", ACCEPTED_CONTENT_TYPES)
def test_json_with_or_without_a_charset_is_answered(
    live_server: LiveServer, http: httpx.Client, content_type: str
) -> None:
    response = post(http, live_server, live_server.customer_token, TYPENAME, content_type)

    assert response.status_code == 200, response.text
    assert response.json() == TYPENAME_ANSWER
    assert response.headers["x-correlation-id"]


def test_a_mutation_in_anything_but_json_is_not_run_nor_queued(
    live_server: LiveServer, http: httpx.Client
) -> None:
    # GIVEN a registered customer
    token = registered_customer(live_server, f"eve-{uuid.uuid4().hex[:6]}")
    sub = live_server.tokens.verify(token).sub
    body = json.dumps(
        {
            "query": op.PLACE,
            "variables": {
                "input": {
                    "items": [{"sku": "COFFEE-1KG", "quantity": 1}],
                    "idempotencyKey": FORGED_KEY,
                }
            },
        }
    ).encode()

    # WHEN the same placeOrder is sent with every content type a cross-site form could use
    for content_type in UNSUPPORTED_CONTENT_TYPES:
        response = post(http, live_server, token, body, *content_type.values)
        assert_refused(response, Refused(body, status=415, code="UNSUPPORTED_MEDIA_TYPE"))
        assert "data" not in response.json()
    # ...and then once as JSON with another key, which the worker applies after anything queued
    # before it for this customer
    place(live_server, token, items=[{"sku": "COFFEE-1KG", "quantity": 1}], idempotencyKey="real")

    # THEN only the JSON order exists
    orders = live_server.graphql(token, op.MY_ORDERS)["orders"]["edges"]
    assert [edge["node"]["id"] for edge in orders] == [order_id_for(sub, "real")]
    assert live_server.graphql(token, op.ORDER_OWNER, id=order_id_for(sub, FORGED_KEY)) == {
        "order": None
    }


def test_graphiql_still_opens_in_a_browser(live_server: LiveServer, http: httpx.Client) -> None:
    response = http.get(live_server.graphql_url, headers={"accept": "text/html"})

    assert response.status_code == 200
    assert "graphiql" in response.text.lower()
