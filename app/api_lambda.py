"""The API's Lambda handler: API Gateway event -> Mangum -> Starlette -> Strawberry."""

from __future__ import annotations

import os

from mangum import Mangum
from mangum.adapter import DEFAULT_TEXT_MIME_TYPES

from app.api_services import LazyApiServices
from app.asgi import create_app
from app.aws_clients import AwsClients
from app.graphql_request import GRAPHQL_RESPONSE_MEDIA_TYPE
from app.logging_setup import configure_logging
from app.settings import Settings
from resolvers.identity import ApiGatewayAuthenticator

_settings = Settings.from_environ(os.environ)
configure_logging(_settings.log_level)

# Built once per process; clients open lazily inside Mangum's loop and live across invocations.
# Identity comes only from API Gateway's Cognito authorizer: no local token is accepted here.
handler = Mangum(
    create_app(
        LazyApiServices(_settings, AwsClients.for_settings(_settings)),
        ApiGatewayAuthenticator(),
        developer_mode=False,
        cors_allowed_origins=_settings.cors_allowed_origins,
    ),
    lifespan="off",
    # Mangum base64-encodes a media type it does not know as text, and API Gateway (with no
    # binary media types) would hand the base64 on to the client.
    text_mime_types=[*DEFAULT_TEXT_MIME_TYPES, GRAPHQL_RESPONSE_MEDIA_TYPE],
)
