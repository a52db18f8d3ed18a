"""Who is calling: identities from Cognito-shaped claims, as API Gateway hands them over."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from starlette.requests import Request

from domain.orders import Actor

STAFF_GROUP = "staff"


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


class Authenticator(Protocol):
    def authenticate(self, request: Request) -> Identity:
        """The caller's identity; raises InvalidTokenError when there is none."""
        ...


class ApiGatewayAuthenticator:
    """Lambda behind API Gateway: the Cognito authorizer has verified the token already."""

    def authenticate(self, request: Request) -> Identity:
        event = request.scope.get("aws.event") or {}
        claims = event.get("requestContext", {}).get("authorizer", {}).get("claims")
        if not isinstance(claims, Mapping):
            raise InvalidTokenError("no authorizer claims on the request")
        return identity_from_claims(claims)
