"""Local development tokens: HS256 JWTs with Cognito's claims, for the local server only.

The Lambda never imports this module: there, API Gateway's Cognito authorizer is the only
source of identity.
"""

from __future__ import annotations

import time
from typing import Any

import jwt
from starlette.requests import Request

from domain.resources import STAFF_GROUP
from resolvers.identity import Identity, InvalidTokenError, identity_from_claims

DEV_TOKEN_ISSUER = "order-delivery-local"  # noqa: S105 (a claim, not a secret)
DEV_TOKEN_AUDIENCE = "order-delivery"  # noqa: S105
_DEV_TOKEN_ALGORITHM = "HS256"  # noqa: S105


class DevTokens:
    """HS256 tokens signed with a local secret: for the local server only, never in Lambda."""

    def __init__(self, secret: str) -> None:
        self._secret = secret

    def issue(
        self,
        sub: str,
        *,
        name: str | None = None,
        email: str | None = None,
        staff: bool = False,
        ttl_seconds: int = 7 * 24 * 3600,
        email_verified: bool = True,
    ) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": DEV_TOKEN_ISSUER,
            "aud": DEV_TOKEN_AUDIENCE,
            "sub": sub,
            "iat": now,
            "exp": now + ttl_seconds,
            "cognito:groups": [STAFF_GROUP] if staff else [],
        }
        if name:
            claims["name"] = name
        if email:
            # As Cognito's ID tokens say it: a local token's email counts as proven unless not.
            claims["email"] = email
            claims["email_verified"] = email_verified
        return jwt.encode(claims, self._secret, algorithm=_DEV_TOKEN_ALGORITHM)

    def verify(self, token: str) -> Identity:
        """The token's identity; InvalidTokenError for anything but a token issued here whose
        claims are well formed (see identity_from_claims)."""
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[_DEV_TOKEN_ALGORITHM],
                audience=DEV_TOKEN_AUDIENCE,
                issuer=DEV_TOKEN_ISSUER,
                options={"require": ["exp", "sub", "iss", "aud"]},
            )
        except jwt.PyJWTError as error:
            raise InvalidTokenError(str(error)) from error
        return identity_from_claims(claims)


class BearerTokenAuthenticator:
    """The local server: `Authorization: Bearer <dev token>`."""

    def __init__(self, tokens: DevTokens) -> None:
        self._tokens = tokens

    def authenticate(self, request: Request) -> Identity:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise InvalidTokenError("send Authorization: Bearer <token>")
        return self._tokens.verify(token.strip())
