"""The ASGI app: Starlette routes around the Strawberry GraphQL view, with authentication."""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from http import HTTPStatus

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.applications import Starlette
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLRequestData

from app.api_services import LazyApiServices
from app.graphiql_page import FIRST_QUERY_PATH, GRAPHIQL_ASSETS_DIR, graphiql_html
from app.graphql_request import (
    JSON_MEDIA_TYPE,
    MalformedRequestError,
    RequestRefusedError,
    RequestTooLargeError,
    graphql_request,
)
from app.settings import GRAPHQL_PATH
from resolvers.context import RequestContext, request_context
from resolvers.identity import Authenticator, Identity, InvalidTokenError
from schema.graphql_schema import build_schema

logger = logging.getLogger(__name__)
GRAPHIQL_ASSETS_PATH = "/graphiql-assets"
CORRELATION_ID_HEADER = "x-correlation-id"
# A GraphQL request is a query text and its variables: 64 KiB is far beyond any real one
# (the token limit stops long queries anyway), and keeps a flood of large bodies cheap.
MAX_BODY_BYTES = 64 * 1024
_CORRELATION_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# The operation a request carries, parsed (and refused if malformed) before Strawberry builds
# its context: a bad body costs no AWS client and is a 4xx even when AWS is out of reach.
_parsed_operation: ContextVar[GraphQLRequestData] = ContextVar("parsed_operation")


class OrderDeliveryGraphQL(GraphQL[RequestContext, None]):
    """Authenticates every operation before Strawberry sees it; the IDE page needs no token.

    Every refusal is a GraphQL-shaped JSON error with a 4xx status: a missing or invalid token
    (401), a body too large (413), a body that is not one operation as JSON (400), a
    Content-Type other than `application/json` (415).
    """

    def __init__(
        self,
        services: LazyApiServices,
        authenticator: Authenticator,
        *,
        developer_mode: bool,
        ide_headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(
            build_schema(developer_mode=developer_mode),
            graphql_ide="graphiql" if developer_mode else None,
            allow_queries_via_get=False,  # a GET must never change state, nor be cached by proxies
        )
        self._services = services
        self._authenticator = authenticator
        # The IDE opens ready: a first query in the editor, these headers (a demo token) in
        # its Headers tab, so the schema loads without pasting anything.
        self._ide_page = (
            graphiql_html(
                GRAPHIQL_ASSETS_PATH,
                default_query=FIRST_QUERY_PATH.read_text(encoding="utf-8"),
                default_headers=json.dumps(dict(ide_headers), indent=2) if ide_headers else None,
            )
            if developer_mode
            else ""
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            response = await self._answer(Request(scope, receive))
        except InvalidTokenError as error:
            response = unauthenticated_response(str(error))
        except RequestRefusedError as refusal:
            response = graphql_error_response(refusal.status_code, refusal.code, str(refusal))
        except HTTPException as refusal:  # Strawberry's own, e.g. an unknown operationName
            status = HTTPStatus(refusal.status_code)
            response = graphql_error_response(status, status.name, refusal.reason)
        await response(scope, receive, send)

    async def _answer(self, request: Request) -> Response:
        if self.graphql_ide and _wants_ide(request):
            return await self.render_graphql_ide(request)
        request.state.identity = self._authenticator.authenticate(request)
        if request.method != "POST":
            raise MalformedRequestError(
                f"Send operations with POST and Content-Type: {JSON_MEDIA_TYPE}."
            )
        body = await _read_body(request, MAX_BODY_BYTES)
        _parsed_operation.set(graphql_request(request.headers.get("content-type"), body))

        async def replay() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        return await self.run(Request(request.scope, replay))

    def should_render_graphql_ide(self, request: object) -> bool:
        return False  # __call__ serves the IDE to browsers; anything else is an operation

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> GraphQLRequestData:
        return _parsed_operation.get()  # parsed by _answer, within this same request

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> RequestContext:
        identity: Identity = request.state.identity
        correlation_id: str = request.state.correlation_id
        return request_context(await self._services.get(), identity, correlation_id)

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(self._ide_page)


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

        try:
            await self._app(scope, receive, send_with_id)
        except Exception:
            logger.exception("unexpected error %s", correlation_id)
            if started:
                raise  # the status is sent already: only the server can end the response now
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
    # Operations never run over GET here, so a browser's GET is always the IDE, a shared
    # GraphiQL link with ?query=... included.
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


def graphql_error_response(
    status_code: int, code: str, message: str, *, headers: Mapping[str, str] | None = None
) -> Response:
    """A refusal as GraphQL clients read one: `{"errors": [{"message", "extensions": {code}}]}`."""
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    # json.dumps escapes to ASCII: a message may quote the client's text, unpaired surrogates
    # included, which UTF-8 (and so Starlette's JSONResponse) cannot encode.
    return Response(
        json.dumps(body, separators=(",", ":")), status_code, headers, media_type="application/json"
    )


def unauthenticated_response(reason: str) -> Response:
    return graphql_error_response(
        HTTPStatus.UNAUTHORIZED,
        "UNAUTHENTICATED",
        f"Unauthenticated: {reason}.",
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


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
    ide_headers: Mapping[str, str] | None = None,
) -> Starlette:
    routes: list[BaseRoute] = [
        Route(
            GRAPHQL_PATH,
            OrderDeliveryGraphQL(
                services, authenticator, developer_mode=developer_mode, ide_headers=ide_headers
            ),
            methods=["GET", "POST"],
        ),
        Route("/healthz", _health),
        *extra_routes,
    ]
    if developer_mode:
        routes.append(
            Mount(GRAPHIQL_ASSETS_PATH, StaticFiles(directory=GRAPHIQL_ASSETS_DIR, check_dir=False))
        )
    # CORS outermost, so even the correlation id's 500 reaches a browser with its CORS headers.
    middleware = []
    if cors_allowed_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(cors_allowed_origins),
                allow_methods=["POST", "GET", "OPTIONS"],
                allow_headers=["authorization", "content-type", CORRELATION_ID_HEADER],
                expose_headers=[CORRELATION_ID_HEADER],
                max_age=600,
            )
        )
    middleware.append(Middleware(CorrelationIds))
    return Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={StarletteHTTPException: _http_error},
    )
