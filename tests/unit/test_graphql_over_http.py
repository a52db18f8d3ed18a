"""GraphQL over HTTP as its spec has it, in-process: queries over GET, mutations over POST only,
and the answer in the media type the client accepts, with the status that type calls for.

No request here reaches AWS.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest

from app.api_services import LazyApiServices
from app.asgi import create_app
from app.aws_clients import AwsClients
from app.graphql_request import GRAPHQL_RESPONSE_MEDIA_TYPE
from app.local.dev_tokens import BearerTokenAuthenticator, DevTokens
from tests.api_requests import JSON, query_string, settings_for

tokens = DevTokens("unit-test-secret-at-least-32-bytes-long")
GRAPHQL_RESPONSE = GRAPHQL_RESPONSE_MEDIA_TYPE
TYPE_NAME = "query TypeName($name: String!) { __type(name: $name) { name } }"
REGISTER = 'mutation Register { registerCustomer(input: {name: "Eve"}) { __typename } }'
# Operations that never run, whatever the media type: each is refused before any resolver.
NEVER_RUN = {
    "does-not-parse": {"query": "{"},
    "fails-validation": {"query": "{ noSuchField }"},
    "variable-does-not-coerce": {
        "query": "query($id: ID!) { order(id: $id) { id } }",
        "variables": {"id": None},
    },
    "over-the-alias-limit": {
        "query": "{ " + " ".join(f"a{index}: __typename" for index in range(20)) + " }"
    },
}


@pytest.fixture(scope="module")
async def http(clients: AwsClients) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(
        LazyApiServices(settings_for(), clients),
        BearerTokenAuthenticator(tokens),
        developer_mode=True,
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://t",
        headers={"authorization": f"Bearer {tokens.issue('ann')}"},
    ) as client:
        yield client


async def test_a_query_over_get_is_answered_with_its_variables_and_operation_name(
    http: httpx.AsyncClient,
) -> None:
    document = f"{TYPE_NAME} query Other {{ __typename }}"
    parameters = query_string(
        query=document, variables=json.dumps({"name": "Query"}), operationName="TypeName"
    )

    response = await http.get(f"/graphql?{parameters.decode()}", headers={"accept": JSON})

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == JSON
    assert response.json() == {"data": {"__type": {"name": "Query"}}}


@pytest.mark.parametrize("accept", [JSON, GRAPHQL_RESPONSE])
@pytest.mark.parametrize(
    "parameters",
    [
        pytest.param({"query": REGISTER}, id="mutation"),
        pytest.param(
            {"query": f"query Q {{ __typename }} {REGISTER}", "operationName": "Register"},
            id="mutation-named-beside-a-query",
        ),
        pytest.param({"query": "mutation { noSuchField }"}, id="invalid-mutation"),
    ],
)
async def test_a_mutation_over_get_is_a_json_405_that_allows_post(
    http: httpx.AsyncClient, accept: str, parameters: dict[str, str]
) -> None:
    response = await http.get(
        f"/graphql?{query_string(**parameters).decode()}", headers={"accept": accept}
    )

    assert response.status_code == 405, response.text
    assert response.headers["allow"] == "POST"
    assert response.headers["content-type"] == accept
    assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"
    assert "data" not in response.json()


async def test_the_query_beside_a_mutation_runs_over_get_when_named(
    http: httpx.AsyncClient,
) -> None:
    parameters = query_string(query=f"query Q {{ __typename }} {REGISTER}", operationName="Q")

    response = await http.get(f"/graphql?{parameters.decode()}")

    assert response.status_code == 200, response.text
    assert response.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_a_client_that_accepts_graphql_response_json_gets_it(
    http: httpx.AsyncClient, method: str
) -> None:
    accept = {"accept": f"{GRAPHQL_RESPONSE}, {JSON};q=0.9"}
    response = (
        await http.get("/graphql?query={__typename}", headers=accept)
        if method == "GET"
        else await http.post("/graphql", json={"query": "{ __typename }"}, headers=accept)
    )

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == GRAPHQL_RESPONSE
    assert response.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize("operation", NEVER_RUN.values(), ids=list(NEVER_RUN))
async def test_an_operation_that_never_runs_is_a_400_without_data_in_graphql_response_json(
    http: httpx.AsyncClient, operation: dict[str, object]
) -> None:
    response = await http.post("/graphql", json=operation, headers={"accept": GRAPHQL_RESPONSE})

    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == GRAPHQL_RESPONSE
    answer = response.json()
    assert set(answer) == {"errors"}
    assert answer["errors"][0]["message"]


@pytest.mark.parametrize("operation", NEVER_RUN.values(), ids=list(NEVER_RUN))
async def test_an_operation_that_never_runs_stays_a_200_with_null_data_in_json(
    http: httpx.AsyncClient, operation: dict[str, object]
) -> None:
    response = await http.post("/graphql", json=operation, headers={"accept": JSON})

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == JSON
    answer = response.json()
    assert answer["data"] is None
    assert answer["errors"]


async def test_a_query_over_get_that_never_runs_is_a_400_in_graphql_response_json(
    http: httpx.AsyncClient,
) -> None:
    response = await http.get("/graphql?query={", headers={"accept": GRAPHQL_RESPONSE})

    assert response.status_code == 400, response.text
    assert set(response.json()) == {"errors"}


async def test_a_field_that_fails_keeps_its_200_and_data_in_graphql_response_json(
    http: httpx.AsyncClient,
) -> None:
    # The operation ran: the spec's 4xx is only for one that never did. Here the field refuses
    # its argument, and the error has the field's path.
    response = await http.post(
        "/graphql",
        json={"query": "{ products(first: 0) { edges { node { sku } } } }"},
        headers={"accept": GRAPHQL_RESPONSE},
    )

    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["data"] is None
    assert answer["errors"][0]["path"] == ["products"]


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_a_refusal_is_written_in_the_media_type_the_client_accepts(
    http: httpx.AsyncClient, method: str
) -> None:
    accept = {"accept": GRAPHQL_RESPONSE}
    response = (
        await http.get("/graphql?variables=[]", headers=accept)
        if method == "GET"
        else await http.post("/graphql", content=b"null", headers={**accept, "content-type": JSON})
    )

    assert response.status_code == 400
    assert response.headers["content-type"] == GRAPHQL_RESPONSE
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_an_accept_of_neither_json_type_is_a_json_406(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"accept": "application/xml"}
    )

    assert response.status_code == 406
    assert response.headers["content-type"] == JSON
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_ACCEPTABLE"
