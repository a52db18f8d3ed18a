"""Requests as the API's entry points receive them: hostile bodies and content types, and API
Gateway's events. Shared by the unit, Lambda and e2e tests, so each layer tries every variant.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest

from app.graphql_request import MAX_JSON_NESTING, MAX_QUERY_STRING_BYTES
from app.settings import EnvVar, Settings

TYPENAME = b'{"query": "{ __typename }"}'
TYPENAME_ANSWER = {"data": {"__typename": "Query"}}
REGISTER = b'{"query": "mutation { registerCustomer(input: {name: \\"Eve\\"}) { __typename } }"}'
JSON = "application/json"


def _with_variables(variables: bytes) -> bytes:
    return (
        b'{"query": "query($v: [String]) { __typename }", "variables": {"v": ' + variables + b"}}"
    )


def _nested(depth: int, opening: bytes = b"[", closing: bytes = b"]") -> bytes:
    return opening * depth + b"1" + closing * depth


@dataclass(frozen=True, slots=True)
class Refused:
    """A request the API must refuse with `status` and a GraphQL error of `code`."""

    body: bytes  # a POST's body, or a GET's query string
    content_type: str | None = JSON
    status: int = 400
    code: str = "BAD_REQUEST"


# Bodies sent as `application/json` that are not one GraphQL operation as a JSON object.
MALFORMED_BODIES = [
    pytest.param(Refused(b"null"), id="json-null"),
    pytest.param(Refused(b"42"), id="json-number"),
    pytest.param(Refused(b'"{ __typename }"'), id="json-string"),
    pytest.param(Refused(b"true"), id="json-boolean"),
    pytest.param(Refused(b"[" + TYPENAME + b"," + TYPENAME + b"]"), id="batch"),
    pytest.param(Refused(b"[]"), id="empty-batch"),
    pytest.param(Refused(b""), id="empty-body"),
    pytest.param(Refused(b" \r\n\t"), id="blank-body"),
    pytest.param(Refused(b'{"query": "{ __typename }'), id="truncated"),
    pytest.param(Refused(TYPENAME + b" {}"), id="two-documents"),
    pytest.param(Refused(b'{"query": "\xff{ __typename }"}'), id="invalid-utf8-byte"),
    pytest.param(Refused(b'{"query": "caf\xe9"}'), id="latin1-text"),
    pytest.param(Refused(b'{"query": "\xed\xa0\x80"}'), id="utf8-encoded-surrogate"),
    pytest.param(Refused(b'{"query": "\xc0\xaf"}'), id="overlong-utf8"),
    pytest.param(Refused(TYPENAME.decode().encode("utf-16")), id="utf16"),
    pytest.param(Refused(b"\xef\xbb\xbf" + TYPENAME), id="utf8-bom"),
    pytest.param(Refused(_with_variables(b"NaN")), id="nan"),
    pytest.param(Refused(_with_variables(b"Infinity")), id="infinity"),
    pytest.param(Refused(_with_variables(b"-Infinity")), id="minus-infinity"),
    pytest.param(Refused(_with_variables(b"1e999")), id="float-overflowing"),
    pytest.param(Refused(_with_variables(b"9" * 5000)), id="integer-of-5000-digits"),
    pytest.param(Refused(_with_variables(b"-" + b"9" * 30)), id="integer-beyond-64-bits"),
    pytest.param(
        Refused(b'{"query": "{ __typename }", "query": "mutation { x }"}'), id="duplicate-key"
    ),
    pytest.param(Refused(_with_variables(b'{"a": 1, "a": 2}')), id="duplicate-nested-key"),
    pytest.param(Refused(b'{"variables": {}}'), id="no-query"),
    pytest.param(Refused(b'{"query": null}'), id="query-null"),
    pytest.param(Refused(b'{"query": ""}'), id="query-empty"),
    pytest.param(Refused(b'{"query": "  \\n "}'), id="query-blank"),
    pytest.param(Refused(b'{"query": 7}'), id="query-number"),
    pytest.param(Refused(b'{"query": ["{ __typename }"]}'), id="query-list"),
    pytest.param(Refused(b'{"query": {"text": "{ __typename }"}}'), id="query-object"),
    pytest.param(Refused(b'{"query": "{ __typename }", "variables": []}'), id="variables-list"),
    pytest.param(Refused(b'{"query": "{ __typename }", "variables": "{}"}'), id="variables-text"),
    pytest.param(Refused(b'{"query": "{ __typename }", "variables": 1}'), id="variables-number"),
    pytest.param(
        Refused(b'{"query": "{ __typename }", "operationName": 5}'), id="operation-name-number"
    ),
    pytest.param(
        Refused(b'{"query": "{ __typename }", "operationName": ["a"]}'), id="operation-name-list"
    ),
    pytest.param(
        Refused(b'{"query": "query A { __typename }", "operationName": "B"}'),
        id="operation-name-unknown",
    ),
    pytest.param(
        Refused(b'{"query": "query A { __typename }", "operationName": "\\ud800"}'),
        id="operation-name-unpaired-surrogate",
    ),
    pytest.param(Refused(b'{"query": "{ __typename }", "extensions": []}'), id="extensions-list"),
    pytest.param(Refused(b'{"query": "{ __typename }", "extensions": "x"}'), id="extensions-text"),
    # The body object and `variables` are two levels: one more than the limit in all.
    pytest.param(
        Refused(_with_variables(_nested(MAX_JSON_NESTING - 1))), id="nested-one-level-too-deep"
    ),
    pytest.param(Refused(_with_variables(_nested(5000))), id="arrays-nested-5000-deep"),
    pytest.param(
        Refused(_with_variables(_nested(5000, b'{"a":', b"}"))), id="objects-nested-5000-deep"
    ),
    pytest.param(Refused(b"[" * 20000), id="unclosed-arrays-20000-deep"),
    pytest.param(
        Refused(b'{"query": "{ __typename }", "extensions": ' + _nested(3000) + b"}"),
        id="extensions-nested-3000-deep",
    ),
]


def query_string(**parameters: str) -> bytes:
    """GET parameters, URL-encoded as a browser or GraphiQL link sends them."""
    return urlencode(parameters).encode()


_TYPENAME_QUERY = "{ __typename }"
_VARIABLES_QUERY = "query($v: [String]) { __typename }"

# GETs whose query string is not one GraphQL query; each rule of a POST's body holds here too.
MALFORMED_QUERY_STRINGS = [
    pytest.param(Refused(b"", None), id="no-parameters"),
    pytest.param(Refused(query_string(query=""), None), id="query-empty"),
    pytest.param(Refused(query_string(query="  \n "), None), id="query-blank"),
    pytest.param(Refused(query_string(variables="{}"), None), id="no-query"),
    pytest.param(
        Refused(query_string(query=_TYPENAME_QUERY) + b"&query=mutation+%7B+x+%7D", None),
        id="query-repeated",
    ),
    pytest.param(
        Refused(query_string(query=_VARIABLES_QUERY, variables="{}") + b"&variables=%7B%7D", None),
        id="variables-repeated",
    ),
    pytest.param(Refused(b"query=%FF", None), id="invalid-utf8-byte"),
    pytest.param(Refused(b"query=caf%E9", None), id="latin1-text"),
    pytest.param(Refused(b"query=%ED%A0%80", None), id="utf8-encoded-surrogate"),
    pytest.param(Refused(b"query=%C0%AF", None), id="overlong-utf8"),
    *(
        pytest.param(
            Refused(query_string(query=_VARIABLES_QUERY, variables=variables), None), id=case
        )
        for case, variables in {
            "variables-not-json": "{",
            "variables-truncated": '{"v": ["a"',
            "variables-two-documents": "{} {}",
            "variables-list": "[]",
            "variables-text": '"{}"',
            "variables-number": "1",
            "variables-duplicate-key": '{"v": ["a"], "v": ["b"]}',
            "variables-duplicate-nested-key": '{"v": [{"a": 1, "a": 2}]}',
            "variables-nan": '{"v": NaN}',
            "variables-infinity": '{"v": Infinity}',
            "variables-float-overflowing": '{"v": 1e999}',
            "variables-integer-of-5000-digits": '{"v": ' + "9" * 5000 + "}",
            "variables-utf8-bom": "\ufeff{}",
            # `variables` is the outermost level here: one more than the limit in all.
            "variables-nested-one-level-too-deep": '{"v": '
            + _nested(MAX_JSON_NESTING).decode()
            + "}",
            "variables-nested-1000-deep": '{"v": ' + _nested(1000).decode() + "}",
            "variables-unclosed-2000-deep": "[" * 2000,
        }.items()
    ),
    pytest.param(
        Refused(query_string(query=_TYPENAME_QUERY, extensions="[]"), None), id="extensions-list"
    ),
    pytest.param(
        Refused(query_string(query=_TYPENAME_QUERY, extensions="{"), None), id="extensions-not-json"
    ),
    pytest.param(
        Refused(query_string(query="query A { __typename }", operationName="B"), None),
        id="operation-name-unknown",
    ),
    pytest.param(
        Refused(
            query_string(query=_TYPENAME_QUERY + " " * MAX_QUERY_STRING_BYTES),
            None,
            status=414,
            code="URI_TOO_LONG",
        ),
        id="query-string-too-long",
    ),
    pytest.param(
        Refused(b"&" * (MAX_QUERY_STRING_BYTES + 1), None, status=414, code="URI_TOO_LONG"),
        id="too-many-separators",
    ),
]

# A POST that is not `application/json` (with parameters) is not read at all: these are what a
# browser sends cross-site without asking first, or what another client might mean by JSON.
UNSUPPORTED_CONTENT_TYPES = [
    pytest.param(content_type, id={None: "absent", "": "empty"}.get(content_type, content_type))
    for content_type in (
        None,
        "",
        "text/plain",
        "text/plain; charset=utf-8",
        "text/plain, application/json",
        "application/json, text/plain",
        "text/plain; application/json",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/graphql",
        "application/graphql+json",
        "application/graphql-response+json",
        "application/jsonx",
        "application/json-patch+json",
        "application/json; charset=latin-1",
        "application/json; charset=utf-16",
        "json",
    )
]

ACCEPTED_CONTENT_TYPES = [
    pytest.param(content_type, id=content_type)
    for content_type in (
        "application/json",
        "application/json; charset=utf-8",
        "application/json;charset=UTF-8",
        'application/json; charset="utf-8"',
        "Application/JSON",
        "application/json ; charset=utf8",
    )
]

# What a Lambda's environment holds, as the stack sets it; no AWS call is made with these.
LAMBDA_ENVIRONMENT = {
    EnvVar.TABLE_NAME: "orders",
    EnvVar.URGENT_QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/000000000000/urgent.fifo",
    EnvVar.STANDARD_QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/000000000000/standard.fifo",
    EnvVar.BUCKET_NAME: "receipts",
    EnvVar.REGION: "us-east-1",
    EnvVar.BUSINESS_NAME: "Example Shop",
    EnvVar.BUSINESS_EMAIL: "orders@example.com",
    EnvVar.SENDER_EMAIL: "no-reply@example.com",
    EnvVar.LOG_LEVEL: "WARNING",
    "AWS_ACCESS_KEY_ID": "unit-test",
    "AWS_SECRET_ACCESS_KEY": "unit-test",
}
# An endpoint nothing listens on: for apps whose requests here never reach AWS.
UNREACHABLE_AWS = "http://127.0.0.1:9"


def settings_for(aws_endpoint: str = UNREACHABLE_AWS) -> Settings:
    return Settings.from_environ({**LAMBDA_ENVIRONMENT, EnvVar.AWS_ENDPOINT_URL: aws_endpoint})


# As the HTTP API's JWT authorizer hands an ID token's claims over: every value a string.
STAFF_CLAIMS: dict[str, Any] = {
    "sub": "c0ffee",
    "email": "ann@example.com",
    "email_verified": "true",
    "cognito:groups": "[staff]",
}


def api_gateway_event(
    body: bytes | None = TYPENAME,
    *,
    content_type: str | None = JSON,
    claims: object = STAFF_CLAIMS,
    method: str = "POST",
    base64_encoded: bool = False,
    query: bytes = b"",
    accept: str | None = None,
) -> dict[str, Any]:
    """An HTTP API (payload 2.0) event, as the JWT authorizer passes it to the function.

    A body that is not UTF-8 can only arrive base64-encoded. A GET has no body; the HTTP API
    hands its `query` string over raw, and parameter by parameter (repeats joined by commas).
    """
    headers = {"host": "abc.execute-api.us-east-1.amazonaws.com", "user-agent": "tests"}
    if content_type is not None:
        headers["content-type"] = content_type
    if accept is not None:
        headers["accept"] = accept
    parameters: dict[str, list[str]] = {}
    for name, value in parse_qsl(query.decode(), keep_blank_values=True, errors="strict"):
        parameters.setdefault(name, []).append(value)
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": f"{method} /graphql",
        "rawPath": "/graphql",
        "rawQueryString": query.decode(),
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc",
            "domainName": headers["host"],
            "domainPrefix": "abc",
            "http": {
                "method": method,
                "path": "/graphql",
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.7",
                "userAgent": "tests",
            },
            "requestId": "req-1",
            "routeKey": f"{method} /graphql",
            "stage": "$default",
            "time": "01/Dec/2026:06:00:00 +0000",
            "timeEpoch": 1795932000000,
            "authorizer": {"jwt": {"claims": claims, "scopes": None}},
        },
        "body": (
            None
            if body is None
            else base64.b64encode(body).decode()
            if base64_encoded
            else body.decode()
        ),
        "isBase64Encoded": base64_encoded,
    }
    if parameters:
        event["queryStringParameters"] = {
            name: ",".join(values) for name, values in parameters.items()
        }
    return event


def is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def assert_graphql_refusal(
    status: int, headers: Any, body: bytes, expected: Refused, *, media_type: str = JSON
) -> None:
    """A refusal as the issue asks: the status, a JSON GraphQL error with its code, and the
    correlation id to quote, whichever entry point answered."""
    assert status == expected.status, body[:500]
    assert headers["content-type"].startswith(media_type), headers
    answer = json.loads(body)
    assert set(answer) == {"errors"}, answer
    assert [error["extensions"]["code"] for error in answer["errors"]] == [expected.code]
    assert all(isinstance(error["message"], str) for error in answer["errors"])
    assert headers["x-correlation-id"], headers
