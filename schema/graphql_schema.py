"""The Schema object, with its production extensions, and the export of its SDL."""

from __future__ import annotations

import logging
import pathlib
import sys
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache, partial

import strawberry
from graphql import DocumentNode, GraphQLError, GraphQLSchema, parse
from graphql.validation import ASTValidationRule, NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    MaxAliasesLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import validate_document
from strawberry.types import ExecutionContext

from schema.errors import ExpectedGraphQLError
from schema.mutation import Mutation
from schema.query import Query
from schema.query_cost import QueryCostLimiter

logger = logging.getLogger(__name__)
SDL_PATH = pathlib.Path(__file__).with_name("schema.graphql")


def _is_unexpected(error: GraphQLError) -> bool:
    """Syntax, validation and deliberate client errors pass; anything else is masked."""
    original = error.original_error
    return original is not None and not isinstance(original, ExpectedGraphQLError | GraphQLError)


def _masked(error: GraphQLError, context: object) -> GraphQLError:
    """The error a client sees for an unexpected failure: a correlation id, logged with it."""
    correlation_id = getattr(context, "correlation_id", None) or uuid.uuid4().hex
    logger.error(
        "unexpected error %s at %s",
        correlation_id,
        error.path,
        exc_info=error.original_error,
    )
    return GraphQLError(
        f"Unexpected error. Reference: {correlation_id}",
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={"code": "INTERNAL", "correlationId": correlation_id},
    )


class OrderDeliverySchema(strawberry.Schema):
    """Masks unexpected failures, and logs each error once, where it is understood.

    Every list of errors Strawberry answers with passes through `process_errors` once, before
    the answer is built from it: errors from resolvers, from parsing and validation, and from
    an extension's hook that raised (which Strawberry words as the exception's own message).
    Each unexpected error is replaced there, in the answer's own list, by one whose message
    carries a correlation id, logged with the exception at ERROR. (Strawberry's MaskErrors
    masks after the operation, in an extension: it cannot see a hook that raised, and its hooks
    cost every request.) A client's invalid query is the client's business: those go to DEBUG,
    so a flood of bad queries cannot flood the logs (and their bill).
    """

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        context = None if execution_context is None else execution_context.context
        for index, error in enumerate(errors):
            if _is_unexpected(error):
                errors[index] = _masked(error, context)
            else:
                logger.debug("client error: %s", error.message)


# Limits on what one request may ask for: each nesting level or alias can multiply the table
# reads a request costs. Introspection is not counted in the depth.
MAX_QUERY_DEPTH = 8
MAX_ALIASES = 15
MAX_TOKENS = 2000
# Depth and aliases do not bound breadth: a page of 100 orders each listing 100 more passes both.
# An operation's cost is the most requests to DynamoDB or SQS it can make (schema/query_cost.py).
# What the web app, the README and the tests send costs 1 to 5, a page of 20 orders with their
# receipts 24. 25 requests take under half a second even on the local emulator, which serves one
# DynamoDB request at a time.
MAX_QUERY_COST = 25


# The limiters' validation rules, made once. Each limiter instance makes a new rule class, and
# the validation cache is keyed by the rules: rules made per request would never hit it.
_LIMIT_RULES = (
    *QueryDepthLimiter(max_depth=MAX_QUERY_DEPTH).validation_rules,
    *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
)
_PRODUCTION_RULES = (*_LIMIT_RULES, NoSchemaIntrospectionCustomRule)


class OperationLimits(QueryCostLimiter):
    """Every limit on an operation, in one extension: its tokens (as MaxTokensLimiter sets
    them), the validation rules that bound its depth and aliases and refuse introspection (as
    AddValidationRules adds them), and its cost. Each extension's hooks run on every request,
    cached documents included: one extension costs a request less than three."""

    def __init__(
        self, *, max_tokens: int, rules: Sequence[type[ASTValidationRule]], budget: int
    ) -> None:
        super().__init__(budget=budget)
        self.max_tokens = max_tokens
        self.rules = tuple(rules)

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.parse_options["max_tokens"] = self.max_tokens
        context.validation_rules = context.validation_rules + self.rules
        yield


Rules = tuple[type[ASTValidationRule], ...]


class DocumentMemo:
    """The documents parsed lately, by their text and parse options, and the validation errors
    of each, by the document's identity. One memo per schema, since the errors depend on it.

    Strawberry's ValidationCache keys an LRU by the document's value, and graphql-core's nodes
    are frozen dataclasses hashed by walking the whole tree: every request hashed every node
    of its document (about a tenth of a millisecond of an order read). The parse here hands
    the same document back for the same text; each remembered one is held, so its identity
    cannot pass to another."""

    def __init__(self, *, documents: int = 128) -> None:
        self._documents = documents
        self.parse: Callable[..., DocumentNode] = lru_cache(maxsize=documents)(parse)
        self._errors: OrderedDict[tuple[int, Rules], tuple[DocumentNode, list[GraphQLError]]] = (
            OrderedDict()
        )

    def errors(
        self, schema: GraphQLSchema, document: DocumentNode, rules: Rules
    ) -> list[GraphQLError]:
        key = (id(document), rules)
        known = self._errors.get(key)
        if known is not None and known[0] is document:
            self._errors.move_to_end(key)
            return known[1]
        errors = validate_document(schema, document, rules)
        self._errors[key] = (document, errors)
        if len(self._errors) > self._documents:
            self._errors.popitem(last=False)
        return errors


class RememberedDocuments(SchemaExtension):
    """Parses and validates each document once, as Strawberry's ParserCache and ValidationCache
    do, in one extension: each extension's hooks cost every request."""

    def __init__(self, memo: DocumentMemo) -> None:
        super().__init__()
        self.memo = memo

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        context.graphql_document = self.memo.parse(context.query, **context.parse_options)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        assert context.graphql_document is not None  # parsed, or Strawberry stops before this
        context.pre_execution_errors = self.memo.errors(
            context.schema._schema, context.graphql_document, tuple(context.validation_rules)
        )
        yield


def build_schema(*, developer_mode: bool = False) -> strawberry.Schema:
    """The schema with its limits; `developer_mode` (the local server only) allows
    introspection and "did you mean" suggestions, which production keeps to itself."""
    rules = _LIMIT_RULES if developer_mode else _PRODUCTION_RULES
    # Factories, not instances: an extension instance would be shared by concurrent requests.
    extensions: list[Callable[[], SchemaExtension] | type[SchemaExtension]] = [
        # Prices the operation once it is valid, with its variables, before anything resolves.
        partial(OperationLimits, max_tokens=MAX_TOKENS, rules=rules, budget=MAX_QUERY_COST),
        partial(RememberedDocuments, DocumentMemo()),
    ]
    return OrderDeliverySchema(
        query=Query,
        mutation=Mutation,
        extensions=extensions,
        config=StrawberryConfig(disable_field_suggestions=not developer_mode),
    )


def main() -> int:
    """`python -m schema.graphql_schema [--check]`: write schema.graphql, or check it is current."""
    sdl = build_schema(developer_mode=True).as_str() + "\n"
    if "--check" in sys.argv[1:]:
        if not SDL_PATH.exists() or SDL_PATH.read_text() != sdl:
            print(
                f"{SDL_PATH} is out of date: run python -m schema.graphql_schema", file=sys.stderr
            )
            return 1
        return 0
    SDL_PATH.write_text(sdl)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
