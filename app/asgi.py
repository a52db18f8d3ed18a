"""The ASGI app: Starlette routes around the Strawberry GraphQL view, with authentication."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from http import HTTPStatus

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.applications import Starlette
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types import ExecutionResult

from app.api_services import LazyApiServices
from app.graphql_request import (
    GRAPHQL_RESPONSE_MEDIA_TYPE,
    JSON_MEDIA_TYPE,
    MethodNotAllowedError,
    RequestRefusedError,
    RequestTooLargeError,
    graphql_error_response,
    graphql_request,
    graphql_request_from_query_string,
    response_media_type,
    unauthenticated_response,
)
from app.settings import CORRELATION_ID_HEADER, CORS, GRAPHQL_METHODS, GRAPHQL_PATH
from domain.log_context import CORRELATION_ID, log_context
from resolvers.context import RequestContext, request_context
from resolvers.identity import Authenticator, Identity, InvalidTokenError
from schema.graphql_schema import build_schema

logger = logging.getLogger(__name__)
# A GraphQL request is a query text and its variables: 64 KiB is far beyond any real one
# (the token limit stops long queries anyway), and keeps a flood of large bodies cheap.
MAX_BODY_BYTES = 64 * 1024
_CORRELATION_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# The operation a request carries, parsed (and refused if malformed) before Strawberry builds
# its context: a bad body costs no AWS client and is a 4xx even when AWS is out of reach.
_parsed_operation: ContextVar[GraphQLRequestData] = ContextVar("parsed_operation")
# The media type the client accepts, which the answer is written in (create_response).
_response_media_type: ContextVar[str] = ContextVar("response_media_type")


@dataclass(frozen=True, slots=True)
class IdePage:
    """A GraphQL IDE for browsers: its page, and the routes that serve what the page loads.
    The local server brings GraphiQL (app.local.graphiql_page); the Lambda serves no IDE."""

    html: str
    asset_routes: Sequence[BaseRoute] = ()


class OrderDeliveryGraphQL(GraphQL[RequestContext, None]):
    """GraphQL over HTTP as its spec has it, every operation authenticated before Strawberry
    sees it; the IDE page needs no token.

    Queries over GET or POST, mutations over POST only. A client that accepts
    `application/graphql-response+json` is answered in it, where an operation that never ran
    (it did not parse, validate, coerce its variables or fit the limits) is a 400;
    `application/json`, what older clients take, keeps a 200 for it.

    Every refusal is a GraphQL-shaped JSON error with a 4xx status: a method other than GET and
    POST, or a mutation over GET (405); an Accept of neither JSON type (406); a missing or
    invalid token (401); a body too large (413) or a query string too long (414); a request
    that is not one operation (400); a POST's Content-Type other than `application/json` (415).
    """

    def __init__(
        self,
        services: LazyApiServices,
        authenticator: Authenticator,
        *,
        developer_mode: bool,
        ide: IdePage | None = None,
    ) -> None:
        super().__init__(
            build_schema(developer_mode=developer_mode),
            graphql_ide="graphiql" if ide is not None else None,
            # Strawberry still refuses a mutation over GET (a 405, in _run): GETs change nothing.
            allow_queries_via_get=True,
        )
        self._services = services
        self._authenticator = authenticator
        self._ide_page = ide.html if ide is not None else ""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        if self.graphql_ide and _wants_ide(request):
            response = await self.render_graphql_ide(request)
        else:
            response = await self._answer_or_refuse(request)
        await response(scope, receive, send)

    async def _answer_or_refuse(self, request: Request) -> Response:
        media_type = JSON_MEDIA_TYPE  # until the client's Accept is read
        try:
            if request.method not in GRAPHQL_METHODS:
                raise MethodNotAllowedError(
                    "Send queries with GET or POST, mutations with POST.",
                    allowed=GRAPHQL_METHODS,
                )
            media_type = response_media_type(request.headers.get("accept"))
            return await self._answer(request, media_type)
        except InvalidTokenError as error:
            return unauthenticated_response(str(error), media_type=media_type)
        except RequestRefusedError as refusal:
            return graphql_error_response(
                refusal.status_code,
                refusal.code,
                str(refusal),
                headers=refusal.headers,
                media_type=media_type,
            )
        except HTTPException as refusal:  # Strawberry's own, e.g. an unknown operationName
            status = HTTPStatus(refusal.status_code)
            return graphql_error_response(
                status, status.name, refusal.reason, media_type=media_type
            )

    async def _answer(self, request: Request, media_type: str) -> Response:
        request.state.identity = self._authenticator.authenticate(request)
        _response_media_type.set(media_type)
        if request.method == "GET":
            _parsed_operation.set(graphql_request_from_query_string(request.scope["query_string"]))
            return await self._run(request)
        body = await _read_body(request, MAX_BODY_BYTES)
        _parsed_operation.set(graphql_request(request.headers.get("content-type"), body))

        async def replay() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        return await self._run(Request(request.scope, replay))

    async def _run(self, request: Request) -> Response:
        try:
            return await self.run(request)
        except HTTPException as refusal:
            # Strawberry refuses an operation type the method cannot carry: over GET, a mutation.
            if isinstance(refusal.__cause__, InvalidOperationTypeError):
                raise MethodNotAllowedError(
                    "A mutation changes state: send it with POST.", allowed=["POST"]
                ) from refusal
            raise

    def should_render_graphql_ide(self, request: object) -> bool:
        return False  # __call__ serves the IDE to browsers; anything else is an operation

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> GraphQLRequestData:
        return _parsed_operation.get()  # parsed by _answer, within this same request

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        response = await super().process_result(request, result)
        if _response_media_type.get() == GRAPHQL_RESPONSE_MEDIA_TYPE and _never_ran(result):
            del response["data"]  # the spec's sign that nothing ran, which create_response reads
        return response

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        assert isinstance(response_data, dict)  # batching is off
        # sub_response is left out: the context hands no resolver a response to set headers on.
        status = HTTPStatus.OK if "data" in response_data else HTTPStatus.BAD_REQUEST
        return Response(
            self.encode_json(response_data), status, media_type=_response_media_type.get()
        )

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> RequestContext:
        identity: Identity = request.state.identity
        correlation_id: str = request.state.correlation_id
        return request_context(await self._services.get(), identity, correlation_id)

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(self._ide_page)


def _never_ran(result: ExecutionResult) -> bool:
    """Whether the operation was refused before it ran: it did not parse or validate, its
    variables did not coerce, it was over its cost budget. GraphQL reports those errors without
    a path; an error in a field always has one."""
    errors = result.errors or []
    return result.data is None and bool(errors) and all(error.path is None for error in errors)


class JsonCORSMiddleware(CORSMiddleware):
    """Starlette's CORS, with a refused preflight answered in JSON like every other 4xx here."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < HTTPStatus.BAD_REQUEST:
            return response
        headers = {
            name: value
            for name, value in response.headers.items()
            if name not in ("content-type", "content-length")
        }
        return graphql_error_response(
            response.status_code,
            "CORS_PREFLIGHT_REFUSED",
            f"{bytes(response.body).decode()}.",  # Starlette's "Disallowed CORS origin, headers"
            headers=headers,
        )


