"""Who is calling: Cognito-shaped claims and the local development tokens."""

from __future__ import annotations

import json
import time
from typing import Any

import jwt
import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.requests import Request

from app.local.dev_tokens import (
    DEV_TOKEN_AUDIENCE,
    DEV_TOKEN_ISSUER,
    BearerTokenAuthenticator,
    DevTokens,
)
from domain.orders import Actor
from resolvers.identity import ApiGatewayAuthenticator, InvalidTokenError, identity_from_claims

SECRET = "unit-test-secret-at-least-32-bytes-long"
tokens = DevTokens(SECRET)


def signed(claims: dict[str, Any], secret: str = SECRET, algorithm: str = "HS256") -> str:
    now = int(time.time())
    defaults = {
        "iss": DEV_TOKEN_ISSUER,
        "aud": DEV_TOKEN_AUDIENCE,
        "sub": "customer-ada",
        "iat": now,
        "exp": now + 60,
    }
    return jwt.encode(
        {key: value for key, value in (defaults | claims).items() if value is not None},
        secret,
        algorithm=algorithm,
    )


# --- development tokens ------------------------------------------------------------------


def test_an_issued_token_verifies_as_its_identity() -> None:
    token = tokens.issue("customer-ada", name="Ada Lovelace", email="ada@example.com")

    identity = tokens.verify(token)

    assert (identity.sub, identity.name, identity.email) == (
        "customer-ada",
        "Ada Lovelace",
        "ada@example.com",
    )
    assert not identity.is_staff
    assert identity.actor == Actor(sub="customer-ada", is_staff=False)


def test_a_staff_token_makes_a_staff_actor() -> None:
    identity = tokens.verify(tokens.issue("staff-grace", staff=True))

    assert identity.is_staff
    assert identity.actor == Actor(sub="staff-grace", is_staff=True)


def test_a_token_without_name_or_email_has_neither() -> None:
    identity = tokens.verify(tokens.issue("customer-ada"))

    assert identity.name is None
    assert identity.email is None


def _tampered_payload() -> str:
    header, _, signature = tokens.issue("customer-ada").split(".")
    staff_payload = signed({"cognito:groups": ["staff"]}).split(".")[1]
    return f"{header}.{staff_payload}.{signature}"


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(tokens.issue("customer-ada", ttl_seconds=-60), id="expired"),
        pytest.param(
            DevTokens("another-secret-of-at-least-32-bytes!").issue("customer-ada", staff=True),
            id="forged-signature",
        ),
        pytest.param(_tampered_payload(), id="tampered-payload"),
        pytest.param(signed({"aud": "someone-else"}), id="wrong-audience"),
        pytest.param(signed({"iss": "someone-else"}), id="wrong-issuer"),
        pytest.param(signed({"sub": None}), id="missing-subject"),
        pytest.param(signed({"sub": ""}), id="empty-subject"),
        pytest.param(signed({"exp": None}), id="no-expiry"),
        pytest.param(signed({"aud": None}), id="no-audience"),
        pytest.param(signed({"iss": None}), id="no-issuer"),
        pytest.param(jwt.encode({"sub": "customer-ada"}, key="", algorithm="none"), id="unsigned"),
        pytest.param("not.a.token", id="garbage"),
        pytest.param("", id="empty"),
    ],
)
def test_a_token_that_is_not_a_valid_dev_token_is_refused(token: str) -> None:
    with pytest.raises(InvalidTokenError):
        tokens.verify(token)


# --- Cognito claims ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("groups", "expected"),
    [
        pytest.param(["staff", "beta"], {"staff", "beta"}, id="jwt-list"),
        pytest.param("staff,beta", {"staff", "beta"}, id="comma-string"),
        pytest.param("[staff beta]", {"staff", "beta"}, id="bracketed-string"),
        pytest.param("[staff, beta]", {"staff", "beta"}, id="bracketed-commas"),
        pytest.param("staff", {"staff"}, id="single-string"),
        pytest.param("", set(), id="empty-string"),
        pytest.param("[]", set(), id="empty-brackets"),
        pytest.param([], set(), id="empty-list"),
        pytest.param(None, set(), id="absent"),
    ],
)
def test_cognito_groups_are_read_in_every_shape_they_arrive_in(
    groups: object, expected: set[str]
) -> None:
    claims: dict[str, Any] = {"sub": "user-1"}
    if groups is not None:
        claims["cognito:groups"] = groups

    identity = identity_from_claims(claims)

    assert identity.groups == expected
    assert identity.is_staff is ("staff" in expected)


@pytest.mark.parametrize("groups", [["staffer"], "staff-admin", "[beta]", ["Staff"]])
def test_only_the_staff_group_makes_staff(groups: object) -> None:
    assert not identity_from_claims({"sub": "user-1", "cognito:groups": groups}).is_staff


@pytest.mark.parametrize("sub", [None, "", 42], ids=["absent", "empty", "not-text"])
def test_claims_without_a_subject_are_refused(sub: object) -> None:
    claims = {} if sub is None else {"sub": sub}

    with pytest.raises(InvalidTokenError):
        identity_from_claims(claims)


