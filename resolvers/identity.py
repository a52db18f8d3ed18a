"""Who is calling: identities from Cognito-shaped claims, as API Gateway hands them over."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from starlette.requests import Request

from domain.ids import is_subject
from domain.orders import Actor
from domain.resources import STAFF_GROUP


@dataclass(frozen=True, slots=True)
class Identity:
    sub: str
    email: str | None
    name: str | None
    groups: frozenset[str]
    # False when the issuer says the email is not proven (Cognito's `email_verified`).
    email_verified: bool = True

    @property
    def verified_email(self) -> str | None:
        """The only address mail may go to: one the identity proved it receives mail at."""
        return self.email if self.email_verified else None

    @property
    def is_staff(self) -> bool:
        return STAFF_GROUP in self.groups

    @property
    def actor(self) -> Actor:
        return Actor(sub=self.sub, is_staff=self.is_staff)


class InvalidTokenError(Exception):
    """The credentials are missing, malformed, forged or expired."""


def identity_from_claims(claims: object) -> Identity:
    """Cognito's claims: `sub`, `email`, `name`, `cognito:groups`; InvalidTokenError if malformed.

    What says who the caller is or what they may do must be well formed, or the whole token is
    refused: claims that are not a mapping, a `sub` that is not 1-100 printable ASCII
    characters, groups of any other shape than below. What only describes the caller (`email`,
    `name`) is read when it is non-empty text and otherwise as absent. Groups arrive as a list
    from a JWT, and as one string ("a,b" or "[a b]") from the HTTP API's JWT authorizer; absent,
    null or empty is none. The email is verified unless `email_verified` says otherwise: it
    arrives as a boolean in a JWT and as "true"/"false" from the JWT authorizer, and anything
    but true (or its absence, for issuers that do not send it) means unverified.
    """
    if not isinstance(claims, Mapping):
        raise InvalidTokenError("the token's claims are not an object")
    sub = claims.get("sub")
    if not isinstance(sub, str) or not is_subject(sub):
        raise InvalidTokenError("the token has no well-formed subject")
    return Identity(
        sub=sub,
        email=_optional_str(claims.get("email")),
        name=_optional_str(claims.get("name")),
        groups=_groups(claims.get("cognito:groups")),
        email_verified=_email_verified(claims.get("email_verified", True)),
    )


def _email_verified(claim: object) -> bool:
    return claim is True or (isinstance(claim, str) and claim.lower() == "true")


def _groups(claim: object) -> frozenset[str]:
    if claim is None:
        return frozenset()
    if isinstance(claim, str):
        return frozenset(claim.strip("[]").replace(",", " ").split())
    if isinstance(claim, list) and all(isinstance(group, str) for group in claim):
        return frozenset(claim)
    # Never read in part: a mapping's keys or a nested list must not grant a group.
    raise InvalidTokenError("the token's groups are neither a list of names nor one string")


def _optional_str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


class Authenticator(Protocol):
    def authenticate(self, request: Request) -> Identity:
        """The caller's identity; raises InvalidTokenError when there is none."""
        ...


class ApiGatewayAuthenticator:
    """Lambda behind the HTTP API: its JWT authorizer has verified the Cognito ID token (issuer,
    audience, expiry, signature) and hands over its claims, each as a string. Nothing else
    authenticates here: an event without those claims, in any other shape, is refused."""

    def authenticate(self, request: Request) -> Identity:
        claims = _nested(
            request.scope.get("aws.event"), "requestContext", "authorizer", "jwt", "claims"
        )
        if claims is None:
            raise InvalidTokenError("no authorizer claims on the request")
        return identity_from_claims(claims)


def _nested(value: object, *keys: str) -> object:
    """value[k1][k2]...; None as soon as a level is missing or not a mapping."""
    for key in keys:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value
