"""The Schema object, with its production extensions, and the export of its SDL."""

from __future__ import annotations

import logging
import pathlib
import sys
import uuid
from collections.abc import Callable
from functools import partial

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)

from schema.errors import ExpectedGraphQLError
from schema.mutation import Mutation
from schema.query import Query

logger = logging.getLogger(__name__)
SDL_PATH = pathlib.Path(__file__).with_name("schema.graphql")


def _is_unexpected(error: GraphQLError) -> bool:
    """Syntax, validation and deliberate client errors pass; anything else is masked."""
    original = error.original_error
    return original is not None and not isinstance(original, ExpectedGraphQLError | GraphQLError)


class MaskUnexpectedErrors(MaskErrors):
    """Masks unexpected exceptions; the message carries a correlation id also logged with them."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=_is_unexpected)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        context = self.execution_context.context
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


# Limits on what one request may ask for: each nesting level or alias can multiply the table
# reads a request costs. Introspection is not counted in the depth.
MAX_QUERY_DEPTH = 8
MAX_ALIASES = 15
MAX_TOKENS = 2000


def build_schema() -> strawberry.Schema:
    # Factories, not instances: an extension instance would be shared by concurrent requests.
    extensions: list[Callable[[], SchemaExtension] | type[SchemaExtension]] = [
        MaskUnexpectedErrors,
        partial(MaxTokensLimiter, max_token_count=MAX_TOKENS),
        partial(QueryDepthLimiter, max_depth=MAX_QUERY_DEPTH),
        partial(MaxAliasesLimiter, max_alias_count=MAX_ALIASES),
        ParserCache,
        ValidationCache,
    ]
    return strawberry.Schema(query=Query, mutation=Mutation, extensions=extensions)


def main() -> int:
    """`python -m schema.graphql_schema [--check]`: write schema.graphql, or check it is current."""
    sdl = build_schema().as_str() + "\n"
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
