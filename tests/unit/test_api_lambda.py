"""The API's Lambda handler, called with API Gateway's events: Mangum's path to the same refusals.

Bodies that are not UTF-8 arrive base64-encoded; the caller's identity comes from the Cognito
authorizer's claims in the event, whatever their shape. No request here reaches AWS.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.api_requests import (
    ACCEPTED_CONTENT_TYPES,
    LAMBDA_ENVIRONMENT,
    MALFORMED_BODIES,
    REGISTER,
    STAFF_CLAIMS,
    TYPENAME,
    TYPENAME_ANSWER,
    UNSUPPORTED_CONTENT_TYPES,
    Refused,
    api_gateway_event,
    assert_graphql_refusal,
    is_utf8,
)

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


@pytest.fixture(scope="module")
def handler() -> Iterator[Handler]:
    """app.api_lambda.handler, imported as Lambda does: settings from the environment."""
    with pytest.MonkeyPatch.context() as environment:
        for name, value in LAMBDA_ENVIRONMENT.items():
            environment.setenv(name, value)
        sys.modules.pop("app.api_lambda", None)
        module = importlib.import_module("app.api_lambda")
        yield module.handler
    sys.modules.pop("app.api_lambda", None)


def assert_refused(answer: dict[str, Any], expected: Refused) -> None:
    assert not answer["isBase64Encoded"], answer
    assert_graphql_refusal(
        answer["statusCode"], answer["headers"], answer["body"].encode(), expected
    )


@pytest.mark.parametrize("content_type", ACCEPTED_CONTENT_TYPES)
def test_a_query_is_answered(handler: Handler, content_type: str) -> None:
    answer = handler(api_gateway_event(TYPENAME, content_type=content_type), None)

    assert answer["statusCode"] == 200, answer
    assert json.loads(answer["body"]) == TYPENAME_ANSWER
    assert answer["headers"]["x-correlation-id"]


# API Gateway hands a body over base64-encoded when it is binary, so a body that is not UTF-8
# can only arrive that way; a text one may come either way.
ENCODED_BODIES = [
    pytest.param(case.values[0], encoded, id=f"{case.id}-{'base64' if encoded else 'text'}")
    for case in MALFORMED_BODIES
    for encoded in (False, True)
    if encoded or is_utf8(case.values[0].body)
]


@pytest.mark.parametrize(("refused", "base64_encoded"), ENCODED_BODIES)
def test_a_body_that_is_not_one_operation_gets_a_json_400(
    handler: Handler, refused: Refused, base64_encoded: bool
) -> None:
    event = api_gateway_event(refused.body, base64_encoded=base64_encoded)

    assert_refused(handler(event, None), refused)


@pytest.mark.parametrize("content_type", UNSUPPORTED_CONTENT_TYPES)
def test_a_mutation_in_anything_but_json_is_not_run(
    handler: Handler, content_type: str | None
) -> None:
    answer = handler(api_gateway_event(REGISTER, content_type=content_type), None)

    assert_refused(answer, Refused(REGISTER, status=415, code="UNSUPPORTED_MEDIA_TYPE"))


def test_two_content_types_are_one_unsupported_header(handler: Handler) -> None:
    event = api_gateway_event(REGISTER)
    event["multiValueHeaders"]["Content-Type"] = ["text/plain", "application/json"]

    answer = handler(event, None)

    assert_refused(answer, Refused(REGISTER, status=415, code="UNSUPPORTED_MEDIA_TYPE"))


@pytest.mark.parametrize(
    "claims",
    [
        pytest.param(STAFF_CLAIMS | {"cognito:groups": 7}, id="groups-number"),
        pytest.param(STAFF_CLAIMS | {"cognito:groups": True}, id="groups-boolean"),
        pytest.param(STAFF_CLAIMS | {"cognito:groups": {"staff": 1}}, id="groups-object"),
        pytest.param(STAFF_CLAIMS | {"cognito:groups": [["staff"]]}, id="groups-nested-list"),
        pytest.param(STAFF_CLAIMS | {"cognito:groups": ["staff", 1]}, id="groups-non-text-item"),
        pytest.param(STAFF_CLAIMS | {"sub": 42}, id="sub-number"),
        pytest.param(STAFF_CLAIMS | {"sub": ["c0ffee"]}, id="sub-list"),
        pytest.param(STAFF_CLAIMS | {"sub": ""}, id="sub-empty"),
        pytest.param({"email": "ann@example.com"}, id="no-sub"),
        pytest.param(["c0ffee"], id="claims-list"),
        pytest.param("sub=c0ffee", id="claims-text"),
        pytest.param(None, id="claims-null"),
    ],
)
def test_malformed_claims_get_a_json_401(handler: Handler, claims: object) -> None:
    answer = handler(api_gateway_event(TYPENAME, claims=claims), None)

    assert_refused(answer, Refused(TYPENAME, status=401, code="UNAUTHENTICATED"))


@pytest.mark.parametrize(
    "authorizer", [None, "claims", ["claims"], {}], ids=["null", "text", "list", "no-claims"]
)
def test_an_authorizer_without_claims_gets_a_json_401(handler: Handler, authorizer: object) -> None:
    event = api_gateway_event(TYPENAME)
    event["requestContext"]["authorizer"] = authorizer

    answer = handler(event, None)

    assert_refused(answer, Refused(TYPENAME, status=401, code="UNAUTHENTICATED"))


@pytest.mark.parametrize("email", [7, ["a@example.com"], {"a": 1}, None, ""])
def test_an_odd_email_claim_reads_as_absent(handler: Handler, email: object) -> None:
    answer = handler(api_gateway_event(TYPENAME, claims=STAFF_CLAIMS | {"email": email}), None)

    assert answer["statusCode"] == 200, answer
    assert json.loads(answer["body"]) == TYPENAME_ANSWER


REGISTER_WITH_EMAIL = json.dumps(
    {
        "query": 'mutation($email: String) { registerCustomer(input: {name: "Ann", email: $email})'
        " { __typename ... on ValidationError { field } } }",
    }
)


@pytest.mark.parametrize(
    ("email_verified", "email"),
    [
        ("false", None),
        ("false", "ann@example.com"),
        ("true", "victim@example.org"),
        (True, "x@y.io"),
    ],
    ids=["unverified", "unverified-same", "another-address", "another-address-jwt-bool"],
)
def test_registration_mails_only_the_address_cognito_verified(
    handler: Handler, email_verified: object, email: str | None
) -> None:
    body = json.loads(REGISTER_WITH_EMAIL) | {"variables": {"email": email}}
    claims = {"sub": "c0ffee", "email": "ann@example.com", "email_verified": email_verified}

    answer = handler(api_gateway_event(json.dumps(body).encode(), claims=claims), None)

    assert answer["statusCode"] == 200, answer
    result = json.loads(answer["body"])["data"]["registerCustomer"]
    assert result == {"__typename": "ValidationError", "field": "email"}
