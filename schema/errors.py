"""Expected errors as GraphQL types, and the one place domain errors map to them."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError

from domain import errors as domain_errors
from domain import orders as domain_orders
from schema.enums import ErrorCode, OrderStatus


@strawberry.interface
class Error:
    code: ErrorCode
    message: str


@strawberry.type
class ValidationError(Error):
    field: str | None


@strawberry.type
class NotFoundError(Error):
    pass


@strawberry.type
class ForbiddenError(Error):
    pass


@strawberry.type
class OrderNotModifiableError(Error):
    status: OrderStatus


@strawberry.type
class StaleVersionError(Error):
    current_version: int


@strawberry.type
class ProfileRequiredError(Error):
    pass


@strawberry.type
class CommandError:
    code: ErrorCode
    message: str


def error_type(error: domain_errors.DomainError) -> Error:
    """The GraphQL error type for a domain refusal."""
    match error:
        case domain_errors.InvalidInputError():
            return ValidationError(code=error.code, message=error.message, field=error.field)
        case domain_errors.OrderNotFoundError():
            return NotFoundError(code=error.code, message=error.message)
        case domain_errors.ForbiddenError():
            return ForbiddenError(code=error.code, message=error.message)
        case domain_errors.OrderNotModifiableError():
            return OrderNotModifiableError(
                code=error.code,
                message=error.message,
                status=domain_orders.OrderStatus(error.status),
            )
        case domain_errors.StaleVersionError():
            return StaleVersionError(
                code=error.code, message=error.message, current_version=error.current_version
            )
        case domain_errors.ProfileRequiredError():
            return ProfileRequiredError(code=error.code, message=error.message)
    # Refusals only the worker makes (unknown product, idempotency conflict) never reach here.
    raise TypeError(f"no GraphQL error type for {type(error).__name__}")


class ExpectedGraphQLError(GraphQLError):
    """An error meant for the client as it is: never masked."""


def query_error(error: domain_errors.DomainError) -> ExpectedGraphQLError:
    """A refusal inside a query (which has no error union): a GraphQL error with its code."""
    extensions: dict[str, Any] = {"code": error.code.value}
    if isinstance(error, domain_errors.InvalidInputError):
        extensions["field"] = error.field
    return ExpectedGraphQLError(error.message, extensions=extensions)
