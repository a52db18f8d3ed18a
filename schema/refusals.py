"""The edge between domain refusals and result unions: one field extension, one permission.

A field whose type is a union of a success and `Error` members declares, by that union, which
refusals it answers as data. `AnswerRefusals` turns each domain refusal into its member, and
treats one the union lacks as a bug (a masked internal error), never as a silent wrong type.
`tests/unit/test_mutation_refusals.py` reads every such field's resolver, and what it calls,
for the refusals it can raise, and fails when its union lacks one.
"""

from __future__ import annotations

from typing import Any

from strawberry.extensions.field_extension import AsyncExtensionResolver, FieldExtension
from strawberry.permission import BasePermission, PermissionExtension
from strawberry.types.field import StrawberryField
from strawberry.types.union import StrawberryUnion

from domain.errors import DomainError, ForbiddenError
from resolvers.command_publisher import CommandQueueUnavailableError
from resolvers.context import RequestContext
from schema.errors import Error, ExpectedGraphQLError, error_type


class UndeclaredRefusalError(TypeError):
    """A resolver refused with an error its field's union lacks: a bug of ours, not the client's."""


def error_members(field: StrawberryField) -> frozenset[type[Error]]:
    """The `Error` types a field's result union may answer with."""
    union = field.type
    if not isinstance(union, StrawberryUnion):
        raise TypeError(f"{field.python_name} answers refusals as data, so its type is a union")
    members: set[type[Error]] = set()
    for member in union.types:
        if isinstance(member, type) and issubclass(member, Error):
            members.add(member)
    if not members:
        raise TypeError(f"{field.python_name}'s union has no Error member to answer refusals with")
    return frozenset(members)


class AnswerRefusals(FieldExtension):
    """A domain refusal becomes its result-union member; an unavailable queue, a retryable error."""

    def __init__(self) -> None:
        self.members: frozenset[type[Error]] = frozenset()
        self.field_name = ""

    def apply(self, field: StrawberryField) -> None:
        self.members = error_members(field)
        self.field_name = field.python_name

    async def resolve_async(
        self, next_: AsyncExtensionResolver, source: Any, info: Any, **kwargs: Any
    ) -> Any:
        try:
            return await next_(source, info, **kwargs)
        except DomainError as refusal:
            try:
                answer = error_type(refusal)
            except TypeError:  # a refusal only the worker makes: no GraphQL type answers it
                answer = None
            if type(answer) not in self.members:
                raise UndeclaredRefusalError(
                    f"{self.field_name} refused with {type(refusal).__name__}, which its result "
                    "union lacks"
                ) from refusal
            return answer
        except CommandQueueUnavailableError as error:
            raise ExpectedGraphQLError(
                "The order service is briefly unavailable; nothing was queued. Retry the request.",
                extensions={"code": "UNAVAILABLE", "retryable": True},
            ) from error


class IsStaff(BasePermission):
    """Only members of the staff group; anyone else gets the field's ForbiddenError."""

    def __init__(self, message: str) -> None:
        self.message = message

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        context: RequestContext = info.context
        return context.identity.is_staff

    def on_unauthorized(self) -> None:
        raise ForbiddenError(self.message or "Only staff can do this.")


def answering_refusals(*, staff_only: str | None = None) -> list[FieldExtension]:
    """The extensions of a field answering refusals as data; `staff_only` is the refusal's text.

    The permission runs inside `AnswerRefusals` (Strawberry wraps the last extension outermost),
    so a customer's call gets the union's ForbiddenError before the resolver runs at all.
    """
    extensions: list[FieldExtension] = []
    if staff_only is not None:
        # No schema directive: the published SDL stays the contract's.
        extensions.append(PermissionExtension([IsStaff(staff_only)], use_directives=False))
    extensions.append(AnswerRefusals())
    return extensions
