"""What the API accepts as a GraphQL request over HTTP, the media type it answers in, and the
typed refusals of the rest."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any, ClassVar, NoReturn
from urllib.parse import parse_qsl

from starlette.responses import Response
from strawberry.http import GraphQLRequestData

# Real variables nest a few levels (an input object, its list, its items). Past this, a body is
# refused before it is parsed: Python's decoder and GraphQL's variable coercion both recurse.
MAX_JSON_NESTING = 64
# More digits than any 64-bit integer: GraphQL's Int is 32-bit, and a long enough number
# makes Python's int() raise instead of parse.
MAX_INTEGER_DIGITS = 20
# A GET carries its operation in the URL, which proxies, API Gateway and logs all bound: a
# longer operation belongs in a POST body (MAX_BODY_BYTES).
MAX_QUERY_STRING_BYTES = 8 * 1024
JSON_MEDIA_TYPE = "application/json"
# The GraphQL-over-HTTP spec's own media type: its status codes say whether the operation ran.
GRAPHQL_RESPONSE_MEDIA_TYPE = "application/graphql-response+json"
_UTF8_CHARSETS = {"utf-8", "utf8"}
# A JSON string (to its closing quote, or to the end of an unterminated one) or a bracket.
# Possessive, so every character is looked at once whatever the body holds.
_STRING_OR_BRACKET = re.compile(r'"(?:[^"\\]++|\\.)*+"?|[\[\]{}]', re.DOTALL)
# An Accept q-value: 0 to 1, at most three decimals.
_QUALITY = re.compile(r"0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?")
_NESTING_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class RequestRefusedError(Exception):
    """The HTTP request is not a GraphQL request this API answers: a client error, never a 5xx."""

    status_code: ClassVar[int]
    code: ClassVar[str]

    @property
    def headers(self) -> Mapping[str, str]:
        """Headers the refusal needs, beside its JSON body."""
        return {}


class MalformedRequestError(RequestRefusedError):
    """The request does not hold one GraphQL operation: a body that is not one as a JSON object,
    a GET's query string that does not name one (400)."""

    status_code = 400
    code = "BAD_REQUEST"


class UnsupportedMediaTypeError(RequestRefusedError):
    """The body is not declared as `application/json` (415)."""

    status_code = 415
    code = "UNSUPPORTED_MEDIA_TYPE"


class RequestTooLargeError(RequestRefusedError):
    """The body is larger than the API reads (413)."""

    status_code = 413
    code = "REQUEST_TOO_LARGE"


class QueryStringTooLongError(RequestRefusedError):
    """A GET's query string is longer than the API reads (414)."""

    status_code = 414
    code = "URI_TOO_LONG"


class MethodNotAllowedError(RequestRefusedError):
    """The HTTP method cannot carry this request: anything but GET and POST, or a mutation over
    GET (405, with the methods that can in `Allow`)."""

    status_code = 405
    code = "METHOD_NOT_ALLOWED"

    def __init__(self, message: str, *, allowed: Sequence[str]) -> None:
        super().__init__(message)
        self.allowed = tuple(allowed)

    @property
    def headers(self) -> Mapping[str, str]:
        return {"Allow": ", ".join(self.allowed)}


class NotAcceptableError(RequestRefusedError):
    """The client's Accept allows neither JSON media type the API answers in (406)."""

    status_code = 406
    code = "NOT_ACCEPTABLE"


def graphql_request(content_type: str | None, body: bytes) -> GraphQLRequestData:
    """One operation from a POST's Content-Type and body; raises a RequestRefusedError if not."""
    require_json_media_type(content_type)
    document = decode_json(body)
    if isinstance(document, list):
        raise MalformedRequestError("Batched operations are not supported: send one per request.")
    if not isinstance(document, dict):
        raise MalformedRequestError("The request body must be a JSON object with a `query`.")
    return _operation(document)


