"""What the API accepts as a GraphQL request over HTTP: the rules, without HTTP."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.graphql_request import (
    GRAPHQL_RESPONSE_MEDIA_TYPE,
    JSON_MEDIA_TYPE,
    MAX_JSON_NESTING,
    MalformedRequestError,
    NotAcceptableError,
    RequestRefusedError,
    UnsupportedMediaTypeError,
    decode_json,
    graphql_request,
    graphql_request_from_query_string,
    json_nesting_exceeds,
    require_json_media_type,
    response_media_type,
)
from tests.api_requests import (
    ACCEPTED_CONTENT_TYPES,
    MALFORMED_BODIES,
    MALFORMED_QUERY_STRINGS,
    TYPENAME,
    UNSUPPORTED_CONTENT_TYPES,
    Refused,
    query_string,
)

# Strawberry's own check of the operation name against the document comes later, in execution.
_REFUSED_BY_STRAWBERRY = {"operation-name-unknown", "operation-name-unpaired-surrogate"}


@pytest.mark.parametrize(
    "refused", [case for case in MALFORMED_BODIES if case.id not in _REFUSED_BY_STRAWBERRY]
)
def test_a_body_that_is_not_one_operation_is_malformed(refused: Refused) -> None:
    with pytest.raises(MalformedRequestError) as refusal:
        graphql_request(refused.content_type, refused.body)

    assert (refusal.value.status_code, refusal.value.code) == (400, "BAD_REQUEST")


@pytest.mark.parametrize(
    "refused", [case for case in MALFORMED_QUERY_STRINGS if case.id != "operation-name-unknown"]
)
def test_a_query_string_that_is_not_one_query_is_refused(refused: Refused) -> None:
    with pytest.raises(RequestRefusedError) as refusal:
        graphql_request_from_query_string(refused.body)

    assert (refusal.value.status_code, refusal.value.code) == (refused.status, refused.code)


def test_a_query_string_keeps_its_variables_name_and_extensions() -> None:
    variables = {"n": 3, "tags": ["a", {"b": None}], "price": 1.5, "v": "Zoë 東京 🥐"}
    parameters = query_string(
        query="query Q($n: Int) { __typename }",
        variables=json.dumps(variables),
        operationName="Q",
        extensions='{"trace": true}',
        somethingElse="ignored",
    )

    request = graphql_request_from_query_string(parameters)

    assert request.query == "query Q($n: Int) { __typename }"
    assert request.variables == variables
    assert request.operation_name == "Q"
    assert request.extensions == {"trace": True}


@pytest.mark.parametrize("absent", ["", "null"])
def test_empty_or_null_optional_parameters_are_absent(absent: str) -> None:
    parameters = query_string(query="{ __typename }", variables=absent, extensions=absent)

    request = graphql_request_from_query_string(parameters + b"&operationName=")

    assert (request.variables, request.operation_name, request.extensions) == (None, None, None)


GRAPHQL_RESPONSE = GRAPHQL_RESPONSE_MEDIA_TYPE


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (None, JSON_MEDIA_TYPE),
        ("", JSON_MEDIA_TYPE),
        ("*/*", JSON_MEDIA_TYPE),
        ("application/*", JSON_MEDIA_TYPE),
        ("application/json", JSON_MEDIA_TYPE),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", JSON_MEDIA_TYPE),
        ("application/graphql-response+json", GRAPHQL_RESPONSE),
        ("Application/GraphQL-Response+JSON; charset=utf-8", GRAPHQL_RESPONSE),
        ("application/graphql-response+json, application/json;q=0.9", GRAPHQL_RESPONSE),
        ("application/json, application/graphql-response+json", GRAPHQL_RESPONSE),
        ("application/json, application/graphql-response+json;q=0.5", JSON_MEDIA_TYPE),
        ("application/graphql-response+json;q=0.5, */*;q=0.1", GRAPHQL_RESPONSE),
        ("application/graphql-response+json;q=0, */*", JSON_MEDIA_TYPE),
        ("application/graphql-response+json;q=oops, application/json", JSON_MEDIA_TYPE),
        ("text/html, application/graphql-response+json;q=0.001", GRAPHQL_RESPONSE),
    ],
)
def test_the_answer_is_in_the_media_type_the_client_prefers(
    accept: str | None, media_type: str
) -> None:
    assert response_media_type(accept) == media_type


@pytest.mark.parametrize(
    "accept",
    [
        "text/html",
        "application/xml, text/*",
        "application/json;q=0",
        "application/json;q=0, application/graphql-response+json;q=0",
        "*/*;q=0",
        "application/json;q=2",
        "image/*",
        "application/jsonx, application/graphql+json",
    ],
)
def test_an_accept_of_neither_json_type_is_refused(accept: str) -> None:
    with pytest.raises(NotAcceptableError) as refusal:
        response_media_type(accept)

    assert (refusal.value.status_code, refusal.value.code) == (406, "NOT_ACCEPTABLE")


@pytest.mark.parametrize("content_type", UNSUPPORTED_CONTENT_TYPES)
def test_only_json_is_read(content_type: str | None) -> None:
    with pytest.raises(UnsupportedMediaTypeError) as refusal:
        graphql_request(content_type, TYPENAME)

    assert (refusal.value.status_code, refusal.value.code) == (415, "UNSUPPORTED_MEDIA_TYPE")


@pytest.mark.parametrize("content_type", ACCEPTED_CONTENT_TYPES)
def test_json_is_read_in_any_case_and_with_a_utf8_charset(content_type: str) -> None:
    require_json_media_type(content_type)


def test_an_operation_keeps_its_variables_name_and_extensions() -> None:
    body = {
        "query": "query Q($n: Int) { __typename }",
        "variables": {"n": 3, "tags": ["a", {"b": None}], "price": 1.5},
        "operationName": "Q",
        "extensions": {"trace": True},
        "somethingElse": "ignored",
    }

    request = graphql_request("application/json", json.dumps(body).encode())

    assert request.query == body["query"]
    assert request.variables == body["variables"]
    assert request.operation_name == "Q"
    assert request.extensions == {"trace": True}


@pytest.mark.parametrize("absent", ["null", None])
def test_optional_members_may_be_null_or_absent(absent: str | None) -> None:
    members = "" if absent is None else ', "variables": null, "operationName": null'
    body = f'{{"query": "{{ __typename }}"{members}}}'.encode()

    request = graphql_request("application/json", body)

    assert (request.variables, request.operation_name, request.extensions) == (None, None, None)


def test_text_in_any_script_and_escaped_surrogate_pairs_are_read() -> None:
    body = '{"query": "{ __typename }", "variables": {"v": "Zoë 東京 \\ud83d\\ude00 🥐"}}'

    request = graphql_request("application/json", body.encode())

    assert request.variables == {"v": "Zoë 東京 😀 🥐"}


def test_nesting_up_to_the_limit_is_read() -> None:
    within = "[" * MAX_JSON_NESTING + "]" * MAX_JSON_NESTING

    assert decode_json(within.encode()) is not None
    with pytest.raises(MalformedRequestError):
        decode_json(("[" + within + "]").encode())


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        pytest.param('{"a": "[[[[", "b": [{"c": "]]]]"}]}', 3, id="brackets-in-strings"),
        pytest.param('{"a": "\\"[[[[", "b": [[1]]}', 3, id="escaped-quote-then-brackets"),
        pytest.param('{"a": "\\\\", "b": [[1]]}', 3, id="escaped-backslash-ends-the-string"),
        pytest.param("[[1], [2], [[3]]]", 3, id="siblings-do-not-add-up"),
        pytest.param('"[[[[[[[[', 0, id="unterminated-string"),
        pytest.param("[[[[", 4, id="unclosed"),
    ],
)
def test_nesting_is_counted_outside_strings_only(text: str, depth: int) -> None:
    assert not json_nesting_exceeds(text, depth)
    assert depth == 0 or json_nesting_exceeds(text, depth - 1)


_JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=30,
)
_JSON_TEXTS = _JSON_VALUES.map(json.dumps)
_OPERATIONS = st.fixed_dictionaries(
    {"query": _JSON_VALUES},
    optional={"variables": _JSON_VALUES, "operationName": _JSON_VALUES, "extensions": _JSON_VALUES},
)


def _depth(value: object) -> int:
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    return 0


@given(
    st.binary(max_size=300)
    | st.text(max_size=300).map(str.encode)
    | _JSON_VALUES.map(lambda value: json.dumps(value).encode())
    | _OPERATIONS.map(lambda operation: json.dumps(operation).encode())
)
def test_any_body_is_an_operation_or_a_typed_refusal(body: bytes) -> None:
    try:
        request = graphql_request("application/json", body)
    except RequestRefusedError:
        return  # a client error: see the test below
    assert isinstance(request.query, str)
    assert request.variables is None or isinstance(request.variables, dict)


def test_every_refusal_is_a_client_error() -> None:
    refusals = RequestRefusedError.__subclasses__()

    assert {MalformedRequestError, UnsupportedMediaTypeError} <= set(refusals)
    for refusal in refusals:
        assert 400 <= refusal.status_code < 500, refusal


@given(_JSON_VALUES)
def test_the_nesting_counted_is_the_nesting_of_the_value(value: object) -> None:
    text = json.dumps(value)
    depth = _depth(value)

    assert not json_nesting_exceeds(text, depth)
    assert depth == 0 or json_nesting_exceeds(text, depth - 1)


@given(
    st.binary(max_size=300)
    | st.dictionaries(
        st.sampled_from(["query", "variables", "operationName", "extensions", "other"]),
        st.text(max_size=50) | _JSON_TEXTS,
    ).map(lambda parameters: query_string(**parameters))
)
def test_any_query_string_is_a_query_or_a_typed_refusal(parameters: bytes) -> None:
    try:
        request = graphql_request_from_query_string(parameters)
    except RequestRefusedError:
        return  # a client error: see test_every_refusal_is_a_client_error
    assert isinstance(request.query, str)
    assert request.variables is None or isinstance(request.variables, dict)
