"""Production limits of the GraphQL endpoint, over HTTP against the ASGI app and the emulator."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from botocore.exceptions import EndpointConnectionError
from graphql import parse, print_ast
from starlette.requests import Request
from strawberry.schema.schema import validate_document

from app.api_services import LazyApiServices
from app.asgi import MAX_BODY_BYTES, create_app
from resolvers.identity import Identity
from schema import graphql_schema
from schema.graphql_schema import MAX_ALIASES, MAX_TOKENS, build_schema
from tests.integration.conftest import Stack, identity, register_command

pytestmark = pytest.mark.integration

INTROSPECTION = "{ __schema { queryType { name } } }"
TYPO = "{ ordrs { edges { node { id } } } }"


class SignedIn:
    """An authenticator for tests: everyone is the given identity."""

    def __init__(self, who: Identity) -> None:
        self.who = who

    def authenticate(self, request: Request) -> Identity:
        return self.who


def client(stack: Stack, *, developer_mode: bool, who: Identity | None = None) -> httpx.AsyncClient:
    """The API over HTTP in-process, everyone signed in as `who` (the customer ann by default)."""
    assert stack.settings.aws_endpoint_url is not None
    app = create_app(
        LazyApiServices(stack.settings, stack.clients),
        SignedIn(who or identity("ann")),
        developer_mode=developer_mode,
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def post(http: httpx.AsyncClient, query: str, **variables: Any) -> httpx.Response:
    return await http.post("/graphql", json={"query": query, "variables": variables})


async def test_production_hides_the_schema_and_suggestions(stack: Stack) -> None:
    async with client(stack, developer_mode=False) as http:
        introspection = (await post(http, INTROSPECTION)).json()
        typo = (await post(http, TYPO)).json()
        ide = await http.get("/graphql", headers={"accept": "text/html"})

    assert "introspection" in introspection["errors"][0]["message"].lower()
    assert "data" not in introspection or introspection["data"] is None
    assert typo["errors"][0]["message"] == "Cannot query field 'ordrs' on type 'Query'."
    assert ide.status_code != 200 or "graphiql" not in ide.text.lower()


async def test_the_local_server_shows_the_schema_and_suggestions(stack: Stack) -> None:
    async with client(stack, developer_mode=True) as http:
        introspection = (await post(http, INTROSPECTION)).json()
        typo = (await post(http, TYPO)).json()

    assert introspection["data"] == {"__schema": {"queryType": {"name": "Query"}}}
    assert "Did you mean 'orders'" in typo["errors"][0]["message"]


async def test_too_many_aliases_are_refused(stack: Stack) -> None:
    aliases = " ".join(f"a{index}: me {{ id }}" for index in range(MAX_ALIASES + 1))

    async with client(stack, developer_mode=False) as http:
        answer = (await post(http, f"{{ {aliases} }}")).json()

    assert "aliases" in answer["errors"][0]["message"]


@pytest.mark.parametrize("developer_mode", [False, True], ids=["production", "local"])
async def test_a_document_over_the_token_limit_is_refused_each_time(
    stack: Stack, developer_mode: bool
) -> None:
    # Two braces and one name per field; the document cache must not let it through later.
    over = "{ " + "__typename " * (MAX_TOKENS - 1) + "}"

    async with client(stack, developer_mode=developer_mode) as http:
        answers = [(await post(http, query)).json() for query in (over, "{ __typename }", over)]

    assert f"more than {MAX_TOKENS} tokens" in answers[0]["errors"][0]["message"]
    assert answers[1] == {"data": {"__typename": "Query"}}
    assert answers[2] == answers[0]


async def test_a_body_over_the_limit_is_refused_before_parsing(stack: Stack) -> None:
    padding = "#" * (MAX_BODY_BYTES + 1)

    async with client(stack, developer_mode=False) as http:
        answer = await post(http, "{ me { id } }\n" + padding)

    assert answer.status_code == 413
    assert answer.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"


async def test_batched_operations_are_refused(stack: Stack) -> None:
    async with client(stack, developer_mode=False) as http:
        answer = await http.post("/graphql", json=[{"query": "{ me { id } }"}] * 2)

    assert answer.status_code == 400


async def test_the_correlation_id_comes_back_with_the_response(stack: Stack) -> None:
    async with client(stack, developer_mode=False) as http:
        answer = await http.post(
            "/graphql", json={"query": "{ me { id } }"}, headers={"x-correlation-id": "trace-42"}
        )

    assert answer.headers["x-correlation-id"] == "trace-42"


async def test_each_text_is_validated_once_per_schema_with_the_limits_on(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    validated: list[str] = []

    def counted(schema: Any, document: Any, rules: Any) -> Any:
        validated.append(print_ast(document))
        return validate_document(schema, document, rules)

    monkeypatch.setattr(graphql_schema, "validate_document", counted)
    production, developer = build_schema(), build_schema(developer_mode=True)
    query = "query CacheProbe { products(first: 3) { edges { node { sku } } } }"
    introspection = "{ __schema { queryType { name } } }"

    for _ in range(3):
        context = await stack.context(identity("ann"))
        assert (await production.execute(query, context_value=context)).errors is None
        refused = await production.execute(introspection, context_value=context)
        assert refused.errors
        assert "introspection" in refused.errors[0].message.lower()
        assert (await developer.execute(introspection, context_value=context)).errors is None

    # Three documents, each validated once by each schema that saw it: the refusal is
    # remembered as it was, and the developer schema's own rules are not the production's.
    assert len(validated) == 3
    assert sorted(validated).count(print_ast(parse(introspection))) == 2


async def test_sqs_unavailable_is_a_clear_retryable_error_and_nothing_happens(
    stack: Stack,
) -> None:
    await stack.apply(register_command("ann"))
    sqs = await stack.clients.sqs()

    def unreachable(**_: Any) -> None:
        raise EndpointConnectionError(endpoint_url="https://sqs.example")

    sqs.meta.events.register("before-call.sqs.SendMessage", unreachable)
    try:
        async with client(stack, developer_mode=False) as http:
            answer = (
                await post(
                    http,
                    "mutation($input: PlaceOrderInput!) { placeOrder(input: $input) "
                    "{ __typename ... on CommandAccepted { orderId } } }",
                    input={"items": [{"sku": "TEA", "quantity": 1}], "idempotencyKey": "k-1"},
                )
            ).json()
    finally:
        sqs.meta.events.unregister("before-call.sqs.SendMessage", unreachable)

    (error,) = answer["errors"]
    assert error["extensions"] == {"code": "UNAVAILABLE", "retryable": True}
    assert "Retry" in error["message"]
    assert answer["data"] is None
    assert await stack.drain() == []  # nothing reached the queue
