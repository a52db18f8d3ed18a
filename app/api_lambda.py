"""The API's Lambda handler: API Gateway event -> Mangum -> Starlette -> Strawberry.

With SnapStart, Lambda initializes this module once per published version, snapshots the
process and restores copies of it. `before_snapshot` warms what a snapshot may keep (imports,
the schema and its validation rules, settings, the loggers); `after_restore` renews what it
must not keep: the AWS clients (their credentials and connections belong to the environment
the snapshot was taken in), the X-Ray socket, and the random generator's state, which every
restored copy would otherwise share.
"""

from __future__ import annotations

import asyncio
import gc
import os
import random
from typing import Any

from aws_lambda_powertools.tracing import Tracer
from mangum import Mangum
from mangum.adapter import DEFAULT_TEXT_MIME_TYPES
from starlette.requests import Request
from starlette.types import Message

from app.api_services import LazyApiServices
from app.asgi import create_app
from app.aws_clients import API_TIMEOUTS, AwsClients
from app.graphql_request import GRAPHQL_RESPONSE_MEDIA_TYPE
from app.heap import FreezeAfterFirstCall
from app.logging_setup import configure_lambda_logging
from app.settings import GRAPHQL_PATH, Settings
from app.xray import AsyncSafeXRayProvider, UdpDaemonEmitter, trace_aws_calls
from domain.metrics import API_SERVICE
from resolvers.identity import ApiGatewayAuthenticator, Identity

SERVICE = API_SERVICE


class _WarmUpOrApiGateway:
    """API Gateway's authorizer decides who calls, except for the warm-up request this module
    makes before a snapshot: only that request's scope can hold the private marker (an object,
    which no Lambda event can carry)."""

    def __init__(self) -> None:
        self._api_gateway = ApiGatewayAuthenticator()

    def authenticate(self, request: Request) -> Identity:
        if request.scope.get(_WARM_UP_KEY) is _WARM_UP_MARKER:
            return _WARM_UP_IDENTITY
        return self._api_gateway.authenticate(request)


_WARM_UP_KEY = "order_delivery.warm_up"
_WARM_UP_MARKER = object()
_WARM_UP_IDENTITY = Identity(sub="snapstart-warm-up", email=None, name=None, groups=frozenset())
_WARM_UP_BODY = b'{"query": "query WarmUp { __typename }"}'

_settings = Settings.from_environ(os.environ)
_logger = configure_lambda_logging(SERVICE, _settings.log_level)
_xray = AsyncSafeXRayProvider()
_tracer = Tracer(service=SERVICE, provider=_xray, auto_patch=False)
_clients = AwsClients.for_settings(
    _settings, API_TIMEOUTS, on_open=lambda client: trace_aws_calls(client, _xray)
)
# One event loop for the life of the process (Mangum takes the one set here): the clients opened
# in it are reused by warm invocations, and the SnapStart hooks run in it too.
_loop = asyncio.new_event_loop()
asyncio.set_event_loop(_loop)
# Built once per process; each client opens on its first call, inside Mangum's loop, and lives
# across invocations.
_services = LazyApiServices(_settings, _clients)
_app = create_app(
    _services,
    _WarmUpOrApiGateway(),
    developer_mode=False,
    cors_allowed_origins=_settings.cors_allowed_origins,
)
_settle = FreezeAfterFirstCall()
_asgi = Mangum(
    _app,
    lifespan="off",
    # Mangum base64-encodes a media type it does not know as text, and API Gateway (with no
    # binary media types) would hand the base64 on to the client.
    text_mime_types=[*DEFAULT_TEXT_MIME_TYPES, GRAPHQL_RESPONSE_MEDIA_TYPE],
)


@_logger.inject_lambda_context
@_tracer.capture_lambda_handler(capture_response=False)  # answers hold customers' data
def _observed(event: dict[str, Any], context: Any) -> dict[str, Any]:
    answer: dict[str, Any] = _asgi(event, context)
    return answer


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Lambda's entry point: every log line of the invocation carries its request id and cold
    start (Powertools), and its trace has the handler and each AWS call as subsegments."""
    # Called directly (the unit tests do) there is no invocation to describe.
    observed = _observed if context is not None else _asgi
    answer: dict[str, Any] = observed(event, context)
    _settle()
    return answer


def before_snapshot() -> None:
    """Answer one GraphQL request in the process's loop: every import, cache and code path a
    request takes gets warmed, the schema's validation included; and open the AWS clients,
    which loads what they import (after_restore renews them). It makes no AWS call."""
    _loop.run_until_complete(_warm_up())
    _loop.run_until_complete(_services.open_clients())
    gc.collect()  # what the warm-up left in cycles, not frozen into every copy for good
    _settle()  # after the clients open: their service models are frozen into the snapshot


def after_restore() -> None:
    """Renew what a restored copy must not share with the others or with the snapshot."""
    random.seed()  # from os.urandom: each copy its own sequence
    _loop.run_until_complete(_services.renew())
    _settle.rearm()
    emitter = _xray.emitter
    if isinstance(emitter, UdpDaemonEmitter):
        emitter.reset()


async def _warm_up() -> None:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "https",
        "path": GRAPHQL_PATH,
        "raw_path": GRAPHQL_PATH.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"content-type", b"application/json"), (b"accept", b"application/json")],
        "client": None,
        "server": None,
        _WARM_UP_KEY: _WARM_UP_MARKER,
    }
    answer: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": _WARM_UP_BODY, "more_body": False}

    async def send(message: Message) -> None:
        answer.append(message)

    await _app(scope, receive, send)
    status = answer[0].get("status") if answer else None
    if status != 200:  # pragma: no cover - a broken warm-up is a bug, but never a failed start
        _logger.warning("SnapStart warm-up answered %s", status)


def _register_snapstart_hooks() -> None:
    """Lambda's Python runtime provides snapshot_restore_py where SnapStart is on; elsewhere
    (locally, in tests, on an unpublished version) there is nothing to register with."""
    try:
        from snapshot_restore_py import (  # type: ignore[import-not-found,unused-ignore]
            register_after_restore,
            register_before_snapshot,
        )
    except ImportError:
        return
    register_before_snapshot(before_snapshot)
    register_after_restore(after_restore)


_register_snapstart_hooks()
