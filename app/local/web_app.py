"""The web app (web/) as the local server serves it: its build, its settings, its sign-in.

Same origin as the API, so `make serve` opens a working shop. Only the local server mounts
these routes; in AWS the stack puts the build behind CloudFront and writes its own config.json.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from app.graphql_request import (
    JSON_MEDIA_TYPE,
    RequestRefusedError,
    decode_json,
    graphql_error_response,
)
from app.local.loopback import is_loopback_host
from app.settings import GRAPHQL_PATH
from app.web_site import CONFIG_FILE, IMMUTABLE, NO_CACHE, WEB_DIST, site_settings
from domain.ids import is_subject

# The Host names a page on this machine uses; any other is a page that rebound its own name
# to 127.0.0.1 (DNS rebinding) and must not be handed a token.
_LOCAL_HOST_NAMES = frozenset({"127.0.0.1", "localhost", "[::1]"})
_MAX_TOKEN_BODY_BYTES = 1024

IssueToken = Callable[[str, bool], str]


def web_routes(
    issue_token: IssueToken, *, bind_host: str, dist: Path = WEB_DIST
) -> list[BaseRoute]:
    """`/config.json`, `POST /dev/token` (loopback binds only) and the app's build at `/`."""
    routes: list[BaseRoute] = [Route(f"/{CONFIG_FILE}", _config)]
    if is_loopback_host(bind_host):
        routes.append(Route("/dev/token", _token_endpoint(issue_token), methods=["POST"]))
    if (dist / "index.html").is_file():
        routes.append(Mount("/assets", _ImmutableFiles(directory=dist / "assets", check_dir=False)))
        routes.append(Route("/", _page(dist / "index.html")))
    else:
        routes.append(Route("/", _not_built))
    return routes


async def _config(_request: Request) -> Response:
    settings = site_settings({"mode": "local"})
    return JSONResponse(settings, headers={"Cache-Control": NO_CACHE})


def _token_endpoint(issue_token: IssueToken) -> Callable[[Request], object]:
    async def token(request: Request) -> Response:
        """`{"sub": "...", "staff": false}` in, `{"token": "<jwt>"}` out: any local user."""
        if _host_name(request.headers.get("host", "")) not in _LOCAL_HOST_NAMES:
            return _refusal(HTTPStatus.FORBIDDEN, "FORBIDDEN", "Local sign-in is for this machine.")
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type != JSON_MEDIA_TYPE:
            return _refusal(
                HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                "UNSUPPORTED_MEDIA_TYPE",
                f"Send {{sub, staff}} as {JSON_MEDIA_TYPE}.",
            )
        body = await request.body()
        if len(body) > _MAX_TOKEN_BODY_BYTES:
            return _refusal(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "REQUEST_TOO_LARGE", "Too large.")
        try:
            asked = decode_json(body)
        except RequestRefusedError as refusal:
            return _refusal(refusal.status_code, refusal.code, str(refusal))
        sub = asked.get("sub") if isinstance(asked, dict) else None
        staff = asked.get("staff", False) if isinstance(asked, dict) else None
        if not isinstance(sub, str) or not is_subject(sub) or not isinstance(staff, bool):
            return _refusal(
                HTTPStatus.BAD_REQUEST,
                "BAD_REQUEST",
                "Give `sub`, a user id (1-100 printable ASCII characters), and `staff`, a boolean.",
            )
        return JSONResponse(
            {"token": issue_token(sub, staff)}, headers={"Cache-Control": "no-store"}
        )

    return token


def _host_name(host: str) -> str:
    """`127.0.0.1` of `127.0.0.1:8000`, `[::1]` of `[::1]:8000`, `localhost` of `localhost`."""
    name, colon, port = host.rpartition(":")
    return name if colon and port.isdigit() and not name.endswith(":") else host


def _refusal(status: int, code: str, message: str) -> Response:
    return graphql_error_response(status, code, message)


def _page(index: Path) -> Callable[[Request], object]:
    async def page(_request: Request) -> Response:
        # Pages are hash routes (#/orders/...): `/` is the only document the app has.
        return FileResponse(index, media_type="text/html", headers={"Cache-Control": NO_CACHE})

    return page


async def _not_built(_request: Request) -> Response:
    return HTMLResponse(
        "<!doctype html><html lang=en><title>order-delivery</title>"
        "<h1>The web app is not built</h1><p>Run <code>make install</code> (it builds "
        "<code>web/</code>), then reload. GraphiQL is at "
        f'<a href="{GRAPHQL_PATH}">{GRAPHQL_PATH}</a>.</p>',
        status_code=HTTPStatus.SERVICE_UNAVAILABLE,
    )


class _ImmutableFiles(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == HTTPStatus.OK:
            response.headers["Cache-Control"] = IMMUTABLE
        return response
