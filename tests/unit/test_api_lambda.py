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
from urllib.parse import unquote_to_bytes

import pytest

from app.graphql_request import GRAPHQL_RESPONSE_MEDIA_TYPE
from tests.api_requests import (
    ACCEPTED_CONTENT_TYPES,
    LAMBDA_ENVIRONMENT,
    MALFORMED_BODIES,
    MALFORMED_QUERY_STRINGS,
    REGISTER,
    STAFF_CLAIMS,
    TYPENAME,
    TYPENAME_ANSWER,
    UNSUPPORTED_CONTENT_TYPES,
    Refused,
    api_gateway_event,
    assert_graphql_refusal,
    is_utf8,
    query_string,
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


def assert_refused(answer: dict[str, Any], expected: Refused, *, media_type: str = "") -> None:
    assert not answer["isBase64Encoded"], answer
    assert_graphql_refusal(
        answer["statusCode"],
        answer["headers"],
        answer["body"].encode(),
        expected,
        media_type=media_type or "application/json",
    )


def get_event(query: bytes, *, accept: str | None = None) -> dict[str, Any]:
    """A GET as API Gateway hands it over: no body, its parameters decoded."""
    return api_gateway_event(None, content_type=None, method="GET", query=query, accept=accept)


@pytest.mark.parametrize("content_type", ACCEPTED_CONTENT_TYPES)
def test_a_query_is_answered(handler: Handler, content_type: str) -> None:
    answer = handler(api_gateway_event(TYPENAME, content_type=content_type), None)

    assert answer["statusCode"] == 200, answer
    assert json.loads(answer["body"]) == TYPENAME_ANSWER
    assert answer["headers"]["x-correlation-id"]


def test_the_heap_is_frozen_once_an_invocation_is_answered(
    handler: Handler, frozen_heaps: list[None]
) -> None:
    handler(api_gateway_event(TYPENAME), None)
    handler(api_gateway_event(TYPENAME), None)

    assert len(frozen_heaps) == 1  # this module's one import of the handler, frozen once


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
    # The HTTP API joins a repeated header's values with commas.
    event["headers"]["content-type"] = "text/plain,application/json"

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
    "authorizer",
    [None, "claims", ["claims"], {}, {"jwt": None}, {"jwt": {}}, {"claims": STAFF_CLAIMS}],
    ids=["null", "text", "list", "no-jwt", "jwt-null", "no-claims", "rest-api-shaped"],
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


def test_a_query_over_get_is_answered_with_its_variables_and_operation_name(
    handler: Handler,
) -> None:
    query = query_string(
        query="query T($on: Boolean!) { shown: __typename @include(if: $on) "
        "hidden: __typename @skip(if: $on) } query U { __typename }",
        variables=json.dumps({"on": True}),
        operationName="T",
    )

    answer = handler(get_event(query), None)

    assert answer["statusCode"] == 200, answer
    assert json.loads(answer["body"]) == {"data": {"shown": "Query"}}


def test_a_mutation_over_get_is_a_json_405_that_allows_post(handler: Handler) -> None:
    query = query_string(query=json.loads(REGISTER)["query"])

    answer = handler(get_event(query), None)

    assert_refused(answer, Refused(query, status=405, code="METHOD_NOT_ALLOWED"))
    assert answer["headers"]["allow"] == "POST"


def test_graphql_response_json_reaches_api_gateway_as_text(handler: Handler) -> None:
    # Mangum base64-encodes what it does not know as text; API Gateway would pass that on.
    for event in (
        get_event(b"query=%7B__typename%7D", accept=GRAPHQL_RESPONSE_MEDIA_TYPE),
        get_event(b"query=%7B", accept=GRAPHQL_RESPONSE_MEDIA_TYPE),
    ):
        answer = handler(event, None)

        assert not answer["isBase64Encoded"], answer
        assert answer["headers"]["content-type"] == GRAPHQL_RESPONSE_MEDIA_TYPE
        assert json.loads(answer["body"])


def test_an_operation_that_never_runs_is_a_400_in_graphql_response_json(handler: Handler) -> None:
    answer = handler(get_event(b"query=%7B", accept=GRAPHQL_RESPONSE_MEDIA_TYPE), None)

    assert answer["statusCode"] == 400, answer
    assert set(json.loads(answer["body"])) == {"errors"}


# API Gateway hands parameters over decoded, so only text ones arrive, and only parameters: a
# query string of separators alone arrives as none at all.
DECODED_QUERY_STRINGS = [
    case
    for case in MALFORMED_QUERY_STRINGS
    if is_utf8(unquote_to_bytes(case.values[0].body)) and case.id != "too-many-separators"
]


@pytest.mark.parametrize("refused", DECODED_QUERY_STRINGS)
def test_a_get_that_is_not_one_query_gets_a_json_4xx(handler: Handler, refused: Refused) -> None:
    assert_refused(handler(get_event(refused.body), None), refused)
