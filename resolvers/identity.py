"""Who is calling: identities from Cognito-shaped claims, and the local development tokens."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import jwt
from starlette.requests import Request

from domain.orders import Actor

STAFF_GROUP = "staff"
DEV_TOKEN_ISSUER = "order-delivery-local"  # noqa: S105 (a claim, not a secret)
DEV_TOKEN_AUDIENCE = "order-delivery"  # noqa: S105
_DEV_TOKEN_ALGORITHM = "HS256"  # noqa: S105


@dataclass(frozen=True, slots=True)
class Identity:
    sub: str
    email: str | None
    name: str | None
    groups: frozenset[str]

    @property
    def is_staff(self) -> bool:
        return STAFF_GROUP in self.groups

    @property
    def actor(self) -> Actor:
        return Actor(sub=self.sub, is_staff=self.is_staff)


class InvalidTokenError(Exception):
    """The credentials are missing, malformed, forged or expired."""


def identity_from_claims(claims: Mapping[str, Any]) -> Identity:
    """Cognito's claims: `sub`, `email`, `name`, `cognito:groups`.

    API Gateway's REST authorizer hands groups over as one string ("a,b" or "[a b]"), a JWT as a
    list; both are accepted.
    """
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub:
        raise InvalidTokenError("the token has no subject")
    groups = claims.get("cognito:groups") or []
    if isinstance(groups, str):
        groups = groups.strip("[]").replace(",", " ").split()
    return Identity(
        sub=sub,
        email=_optional_str(claims.get("email")),
        name=_optional_str(claims.get("name")),
        groups=frozenset(str(group) for group in groups),
    )


def _optional_str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


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
            claims["email"] = email
        return jwt.encode(claims, self._secret, algorithm=_DEV_TOKEN_ALGORITHM)

    def verify(self, token: str) -> Identity:
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


class Authenticator(Protocol):
    def authenticate(self, request: Request) -> Identity:
        """The caller's identity; raises InvalidTokenError when there is none."""
        ...


class BearerTokenAuthenticator:
    """The local server: `Authorization: Bearer <dev token>`."""

    def __init__(self, tokens: DevTokens) -> None:
        self._tokens = tokens

    def authenticate(self, request: Request) -> Identity:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise InvalidTokenError("send Authorization: Bearer <token>")
        return self._tokens.verify(token.strip())


class ApiGatewayAuthenticator:
    """Lambda behind API Gateway: the Cognito authorizer has verified the token already."""

    def authenticate(self, request: Request) -> Identity:
        event = request.scope.get("aws.event") or {}
        claims = event.get("requestContext", {}).get("authorizer", {}).get("claims")
        if not isinstance(claims, Mapping):
            raise InvalidTokenError("no authorizer claims on the request")
        return identity_from_claims(claims)