def graphql_request_from_query_string(query_string: bytes) -> GraphQLRequestData:
    """One operation from a GET's query string, read as strictly as a POST's body.

    `query` and `operationName` as text, `variables` and `extensions` as JSON text; an empty
    parameter is an absent one (a URL has no null). A repeated parameter is refused, as a
    repeated JSON key is: the API and a proxy in front of it could each read a different one.
    """
    if len(query_string) > MAX_QUERY_STRING_BYTES:
        raise QueryStringTooLongError(
            f"The query string is longer than {MAX_QUERY_STRING_BYTES} bytes: "
            "send a long operation with POST."
        )
    try:
        pairs = parse_qsl(query_string.decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError as error:
        raise MalformedRequestError("The query string is not URL-encoded UTF-8.") from error
    if len({name for name, _ in pairs}) != len(pairs):
        raise MalformedRequestError("A parameter repeats in the query string.")
    parameters: dict[str, Any] = {name: value for name, value in pairs if value}
    for name in ("variables", "extensions"):
        if name in parameters:
            parameters[name] = decode_json(parameters[name].encode(), f"`{name}`")
    return _operation(parameters)


def _operation(document: dict[str, Any]) -> GraphQLRequestData:
    query = document.get("query")
    if not isinstance(query, str) or not query.strip():
        raise MalformedRequestError("`query` must be a GraphQL document, as a non-empty string.")
    return GraphQLRequestData(
        query=query,
        variables=_optional(document, "variables", dict, "an object"),
        operation_name=_optional(document, "operationName", str, "a string"),
        extensions=_optional(document, "extensions", dict, "an object"),
    )


def require_json_media_type(content_type: str | None) -> None:
    """`application/json`, any case, with parameters; a charset, if given, must be UTF-8.

    Only this media type: the ones a browser may send cross-site without asking first
    (`text/plain`, `multipart/form-data`, `application/x-www-form-urlencoded`) are how a
    forged request would get through if a cookie ever carried the credentials.
    """
    media_type, *parameters = (content_type or "").split(";")
    if media_type.strip().lower() != JSON_MEDIA_TYPE:
        raise UnsupportedMediaTypeError(f"Send the operation as Content-Type: {JSON_MEDIA_TYPE}.")
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in (
            _UTF8_CHARSETS
        ):
            raise UnsupportedMediaTypeError("A JSON body is UTF-8; no other charset is read.")


def response_media_type(accept: str | None) -> str:
    """The media type to answer in, from the client's Accept (RFC 9110's q-values).

    `application/graphql-response+json` when the client names it and likes it at least as well
    as `application/json`; `application/json` otherwise, also for no Accept, `*/*` and
    `application/*`: the GraphQL-over-HTTP spec keeps clients that predate the new type on
    the old one. NotAcceptableError when the client takes neither.
    """
    if not accept or not accept.strip():
        return JSON_MEDIA_TYPE
    ranges = _accepted_ranges(accept)
    graphql_quality = ranges.get(GRAPHQL_RESPONSE_MEDIA_TYPE, 0.0)
    # The most specific range that matches decides, so `application/json;q=0, */*` refuses JSON.
    json_quality = next(
        (ranges[name] for name in (JSON_MEDIA_TYPE, "application/*", "*/*") if name in ranges), 0.0
    )
    if graphql_quality > 0 and graphql_quality >= json_quality:
        return GRAPHQL_RESPONSE_MEDIA_TYPE
    if json_quality > 0:
        return JSON_MEDIA_TYPE
    raise NotAcceptableError(
        f"The API answers in {GRAPHQL_RESPONSE_MEDIA_TYPE} or {JSON_MEDIA_TYPE}: "
        "the Accept header allows neither."
    )


def _accepted_ranges(accept: str) -> dict[str, float]:
    """Each media range of an Accept header with its quality; one with a malformed `q` is out."""
    ranges: dict[str, float] = {}
    for element in accept.split(","):
        media_range, *parameters = element.split(";")
        qualities = [
            value.strip()
            for name, _, value in (parameter.partition("=") for parameter in parameters)
            if name.strip().lower() == "q"
        ]
        quality = qualities[-1] if qualities else "1"
        if _QUALITY.fullmatch(quality):
            name = media_range.strip().lower()
            ranges[name] = max(float(quality), ranges.get(name, 0.0))
    return ranges


def decode_json(body: bytes, described: str = "The request body") -> object:
    """The body (or a GET's parameter, `described`) as strict JSON: UTF-8 without a byte order
    mark, bounded nesting, no duplicate keys, no NaN or Infinity, no number beyond what GraphQL
    can take."""
    if not body.strip():
        raise MalformedRequestError(f"{described} is empty.")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise MalformedRequestError(f"{described} is not UTF-8 text.") from error
    if json_nesting_exceeds(text, MAX_JSON_NESTING):
        raise MalformedRequestError(f"{described} nests JSON deeper than {MAX_JSON_NESTING}.")
    try:
        return json.loads(
            text,
            object_pairs_hook=_object_without_duplicate_keys,
            parse_constant=_refuse_non_finite,
            parse_float=_finite_float,
            parse_int=_bounded_integer,
        )
    except json.JSONDecodeError as error:
        raise MalformedRequestError(f"{described} is not JSON: {error}.") from error


def json_nesting_exceeds(text: str, limit: int) -> bool:
    """Whether arrays and objects in `text` nest deeper than `limit` (brackets in strings aside)."""
    depth = 0
    for token in _STRING_OR_BRACKET.finditer(text):
        depth += _NESTING_STEP.get(token.group(), 0)
        if depth > limit:
            return True
    return False


def _optional(document: dict[str, Any], key: str, kind: type, described: str) -> Any:
    value = document.get(key)
    if value is not None and not isinstance(value, kind):
        raise MalformedRequestError(f"`{key}` must be {described} or null.")
    return value


def _object_without_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # A repeated key is read as its last value here and its first by some proxies: refused.
    document = dict(pairs)
    if len(document) != len(pairs):
        raise MalformedRequestError("A JSON object repeats a key.")
    return document


def _refuse_non_finite(constant: str) -> NoReturn:
    raise MalformedRequestError(f"{constant} is not JSON.")


def _finite_float(literal: str) -> float:
    number = float(literal)
    if not math.isfinite(number):
        raise MalformedRequestError("A JSON number is too large.")
    return number


def _bounded_integer(literal: str) -> int:
    if len(literal.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise MalformedRequestError("A JSON number is too large.")
    return int(literal)


def graphql_error_response(
    status_code: int,
    code: str,
    message: str,
    *,
    headers: Mapping[str, str] | None = None,
    media_type: str = JSON_MEDIA_TYPE,
) -> Response:
    """A refusal as GraphQL clients read one: `{"errors": [{"message", "extensions": {code}}]}`."""
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    # json.dumps escapes to ASCII: a message may quote the client's text, unpaired surrogates
    # included, which UTF-8 (and so Starlette's JSONResponse) cannot encode.
    return Response(
        json.dumps(body, separators=(",", ":")), status_code, headers, media_type=media_type
    )


def unauthenticated_response(reason: str, *, media_type: str = JSON_MEDIA_TYPE) -> Response:
    return graphql_error_response(
        HTTPStatus.UNAUTHORIZED,
        "UNAUTHENTICATED",
        f"Unauthenticated: {reason}.",
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        media_type=media_type,
    )
