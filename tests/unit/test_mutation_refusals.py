"""Every field that answers refusals as data has, in its union, a member for each refusal its
resolver can raise: read from the code, not from one example each. A new `raise` of an error the
union lacks fails here, before a client gets an internal error for it.

The reading follows calls by name: functions and classes of ours, module attributes, and
parameters by their annotations. It does not follow calls through the request context's ports
(`context.reads`, `context.commands`, a slots dataclass's fields) or local variables; those ports
raise no domain error, which the last test here holds."""

from __future__ import annotations

import ast
import builtins
import inspect
import textwrap
import typing
from collections.abc import Callable, Iterator
from typing import Annotated, Any

import pytest
import strawberry
from strawberry.permission import PermissionExtension
from strawberry.types.field import StrawberryField

from domain import errors as domain_errors
from domain.errors import DomainError
from schema.errors import Error, NotFoundError, StaleVersionError, error_type
from schema.mutation import Mutation
from schema.query import Query
from schema.refusals import AnswerRefusals, UndeclaredRefusalError, error_members

OURS = ("domain", "resolvers", "schema")

# One of each refusal the domain has, to learn which GraphQL type answers it.
SAMPLES: list[DomainError] = [
    domain_errors.InvalidInputError("items", "bad"),
    domain_errors.UnknownProductError("SKU-1", "items.0.sku"),
    domain_errors.ForbiddenError("no"),
    domain_errors.OrderNotFoundError("o"),
    domain_errors.OrderNotModifiableError("o", "DELIVERED"),
    domain_errors.StaleVersionError(1, 2),
    domain_errors.ProfileRequiredError(),
    domain_errors.IdempotencyConflictError(),
    domain_errors.UnprocessableCommandError("x"),
]


def _all_subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _all_subclasses(sub)
    return found


def answer_for(refusal: type[DomainError]) -> type[Error] | None:
    """The GraphQL error type a refusal is answered with; None for the worker's own."""
    sample = next(sample for sample in SAMPLES if type(sample) is refusal)
    try:
        return type(error_type(sample))
    except TypeError:
        return None


def _resolve(node: ast.expr, scope: dict[str, Any], hints: dict[str, Any]) -> list[Any]:
    """What a name or dotted name in the code refers to; a parameter by its annotation."""
    if isinstance(node, ast.Name):
        if node.id in hints:
            return _classes_of(hints[node.id])
        if node.id in scope:
            return [scope[node.id]]
        if hasattr(builtins, node.id):
            return [getattr(builtins, node.id)]
        return []
    if isinstance(node, ast.Attribute):
        found = []
        for base in _resolve(node.value, scope, hints):
            value = inspect.getattr_static(base, node.attr, None)
            if isinstance(value, (staticmethod, classmethod)):
                value = value.__func__
            if value is not None:
                found.append(value)
        return found
    return []


def _classes_of(annotation: Any) -> list[Any]:
    """The classes an annotation admits: `X`, `X | None`, `type[X | Y]` (a class passed in)."""
    if isinstance(annotation, type):
        return [annotation]
    return [found for arg in typing.get_args(annotation) for found in _classes_of(arg)]


def _parameter_types(function: Callable[..., Any]) -> dict[str, Any]:
    """Each parameter's annotation that resolves at run time (one imported only for the type
    checker does not, and is left out rather than losing the rest)."""
    hints = {}
    for name, annotation in inspect.get_annotations(function).items():
        try:
            hints[name] = (
                eval(annotation, function.__globals__)  # noqa: S307 (our own annotations)
                if isinstance(annotation, str)
                else annotation
            )
        except NameError:
            continue
    return hints


def _is_ours(value: Any) -> bool:
    module = getattr(value, "__module__", None) or ""
    return module.split(".")[0] in OURS


def _callees(value: Any) -> Iterator[Callable[..., Any]]:
    """The functions of ours a call to `value` runs: itself, or a class's constructor hooks."""
    if isinstance(value, type):
        if _is_ours(value):
            for hook in ("__init__", "__post_init__"):
                method = value.__dict__.get(hook)
                if method is not None:
                    yield method
        return
    if inspect.isfunction(value) and _is_ours(value):
        yield inspect.unwrap(value)


def raised_refusals(
    function: Callable[..., Any], seen: set[Any] | None = None
) -> set[type[DomainError]]:
    """The domain errors a function can raise: its own `raise`s and those of what it calls."""
    seen = set() if seen is None else seen
    if function in seen:
        return set()
    seen.add(function)
    try:
        source = inspect.getsource(function)
    except OSError:  # generated (a dataclass's __init__): its __post_init__ is read on its own
        return set()
    tree = ast.parse(textwrap.dedent(source))
    scope = dict(function.__globals__)
    owner = function.__qualname__.split(".")[0]
    hints = _parameter_types(function)
    if "." in function.__qualname__ and owner in scope:
        hints["self"] = scope[owner]
        hints["cls"] = scope[owner]
    found: set[type[DomainError]] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and node.exc is not None:
            raised = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            for value in _resolve(raised, scope, hints):
                if isinstance(value, type) and issubclass(value, DomainError):
                    found.add(value)
        elif isinstance(node, ast.Call):
            for value in _resolve(node.func, scope, hints):
                for callee in _callees(value):
                    found |= raised_refusals(callee, seen)
    return found


def refusal_fields() -> list[tuple[str, StrawberryField]]:
    fields = []
    strawberry.Schema(query=Query, mutation=Mutation)  # applies the fields' extensions
    for root in (Query, Mutation):
        definition = root.__strawberry_definition__  # type: ignore[attr-defined]
        for field in definition.fields:
            if any(isinstance(extension, AnswerRefusals) for extension in field.extensions):
                fields.append((f"{definition.name}.{field.python_name}", field))
    return fields


