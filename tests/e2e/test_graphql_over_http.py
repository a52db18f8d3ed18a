"""GraphQL over HTTP against the running server: queries over GET, mutations over POST only, the
media type the client accepts, and graphql-http's audit of the spec finding nothing to say."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from app.graphql_request import GRAPHQL_RESPONSE_MEDIA_TYPE
from app.local.demo_catalogue import DEMO_PRODUCTS
from tests.api_requests import (
    JSON,
    MALFORMED_QUERY_STRINGS,
    Refused,
    assert_graphql_refusal,
    query_string,
)
from tests.e2e.conftest import LiveServer

pytestmark = pytest.mark.e2e

AUDIT_DIR = Path(__file__).parents[2] / "scripts" / "http_audit"
AUDIT_SECONDS = 60
PRODUCT = "query Product($sku: ID!) { product(sku: $sku) { sku name } }"
REGISTER = 'mutation Register { registerCustomer(input: {name: "Eve"}) { __typename } }'


def _get(server: LiveServer, query: bytes, *, accept: str = JSON) -> httpx.Response:
    return server.graphql._http.get(
        f"{server.graphql_url}?{query.decode()}",
        headers={"Accept": accept, "Authorization": f"Bearer {server.customer_token}"},
    )


def test_a_query_over_get_answers_with_its_variables_and_operation_name(
    live_server: LiveServer,
) -> None:
    coffee = DEMO_PRODUCTS[0]
    query = query_string(
        query=f"{PRODUCT} query Me {{ me {{ id }} }}",
        variables=json.dumps({"sku": coffee.sku}),
        operationName="Product",
    )

    response = _get(live_server, query)

    assert response.status_code == 200, response.text
    assert response.json() == {"data": {"product": {"sku": coffee.sku, "name": coffee.name}}}


@pytest.mark.parametrize("accept", [JSON, GRAPHQL_RESPONSE_MEDIA_TYPE])
def test_a_mutation_over_get_is_a_json_405_that_allows_post(
    live_server: LiveServer, accept: str
) -> None:
    response = _get(live_server, query_string(query=REGISTER), accept=accept)

    assert_graphql_refusal(
        response.status_code,
        response.headers,
        response.content,
        Refused(b"", status=405, code="METHOD_NOT_ALLOWED"),
        media_type=accept,
    )
    assert response.headers["allow"] == "POST"


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_a_method_other_than_get_and_post_is_a_json_405(
    live_server: LiveServer, method: str
) -> None:
    response = live_server.graphql._http.request(
        method,
        live_server.graphql_url,
        json={"query": "{ __typename }"},
        headers={"Authorization": f"Bearer {live_server.customer_token}"},
    )

    assert_graphql_refusal(
        response.status_code,
        response.headers,
        response.content,
        Refused(b"", status=405, code="METHOD_NOT_ALLOWED"),
    )
    assert response.headers["allow"] == "GET, POST"


@pytest.mark.parametrize(
    ("accept", "status", "media_type"),
    [(JSON, 200, JSON), (GRAPHQL_RESPONSE_MEDIA_TYPE, 400, GRAPHQL_RESPONSE_MEDIA_TYPE)],
)
@pytest.mark.parametrize("query", ["{", "{ noSuchField }"], ids=["parse", "validation"])
def test_a_query_that_never_runs_has_the_status_its_media_type_calls_for(
    live_server: LiveServer, accept: str, status: int, media_type: str, query: str
) -> None:
    response = live_server.graphql._http.post(
        live_server.graphql_url,
        json={"query": query},
        headers={"Accept": accept, "Authorization": f"Bearer {live_server.customer_token}"},
    )

    assert response.status_code == status, response.text
    assert response.headers["content-type"] == media_type
    assert response.json()["errors"]
    assert ("data" in response.json()) == (media_type == JSON)


@pytest.mark.parametrize("refused", MALFORMED_QUERY_STRINGS)
def test_a_get_that_is_not_one_query_gets_a_json_4xx(
    live_server: LiveServer, refused: Refused
) -> None:
    response = _get(live_server, refused.body)

    assert_graphql_refusal(response.status_code, response.headers, response.content, refused)


def test_the_graphql_over_http_audit_passes_every_audit(live_server: LiveServer) -> None:
    """graphql-http's audit of the spec, through scripts/http_audit (installed by `make test`).

    It has nothing to report: no error (a MUST), no warning (a SHOULD), no notice (a MAY). One
    that appears must be fixed, or argued in the README's "GraphQL over HTTP" and allowed here.
    """
    node = shutil.which("node")
    if node is None or not (AUDIT_DIR / "node_modules" / "graphql-http").is_dir():
        pytest.fail("the audit needs Node.js and `npm ci --prefix scripts/http_audit`")
    completed = subprocess.run(
        [node, str(AUDIT_DIR / "audit.mjs"), live_server.graphql_url],
        env={**os.environ, "AUDIT_BEARER_TOKEN": live_server.customer_token},
        capture_output=True,
        text=True,
        timeout=AUDIT_SECONDS,
        check=False,
    )
    results = [json.loads(line) for line in completed.stdout.splitlines()]
    print(completed.stdout)  # every result, for `pytest -rP` and `make audit`

    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert len(results) > 50, completed.stdout + completed.stderr  # the whole audit ran
    assert [result for result in results if result["status"] != "ok"] == []