class CorrelationIds:
    """Gives every HTTP request a correlation id and returns it on every response.

    An exception nothing else handled becomes a JSON 500 quoting the id, logged with its
    traceback: a client never gets a plain-text error, and can quote the id when reporting one.
    """

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        correlation_id = _correlation_id(Headers(scope=scope))
        scope.setdefault("state", {})["correlation_id"] = correlation_id
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                MutableHeaders(scope=message)[CORRELATION_ID_HEADER] = correlation_id
            await send(message)

        # Every line logged while answering carries the id (and so does its X-Ray trace).
        with log_context(**{CORRELATION_ID: correlation_id}):
            try:
                await self._app(scope, receive, send_with_id)
            except Exception:
                logger.exception("unexpected error %s", correlation_id)
                if started:
                    raise  # the status is sent already: only the server can end the response
                unexpected = graphql_error_response(
                    HTTPStatus.INTERNAL_SERVER_ERROR,
                    "INTERNAL",
                    f"Unexpected error. Reference: {correlation_id}",
                )
                await unexpected(scope, receive, send_with_id)


def _correlation_id(headers: Headers) -> str:
    offered = headers.get(CORRELATION_ID_HEADER, "")
    # A client's id is kept (to trace its own calls) only if it cannot forge log lines.
    return offered if _CORRELATION_ID.fullmatch(offered) else uuid.uuid4().hex


def _wants_ide(request: Request) -> bool:
    # A browser's GET accepts HTML, API clients' do not: a browser gets the IDE, a shared
    # GraphiQL link with ?query=... included, and API clients get the operation's answer.
    return request.method == "GET" and "text/html" in request.headers.get("accept", "")


async def _read_body(request: Request, limit: int) -> bytes:
    """The request's body; RequestTooLargeError past `limit` bytes, whatever Content-Length says."""
    too_large = RequestTooLargeError(f"The request body is larger than {limit} bytes.")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise too_large
    return bytes(body)


async def _http_error(_request: Request, error: Exception) -> Response:
    """Starlette's own refusals (no such route, a method the route lacks), as GraphQL errors."""
    assert isinstance(error, StarletteHTTPException)
    status = HTTPStatus(error.status_code)
    return graphql_error_response(status, status.name, error.detail, headers=error.headers)


async def _health(_request: Request) -> Response:
    return JSONResponse({"status": "ok"})


def create_app(
    services: LazyApiServices,
    authenticator: Authenticator,
    *,
    developer_mode: bool,
    cors_allowed_origins: Sequence[str] = (),
    extra_routes: Sequence[BaseRoute] = (),
    ide: IdePage | None = None,
) -> Starlette:
    routes: list[BaseRoute] = [
        # Every method reaches the view, which refuses all but GET and POST itself (`Allow`).
        Route(
            GRAPHQL_PATH,
            OrderDeliveryGraphQL(services, authenticator, developer_mode=developer_mode, ide=ide),
        ),
        Route("/healthz", _health),
        *extra_routes,
        *(ide.asset_routes if ide is not None else ()),
    ]
    # CORS outermost, so even the correlation id's 500 reaches a browser with its CORS headers.
    middleware = []
    if cors_allowed_origins:
        middleware.append(
            Middleware(
                JsonCORSMiddleware,
                allow_origins=list(cors_allowed_origins),
                allow_methods=list(CORS.methods),
                allow_headers=list(CORS.headers),
                expose_headers=list(CORS.exposed_headers),
                max_age=CORS.max_age_seconds,
            )
        )
    middleware.append(Middleware(CorrelationIds))
    return Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={StarletteHTTPException: _http_error},
    )