def _resolver(field: StrawberryField) -> Callable[..., Any]:
    assert field.base_resolver is not None
    return inspect.unwrap(field.base_resolver.wrapped_func)


def test_every_domain_refusal_has_a_sample_to_learn_its_answer_from() -> None:
    assert {type(sample) for sample in SAMPLES} == _all_subclasses(DomainError)


def test_every_mutation_answers_its_refusals_as_data() -> None:
    names = {name for name, _ in refusal_fields()}
    mutations = {
        f"Mutation.{field.python_name}"
        for field in Mutation.__strawberry_definition__.fields  # type: ignore[attr-defined]
    }
    assert mutations <= names
    assert "Query.quote" in names


@pytest.mark.parametrize(("name", "field"), refusal_fields(), ids=lambda value: str(value))
def test_the_union_has_a_member_for_each_refusal_the_resolver_can_raise(
    name: str, field: StrawberryField
) -> None:
    refusals = raised_refusals(_resolver(field))
    if any(isinstance(extension, PermissionExtension) for extension in field.extensions):
        refusals.add(domain_errors.ForbiddenError)
    # The reading goes deep enough to see the input checks every field makes.
    assert domain_errors.InvalidInputError in refusals, name
    answers = {answer_for(refusal) for refusal in refusals}
    assert None not in answers, f"{name} can raise a refusal only the worker may make"
    missing = answers - error_members(field)
    assert not missing, f"{name}'s union lacks {sorted(t.__name__ for t in missing)}"


def test_the_reading_finds_refusals_through_calls_constructors_and_parameters() -> None:
    """The analysis itself can fail: a refusal behind a call, a command's checks and an input's
    conversion are all found."""
    from resolvers import orders

    found = raised_refusals(orders.cancel_order)
    assert {
        domain_errors.OrderNotFoundError,
        domain_errors.OrderNotModifiableError,
        domain_errors.StaleVersionError,
        domain_errors.InvalidInputError,
    } <= found
    from schema.common import address_or_none

    assert domain_errors.InvalidInputError in raised_refusals(address_or_none)


@strawberry.type
class Done:
    ok: bool


LackingResult = Annotated[Done | NotFoundError, strawberry.union("LackingResult")]
DeclaredResult = Annotated[Done | StaleVersionError, strawberry.union("DeclaredResult")]


@strawberry.type
class LackingRoot:
    """A field whose union lacks the refusal its resolver raises."""

    @strawberry.field(extensions=[AnswerRefusals()])
    async def lacking(self) -> LackingResult:
        raise domain_errors.StaleVersionError(1, 2)


@strawberry.type
class WorkerRefusalRoot:
    """A field refusing with what only the worker may refuse: no GraphQL type answers it."""

    @strawberry.field(extensions=[AnswerRefusals()])
    async def worker_only(self) -> DeclaredResult:
        raise domain_errors.IdempotencyConflictError()


@strawberry.type
class DeclaredRoot:
    @strawberry.field(extensions=[AnswerRefusals()])
    async def declared(self) -> DeclaredResult:
        raise domain_errors.StaleVersionError(1, 2)


@strawberry.type
class Other:
    ok: bool


@strawberry.type
class NoErrorRoot:
    @strawberry.field(extensions=[AnswerRefusals()])
    async def nothing(
        self,
    ) -> Annotated[Done | Other, strawberry.union("NoErrorResult")]:
        return Done(ok=True)


def test_a_resolver_raising_what_its_union_lacks_is_found_by_the_reading() -> None:
    strawberry.Schema(query=LackingRoot)  # applies the extension, which reads the union
    field = LackingRoot.__strawberry_definition__.fields[0]  # type: ignore[attr-defined]
    refusals = raised_refusals(_resolver(field))
    assert refusals == {domain_errors.StaleVersionError}
    assert {answer_for(refusal) for refusal in refusals} - error_members(field)


async def test_at_run_time_a_refusal_the_union_lacks_is_a_bug_not_a_wrong_answer() -> None:
    result = await strawberry.Schema(query=LackingRoot).execute("{ lacking { __typename } }")
    assert result.errors is not None
    assert isinstance(result.errors[0].original_error, UndeclaredRefusalError)
    assert result.data is None


async def test_a_refusal_only_the_worker_makes_is_the_same_bug_at_the_edge() -> None:
    result = await strawberry.Schema(query=WorkerRefusalRoot).execute(
        "{ workerOnly { __typename } }"
    )
    assert result.errors is not None
    assert isinstance(result.errors[0].original_error, UndeclaredRefusalError)
    assert "IdempotencyConflictError" in str(result.errors[0].original_error)


async def test_a_declared_refusal_is_answered_as_its_member() -> None:
    answer = await strawberry.Schema(query=DeclaredRoot).execute(
        "{ declared { __typename ... on StaleVersionError { currentVersion code } } }"
    )
    assert answer.errors is None
    assert answer.data == {
        "declared": {
            "__typename": "StaleVersionError",
            "currentVersion": 2,
            "code": "STALE_VERSION",
        }
    }


def test_a_union_without_an_error_member_cannot_answer_refusals() -> None:
    with pytest.raises(TypeError, match="no Error member"):
        strawberry.Schema(query=NoErrorRoot)


def test_the_request_contexts_ports_raise_no_domain_error() -> None:
    """What the reading does not follow: the read store and the publisher the resolvers call
    through the context. They fail with their own errors (a 5xx), never a refusal."""
    from resolvers.command_publisher import CommandPublisher
    from resolvers.read_store import DynamoReadStore

    for port in (DynamoReadStore, CommandPublisher):
        for name, member in vars(port).items():
            if inspect.isfunction(member):
                assert raised_refusals(member) == set(), f"{port.__name__}.{name}"