def test_empty_or_odd_profile_claims_read_as_absent() -> None:
    identity = identity_from_claims({"sub": "user-1", "email": "", "name": 7})

    assert identity.email is None
    assert identity.name is None


# --- authenticators ----------------------------------------------------------------------


def _request(headers: dict[str, str] | None = None, aws_event: object = None) -> Request:
    raw_headers = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    return Request({"type": "http", "headers": raw_headers, "aws.event": aws_event})


def test_a_bearer_token_authenticates_the_local_caller() -> None:
    authenticator = BearerTokenAuthenticator(tokens)
    request = _request({"Authorization": f"Bearer {tokens.issue('customer-ada')}"})

    assert authenticator.authenticate(request).sub == "customer-ada"


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer "}, {"Authorization": "Basic YWRhOnB3"}],
    ids=["no-header", "no-token", "other-scheme"],
)
def test_a_local_request_without_a_bearer_token_is_refused(headers: dict[str, str]) -> None:
    with pytest.raises(InvalidTokenError):
        BearerTokenAuthenticator(tokens).authenticate(_request(headers))


def test_api_gateway_claims_authenticate_the_caller() -> None:
    claims = {"sub": "user-9", "cognito:groups": "[staff]"}
    event = {"requestContext": {"authorizer": {"jwt": {"claims": claims, "scopes": None}}}}

    identity = ApiGatewayAuthenticator().authenticate(_request(aws_event=event))

    assert (identity.sub, identity.is_staff) == ("user-9", True)


def test_a_rest_api_shaped_event_is_refused() -> None:
    """Only the HTTP API's JWT authorizer is deployed: claims where a REST API's Cognito
    authorizer would put them were not verified by anything of ours."""
    event = {"requestContext": {"authorizer": {"claims": {"sub": "user-9"}}}}

    with pytest.raises(InvalidTokenError):
        ApiGatewayAuthenticator().authenticate(_request(aws_event=event))


def test_a_lambda_request_without_authorizer_claims_is_refused() -> None:
    with pytest.raises(InvalidTokenError):
        ApiGatewayAuthenticator().authenticate(_request(aws_event={"requestContext": {}}))


# --- malformed claims: the caller is refused or the claim read as absent, never a 5xx -----

MALFORMED_GROUPS = [
    pytest.param(7, id="number"),
    pytest.param(1.5, id="float"),
    pytest.param(True, id="boolean"),
    pytest.param({"staff": True}, id="object"),
    pytest.param([["staff"]], id="nested-list"),
    pytest.param(["staff", 1], id="list-with-a-number"),
    pytest.param([None], id="list-with-null"),
    pytest.param([{"name": "staff"}], id="list-with-an-object"),
]
MALFORMED_SUBJECTS = [
    pytest.param(42, id="number"),
    pytest.param(["user-1"], id="list"),
    pytest.param({"id": "user-1"}, id="object"),
    pytest.param(True, id="boolean"),
    pytest.param("", id="empty"),
    pytest.param("   ", id="blank"),
]
ODD_PROFILE_VALUES = [7, ["a@example.com"], {"a": 1}, True, "", None]


@pytest.mark.parametrize("groups", MALFORMED_GROUPS)
def test_groups_of_any_other_shape_refuse_the_token(groups: object) -> None:
    with pytest.raises(InvalidTokenError):
        identity_from_claims({"sub": "user-1", "cognito:groups": groups})


@pytest.mark.parametrize("sub", MALFORMED_SUBJECTS)
def test_a_subject_that_is_not_text_refuses_the_token(sub: object) -> None:
    with pytest.raises(InvalidTokenError):
        identity_from_claims({"sub": sub})


@pytest.mark.parametrize("claims", [None, ["sub", "user-1"], "sub=user-1", 7])
def test_claims_that_are_not_an_object_refuse_the_token(claims: object) -> None:
    with pytest.raises(InvalidTokenError):
        identity_from_claims(claims)


@pytest.mark.parametrize("value", ODD_PROFILE_VALUES)
def test_profile_claims_that_are_not_text_read_as_absent(value: object) -> None:
    identity = identity_from_claims({"sub": "user-1", "email": value, "name": value})

    assert (identity.email, identity.name) == (None, None)


def test_null_groups_are_no_groups() -> None:
    assert identity_from_claims({"sub": "user-1", "cognito:groups": None}).groups == frozenset()


