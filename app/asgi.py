"""The ASGI app: Starlette routes around the Strawberry GraphQL view, with authentication."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Sequence

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from app.api_services import LazyApiServices
from app.graphiql_page import GRAPHIQL_ASSETS_DIR, graphiql_html
from app.settings import GRAPHQL_PATH
from resolvers.context import RequestContext, request_context
from resolvers.identity import Authenticator, Identity, InvalidTokenError
from schema.graphql_schema import build_schema

logger = logging.getLogger(__name__)
GRAPHIQL_ASSETS_PATH = "/graphiql-assets"
# A GraphQL request is a query text and its variables: 64 KiB is far beyond any real one
# (the token limit stops long queries anyway), and keeps a flood of large bodies cheap.
MAX_BODY_BYTES = 64 * 1024
_CORRELATION_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class OrderDeliveryGraphQL(GraphQL[RequestContext, None]):
    """Authenticates every operation before Strawberry sees it; the IDE page needs no token."""

    def __init__(
        self, services: LazyApiServices, authenticator: Authenticator, *, developer_mode: bool
    ) -> None:
        super().__init__(
            build_schema(developer_mode=developer_mode),
            graphql_ide="graphiql" if developer_mode else None,
            allow_queries_via_get=False,  # a GET must never change state, nor be cached by proxies
        )
        self._services = services
        self._authenticator = authenticator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        if self.graphql_ide and _wants_ide(request):
            await (await self.render_graphql_ide(request))(scope, receive, send)
            return
        try:
            identity = self._authenticator.authenticate(request)
        except InvalidTokenError as error:
            await _unauthenticated(str(error))(scope, receive, send)
            return
        scope.setdefault("state", {})["identity"] = identity
        body = await _read_body(request, MAX_BODY_BYTES)
        if body is None:
            await _too_large()(scope, receive, send)
            return

        async def replay() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        await super().__call__(scope, replay, send)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> RequestContext:
        identity: Identity = request.state.identity
        offered = request.headers.get("x-correlation-id", "")
        # A client's id is kept (to trace its own calls) only if it cannot forge log lines.
        correlation_id = offered if _CORRELATION_ID.fullmatch(offered) else uuid.uuid4().hex
        # Returned with the response, so a client can quote it when reporting an error.
        if isinstance(response, Response):
            response.headers["x-correlation-id"] = correlation_id
        return request_context(await self._services.get(), identity, correlation_id)

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(graphiql_html(GRAPHIQL_ASSETS_PATH))


def _wants_ide(request: Request) -> bool:
    # Operations never run over GET here, so a browser's GET is always the IDE, a shared
    # GraphiQL link with ?query=... included.
    return request.method == "GET" and "text/html" in request.headers.get("accept", "")


async def _read_body(request: Request, limit: int) -> bytes | None:
    """The request's body, or None once it grows past `limit` (whatever Content-Length says)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


def _too_large() -> Response:
    return JSONResponse(
        {
            "errors": [
                {
                    "message": f"The request body is larger than {MAX_BODY_BYTES} bytes.",
                    "extensions": {"code": "REQUEST_TOO_LARGE"},
                }
            ]
        },
        status_code=413,
    )


def _unauthenticated(reason: str) -> Response:
    return JSONResponse(
        {
            "errors": [
                {
                    "message": f"Unauthenticated: {reason}.",
                    "extensions": {"code": "UNAUTHENTICATED"},
                }
            ]
        },
        status_code=401,
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


async def _health(_request: Request) -> Response:
    return JSONResponse({"status": "ok"})


def create_app(
    services: LazyApiServices,
    authenticator: Authenticator,
    *,
    developer_mode: bool,
    cors_allowed_origins: Sequence[str] = (),
    extra_routes: Sequence[BaseRoute] = (),
) -> Starlette:
    routes: list[BaseRoute] = [
        Route(
            GRAPHQL_PATH,
            OrderDeliveryGraphQL(services, authenticator, developer_mode=developer_mode),
            methods=["GET", "POST"],
        ),
        Route("/healthz", _health),
        *extra_routes,
    ]
    if developer_mode:
        routes.append(
            Mount(GRAPHIQL_ASSETS_PATH, StaticFiles(directory=GRAPHIQL_ASSETS_DIR, check_dir=False))
        )
    middleware = []
    if cors_allowed_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(cors_allowed_origins),
                allow_methods=["POST", "GET", "OPTIONS"],
                allow_headers=["authorization", "content-type", "x-correlation-id"],
                max_age=600,
            )
        )
    return Starlette(routes=routes, middleware=middleware)
