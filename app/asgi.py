"""The ASGI app: Starlette routes around the Strawberry GraphQL view, with authentication."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send
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


class OrderDeliveryGraphQL(GraphQL[RequestContext, None]):
    """Authenticates every operation before Strawberry sees it; the IDE page needs no token."""

    def __init__(
        self, services: LazyApiServices, authenticator: Authenticator, *, graphiql: bool
    ) -> None:
        super().__init__(
            build_schema(),
            graphql_ide="graphiql" if graphiql else None,
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
        await super().__call__(scope, receive, send)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> RequestContext:
        identity: Identity = request.state.identity
        correlation_id = request.headers.get("x-correlation-id") or uuid.uuid4().hex
        return request_context(await self._services.get(), identity, correlation_id[:64])

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(graphiql_html(GRAPHIQL_ASSETS_PATH))


def _wants_ide(request: Request) -> bool:
    return (
        request.method == "GET"
        and "text/html" in request.headers.get("accept", "")
        and "query" not in request.query_params
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
    graphiql: bool,
    cors_allowed_origins: Sequence[str] = (),
    extra_routes: Sequence[BaseRoute] = (),
) -> Starlette:
    routes: list[BaseRoute] = [
        Route(
            GRAPHQL_PATH,
            OrderDeliveryGraphQL(services, authenticator, graphiql=graphiql),
            methods=["GET", "POST"],
        ),
        Route("/healthz", _health),
        *extra_routes,
    ]
    if graphiql:
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