@pytest.mark.parametrize(
    "event",
    [
        pytest.param(None, id="no-event"),
        pytest.param("event", id="event-text"),
        pytest.param({"requestContext": None}, id="request-context-null"),
        pytest.param({"requestContext": "ctx"}, id="request-context-text"),
        pytest.param({"requestContext": ["authorizer"]}, id="request-context-list"),
        pytest.param({"requestContext": {"authorizer": None}}, id="authorizer-null"),
        pytest.param({"requestContext": {"authorizer": "claims"}}, id="authorizer-text"),
        pytest.param({"requestContext": {"authorizer": {"jwt": None}}}, id="jwt-null"),
        pytest.param({"requestContext": {"authorizer": {"jwt": "token"}}}, id="jwt-text"),
        pytest.param(
            {"requestContext": {"authorizer": {"jwt": {"claims": None}}}}, id="claims-null"
        ),
        pytest.param(
            {"requestContext": {"authorizer": {"jwt": {"claims": "sub"}}}}, id="claims-text"
        ),
        pytest.param(
            {
                "requestContext": {
                    "authorizer": {"jwt": {"claims": {"sub": "u", "cognito:groups": 7}}}
                }
            },
            id="groups-number",
        ),
    ],
)
def test_a_lambda_event_of_any_other_shape_is_refused(event: object) -> None:
    with pytest.raises(InvalidTokenError):
        ApiGatewayAuthenticator().authenticate(_request(aws_event=event))


@pytest.mark.parametrize("groups", MALFORMED_GROUPS)
def test_a_dev_token_with_malformed_groups_is_refused(groups: object) -> None:
    with pytest.raises(InvalidTokenError):
        tokens.verify(_signed_json({"cognito:groups": groups}))


@pytest.mark.parametrize(
    "claims",
    [
        pytest.param({"sub": 42}, id="sub-number"),
        pytest.param({"sub": ["customer-ada"]}, id="sub-list"),
        pytest.param({"exp": float("inf")}, id="exp-infinite"),
        pytest.param({"exp": float("nan")}, id="exp-nan"),
        pytest.param({"exp": "tomorrow"}, id="exp-text"),
        pytest.param({"iat": [1]}, id="iat-list"),
        pytest.param({"nbf": {"at": 1}}, id="nbf-object"),
        pytest.param({"aud": {"order-delivery": True}}, id="aud-object"),
        pytest.param({"iss": [DEV_TOKEN_ISSUER]}, id="iss-list"),
    ],
)
def test_a_dev_token_with_malformed_claims_is_refused(claims: dict[str, Any]) -> None:
    with pytest.raises(InvalidTokenError):
        tokens.verify(_signed_json(claims))


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=8,
)
_CLAIM_NAMES = st.sampled_from(
    ["sub", "email", "name", "cognito:groups", "exp", "iat", "nbf", "aud", "iss", "other"]
)


@given(st.dictionaries(_CLAIM_NAMES, _JSON_VALUES, max_size=4))
def test_any_claims_make_an_identity_or_a_refusal(overrides: dict[str, Any]) -> None:
    claims = {"sub": "user-1", "cognito:groups": ["staff"]} | overrides
    for verify in (identity_from_claims, lambda c: tokens.verify(_signed_json(c))):
        try:
            identity = verify(claims)
        except InvalidTokenError:
            continue
        assert isinstance(identity.sub, str)
        assert identity.sub.strip()
        assert all(isinstance(group, str) for group in identity.groups)


def _signed_json(claims: dict[str, Any]) -> str:
    """A correctly signed token whatever the claims hold, NaN and Infinity included."""
    now = int(time.time())
    defaults = {"iss": DEV_TOKEN_ISSUER, "aud": DEV_TOKEN_AUDIENCE, "sub": "customer-ada"}
    body = defaults | {"exp": now + 60} | claims
    return jwt.api_jws.encode(json.dumps(body).encode(), SECRET, algorithm="HS256")


# --- which email the identity proved -------------------------------------------------------


@pytest.mark.parametrize(
    ("claim", "verified"),
    [
        (True, True),
        ("true", True),
        ("TRUE", True),
        (False, False),
        ("false", False),
        ("yes", False),
        (1, False),
        (None, False),
        ({"value": True}, False),
    ],
)
def test_an_email_is_proven_only_when_email_verified_says_true(
    claim: object, verified: bool
) -> None:
    identity = identity_from_claims(
        {"sub": "ann", "email": "ann@example.com", "email_verified": claim}
    )

    assert identity.verified_email == ("ann@example.com" if verified else None)


def test_an_issuer_that_sends_no_email_verified_vouches_for_the_email() -> None:
    identity = identity_from_claims({"sub": "ann", "email": "ann@example.com"})

    assert identity.verified_email == "ann@example.com"


@pytest.mark.parametrize("verified", [True, False])
def test_a_dev_token_says_whether_its_email_is_proven(verified: bool) -> None:
    token = tokens.issue("ann", email="ann@example.com", email_verified=verified)

    identity = tokens.verify(token)

    assert identity.verified_email == ("ann@example.com" if verified else None)


@pytest.mark.parametrize(
    "sub",
    ["ann lovelace", "ann\u00e9", "ann\ud800", "a" * 101, "ann\n", "\u202eann"],
    ids=["space", "non-ascii", "surrogate", "too-long", "newline", "bidi"],
)
def test_a_subject_that_cannot_name_a_queue_group_or_key_refuses_the_token(sub: str) -> None:
    with pytest.raises(InvalidTokenError):
        identity_from_claims({"sub": sub})
