"""What the API accepts as a GraphQL request over HTTP, and the typed refusals of the rest."""

from __future__ import annotations

import json
import math
import re
from typing import Any, ClassVar, NoReturn

from strawberry.http import GraphQLRequestData

# Real variables nest a few levels (an input object, its list, its items). Past this, a body is
# refused before it is parsed: Python's decoder and GraphQL's variable coercion both recurse.
MAX_JSON_NESTING = 64
# More digits than any 64-bit integer: GraphQL's Int is 32-bit, and a long enough number
# makes Python's int() raise instead of parse.
MAX_INTEGER_DIGITS = 20
JSON_MEDIA_TYPE = "application/json"
_UTF8_CHARSETS = {"utf-8", "utf8"}
# A JSON string (to its closing quote, or to the end of an unterminated one) or a bracket.
# Possessive, so every character is looked at once whatever the body holds.
_STRING_OR_BRACKET = re.compile(r'"(?:[^"\\]++|\\.)*+"?|[\[\]{}]', re.DOTALL)
_NESTING_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class RequestRefusedError(Exception):
    """The HTTP request is not a GraphQL request this API answers: a client error, never a 5xx."""

    status_code: ClassVar[int]
    code: ClassVar[str]


class MalformedRequestError(RequestRefusedError):
    """The body is not one GraphQL operation as a JSON object (400)."""

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


def graphql_request(content_type: str | None, body: bytes) -> GraphQLRequestData:
    """One operation from a POST's Content-Type and body; raises a RequestRefusedError if not."""
    require_json_media_type(content_type)
    document = decode_json(body)
    if isinstance(document, list):
        raise MalformedRequestError("Batched operations are not supported: send one per request.")
    if not isinstance(document, dict):
        raise MalformedRequestError("The request body must be a JSON object with a `query`.")
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


def decode_json(body: bytes) -> object:
    """The body as strict JSON: UTF-8 without a byte order mark, bounded nesting, no duplicate
    keys, no NaN or Infinity, no number beyond what GraphQL can take."""
    if not body.strip():
        raise MalformedRequestError("The request body is empty.")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise MalformedRequestError("The request body is not UTF-8 text.") from error
    if json_nesting_exceeds(text, MAX_JSON_NESTING):
        raise MalformedRequestError(f"The JSON body is nested deeper than {MAX_JSON_NESTING}.")
    try:
        return json.loads(
            text,
            object_pairs_hook=_object_without_duplicate_keys,
            parse_constant=_refuse_non_finite,
            parse_float=_finite_float,
            parse_int=_bounded_integer,
        )
    except json.JSONDecodeError as error:
        raise MalformedRequestError(f"The request body is not JSON: {error}.") from error


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
        raise MalformedRequestError("A JSON object in the body repeats a key.")
    return document


def _refuse_non_finite(constant: str) -> NoReturn:
    raise MalformedRequestError(f"{constant} is not JSON.")


def _finite_float(literal: str) -> float:
    number = float(literal)
    if not math.isfinite(number):
        raise MalformedRequestError("A number in the body is too large.")
    return number


def _bounded_integer(literal: str) -> int:
    if len(literal.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise MalformedRequestError("A number in the body is too large.")
    return int(literal)
