"""What a client gets back over HTTP for anything but a GraphQL request: the ASGI app in-process.

Every refusal is a 4xx with a JSON GraphQL error and a correlation id; whatever escapes is a
JSON 500 quoting a logged correlation id, never plain text. No request here reaches AWS.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from app.api_services import LazyApiServices
from app.asgi import MAX_BODY_BYTES, create_app
from app.aws_clients import AwsClients
from app.local.dev_tokens import BearerTokenAuthenticator, DevTokens
from app.local.graphiql_page import graphiql_ide
from tests.api_requests import (
    ACCEPTED_CONTENT_TYPES,
    JSON,
    MALFORMED_BODIES,
    MALFORMED_QUERY_STRINGS,
    REGISTER,
    TYPENAME,
    TYPENAME_ANSWER,
    UNSUPPORTED_CONTENT_TYPES,
    Refused,
    assert_graphql_refusal,
    query_string,
    settings_for,
)

SECRET = "unit-test-secret-at-least-32-bytes-long"
SHOP = "https://shop.example"
tokens = DevTokens(SECRET)


class BrokenServices:
    """Services that fail to start, as an unreachable or misconfigured AWS would make them."""

    async def get(self) -> Any:
        raise RuntimeError("the services could not start")


class Api:
    """The app under test, and a client that calls it as a signed-in customer."""

    def __init__(self, app: Starlette) -> None:
        self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")

    async def post(
        self, body: bytes, content_type: str | None = JSON, *, sub: str | None = "customer"
    ) -> httpx.Response:
        headers = {"content-type": content_type} if content_type is not None else {}
        if sub is not None:
            headers["authorization"] = f"Bearer {tokens.issue(sub)}"
        return await self.http.post("/graphql", content=body, headers=headers)

    async def get(self, query: bytes, *, accept: str = JSON) -> httpx.Response:
        """A GET with this raw query string, as a signed-in customer."""
        headers = {"accept": accept, "authorization": f"Bearer {tokens.issue('customer')}"}
        return await self.http.get(f"/graphql?{query.decode()}", headers=headers)


def app_for(
    services: LazyApiServices | BrokenServices,
    *,
    developer_mode: bool = True,
    extra_routes: Sequence[BaseRoute] = (),
) -> Starlette:
    return create_app(
        services,  # type: ignore[arg-type]
        BearerTokenAuthenticator(tokens),
        developer_mode=developer_mode,
        extra_routes=extra_routes,
        # Locally (developer mode) the local server's GraphiQL; in Lambda, no IDE.
        ide=graphiql_ide() if developer_mode else None,
    )


def services_for(clients: AwsClients) -> LazyApiServices:
    # A refused request reaches no resolver, and `{ __typename }` needs no AWS.
    return LazyApiServices(settings_for(), clients)


# One app per module: building the schema and the SDK's clients is most of a test's time.
@pytest.fixture(scope="module")
async def api(clients: AwsClients) -> AsyncIterator[Api]:
    client = Api(app_for(services_for(clients)))
    yield client
    await client.http.aclose()


@pytest.fixture(scope="module")
async def production_api(clients: AwsClients) -> AsyncIterator[Api]:
    client = Api(app_for(services_for(clients), developer_mode=False))
    yield client
    await client.http.aclose()


def assert_refused(response: httpx.Response, expected: Refused) -> None:
    assert_graphql_refusal(response.status_code, response.headers, response.content, expected)


@pytest.mark.parametrize("refused", MALFORMED_BODIES)
async def test_a_body_that_is_not_one_operation_gets_a_json_400(api: Api, refused: Refused) -> None:
    assert_refused(await api.post(refused.body, refused.content_type), refused)


@pytest.mark.parametrize("content_type", UNSUPPORTED_CONTENT_TYPES)
async def test_a_mutation_in_anything_but_json_is_not_run(
    api: Api, content_type: str | None
) -> None:
    response = await api.post(REGISTER, content_type)

    assert_refused(response, Refused(REGISTER, status=415, code="UNSUPPORTED_MEDIA_TYPE"))
    assert "data" not in response.json()  # no resolver ran


@pytest.mark.parametrize("content_type", ACCEPTED_CONTENT_TYPES)
async def test_json_with_or_without_a_utf8_charset_is_answered(api: Api, content_type: str) -> None:
    response = await api.post(TYPENAME, content_type)

    assert response.status_code == 200, response.text
    assert response.json() == TYPENAME_ANSWER
    assert response.headers["x-correlation-id"]


@pytest.mark.parametrize("refused", MALFORMED_BODIES[:6])
async def test_a_caller_without_a_token_is_refused_before_the_body_is_read(
    api: Api, refused: Refused
) -> None:
    response = await api.post(refused.body, refused.content_type, sub=None)

    assert_refused(response, Refused(refused.body, status=401, code="UNAUTHENTICATED"))
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
async def test_a_body_over_the_limit_gets_a_json_413(api: Api, declared: bool) -> None:
    body = b'{"query": "{ __typename }", "x": "' + b"a" * MAX_BODY_BYTES + b'"}'

    async def chunks() -> AsyncIterator[bytes]:
        yield body

    response = await api.http.post(
        "/graphql",
        content=body if declared else chunks(),
        headers={"content-type": JSON, "authorization": f"Bearer {tokens.issue('ann')}"},
    )

    assert_refused(response, Refused(body, status=413, code="REQUEST_TOO_LARGE"))


@pytest.mark.parametrize("refused", MALFORMED_QUERY_STRINGS)
async def test_a_get_that_is_not_one_query_gets_a_json_4xx(api: Api, refused: Refused) -> None:
    response = await api.get(refused.body)

    assert_refused(response, refused)


async def test_a_browser_still_gets_graphiql_locally(api: Api) -> None:
    response = await api.http.get("/graphql?query={__typename}", headers={"accept": "text/html"})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "graphiql" in response.text.lower()


async def test_production_serves_no_ide_and_refuses_an_html_only_get_as_json(
    production_api: Api,
) -> None:
    response = await production_api.get(query_string(query="{ __typename }"), accept="text/html")

    assert_refused(response, Refused(b"", status=406, code="NOT_ACCEPTABLE"))


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "OPTIONS"])
async def test_a_method_other_than_get_and_post_gets_a_json_405(api: Api, method: str) -> None:
    headers = {"authorization": f"Bearer {tokens.issue('ann')}"}

    response = await api.http.request(method, "/graphql", content=TYPENAME, headers=headers)

    assert_refused(response, Refused(b"", status=405, code="METHOD_NOT_ALLOWED"))
    assert response.headers["allow"] == "GET, POST"


async def test_a_head_request_gets_a_405_naming_get_and_post(api: Api) -> None:
    response = await api.http.head("/graphql?query={__typename}")

    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"


async def test_no_such_page_is_a_json_404(api: Api) -> None:
    response = await api.http.get("/no-such-page")

    assert_refused(response, Refused(b"", status=404, code="NOT_FOUND"))


@pytest.mark.parametrize(
    ("origin", "requested_headers"),
    [("https://evil.example", "authorization"), (SHOP, "authorization, x-forged")],
    ids=["unknown-origin", "disallowed-header"],
)
async def test_a_refused_cors_preflight_is_a_json_400(
    clients: AwsClients, origin: str, requested_headers: str
) -> None:
    app = create_app(
        services_for(clients),
        BearerTokenAuthenticator(tokens),
        developer_mode=False,
        cors_allowed_origins=[SHOP],
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as http:
        response = await http.options(
            "/graphql",
            headers={
                "origin": origin,
                "access-control-request-method": "GET",
                "access-control-request-headers": requested_headers,
            },
        )

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    assert response.json()["errors"][0]["extensions"]["code"] == "CORS_PREFLIGHT_REFUSED"
    assert response.headers.get("access-control-allow-origin") in (None, SHOP)


async def test_a_client_correlation_id_comes_back_on_a_refusal(api: Api) -> None:
    response = await api.http.post(
        "/graphql", content=b"null", headers={"content-type": JSON, "x-correlation-id": "trace-7"}
    )

    assert response.status_code == 401
    assert response.headers["x-correlation-id"] == "trace-7"


async def test_a_correlation_id_that_could_forge_log_lines_is_replaced(api: Api) -> None:
    response = await api.http.get("/healthz", headers={"x-correlation-id": "a b\\nERROR forged"})

    assert response.status_code == 200
    assert response.headers["x-correlation-id"] != "a b\\nERROR forged"
    assert response.headers["x-correlation-id"].isalnum()


async def test_an_unexpected_failure_is_a_json_500_quoting_a_logged_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def crash(_request: Request) -> Response:
        raise RuntimeError("a bug")

    app = app_for(BrokenServices(), extra_routes=[Route("/crash", crash)])
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as http:
        with caplog.at_level(logging.ERROR, logger="app.asgi"):
            answers = [
                await http.post(
                    "/graphql",
                    content=TYPENAME,
                    headers={"content-type": JSON, "authorization": f"Bearer {tokens.issue('a')}"},
                ),
                await http.get("/crash"),
            ]

    for response in answers:
        correlation_id = response.headers["x-correlation-id"]
        assert_refused(response, Refused(b"", status=500, code="INTERNAL"))
        assert correlation_id in response.json()["errors"][0]["message"]
        assert "RuntimeError" not in response.text
        assert any(
            correlation_id in record.getMessage() and record.exc_info for record in caplog.records
        )


# What the body alone shows; an unknown operationName needs the parsed document, so Strawberry
# judges it once the request is under way.
BODY_ALONE = [case for case in MALFORMED_BODIES if not str(case.id).startswith("operation-name")]


@pytest.mark.parametrize("refused", BODY_ALONE)
async def test_a_bad_body_is_refused_even_when_aws_is_out_of_reach(refused: Refused) -> None:
    # The body is judged before any service starts: a bad request never costs an AWS client.
    broken = Api(app_for(BrokenServices()))

    assert_refused(await broken.post(refused.body, refused.content_type), refused)


@pytest.mark.parametrize(
    "refused", [case for case in MALFORMED_QUERY_STRINGS if case.id != "operation-name-unknown"]
)
async def test_a_bad_query_string_is_refused_even_when_aws_is_out_of_reach(
    refused: Refused,
) -> None:
    broken = Api(app_for(BrokenServices()))

    assert_refused(await broken.get(refused.body), refused)


async def test_an_unsupported_content_type_is_refused_even_when_aws_is_out_of_reach() -> None:
    broken = Api(app_for(BrokenServices()))

    response = await broken.post(REGISTER, "text/plain")

    assert_refused(response, Refused(REGISTER, status=415, code="UNSUPPORTED_MEDIA_TYPE"))


async def test_a_500_reaches_an_allowed_origin_with_its_cors_headers() -> None:
    app = create_app(
        BrokenServices(),  # type: ignore[arg-type]
        BearerTokenAuthenticator(tokens),
        developer_mode=False,
        cors_allowed_origins=["https://shop.example"],
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as http:
        response = await http.post(
            "/graphql",
            content=TYPENAME,
            headers={
                "content-type": JSON,
                "authorization": f"Bearer {tokens.issue('a')}",
                "origin": "https://shop.example",
            },
        )

    assert response.status_code == 500
    assert response.headers["access-control-allow-origin"] == "https://shop.example"
    assert "x-correlation-id" in response.headers["access-control-expose-headers"].lower()
    assert response.headers["x-correlation-id"]
