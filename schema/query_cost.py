"""The cost of a GraphQL operation in AWS requests, and the limiter that refuses one over budget."""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    ListValueNode,
    NamedTypeNode,
    Node,
    ObjectValueNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    VariableValues,
    get_argument_values,
    get_named_type,
    get_operation_ast,
    get_variable_values,
    is_abstract_type,
)
from strawberry.extensions import SchemaExtension

from domain.errors import ErrorCode
from resolvers.pagination import MAX_PAGE_SIZE
from resolvers.read_store import (
    CUSTOMER_ORDERS_QUERIES,
    ORDER_COLLECTION_QUERIES,
    ORDERS_BY_STATUS_QUERIES,
    PRODUCTS_QUERIES,
)


@dataclass(frozen=True, slots=True)
class FieldCost:
    """What resolving a field once costs, in requests to DynamoDB or SQS, at most."""

    requests: int
    # One request serves every parent resolved together (a DataLoader's batch), not each one.
    batched: bool = False
    # The field returns a page of `first` items, and its selections run once for each of them.
    paged: bool = False
    # Sibling fields reading the same thing (through one DataLoader) read it once between them.
    shared_read: str | None = None


FREE = FieldCost(requests=0)
# One Query on the order's partition returns the order, its ledger and its timeline.
_ORDER_COLLECTION = "order item collection"
_ORDER_READ = FieldCost(ORDER_COLLECTION_QUERIES, shared_read=_ORDER_COLLECTION)

# Every field that reads the store, queues a command or returns a list, by `Type.field`; any
# other field is computed from what its parent holds and costs nothing. A test fails when the
# schema gains such a field without an entry here.
FIELD_COSTS: Mapping[str, FieldCost] = {
    "Query.me": FieldCost(1, batched=True),
    "Query.customer": FieldCost(1, batched=True),
    # The order's own item (one GetItem) or, when a field of its collection is selected, the
    # collection (one Query): priced as the collection, whose fields are then counted again, a
    # small overcount that keeps the model one rule per field.
    "Query.order": FieldCost(ORDER_COLLECTION_QUERIES),
    "Query.command": FieldCost(1),
    # One GetItem of the product's item.
    "Query.product": FieldCost(1),
    # The order a command concerns, read as Query.order reads it.
    "Command.order": FieldCost(ORDER_COLLECTION_QUERIES),
    # One BatchGetItem of the catalogue: an order has at most 100 lines, one batch's worth.
    "Query.quote": FieldCost(1),
    "Quote.items": FREE,
    # A listing sends at most the Queries the read store allows it, whatever the data: a page
    # they cannot fill (a filter rejecting most items) ends short, with a cursor to go on from.
    # Staff list by status (every status: one partition each); a customer lists their own.
    "Query.orders": FieldCost(max(ORDERS_BY_STATUS_QUERIES, CUSTOMER_ORDERS_QUERIES), paged=True),
    "Query.products": FieldCost(PRODUCTS_QUERIES, paged=True),
    "Customer.orders": FieldCost(CUSTOMER_ORDERS_QUERIES, paged=True),
    "Order.customer": FieldCost(1, batched=True),
    "Order.receipt": _ORDER_READ,
    "Order.transactions": _ORDER_READ,
    "Order.history": _ORDER_READ,
    "Order.balance": _ORDER_READ,
    # Lists their parent already holds (a connection's edges are its page, counted by it).
    "Order.items": FREE,
    "OrderConnection.edges": FREE,
    "ProductConnection.edges": FREE,
    # A mutation queues one message; those on an existing order read it first.
    "Mutation.registerCustomer": FieldCost(1),
    "Mutation.placeOrder": FieldCost(1),
    "Mutation.upsertProduct": FieldCost(1),
    "Mutation.modifyOrder": FieldCost(2),
    "Mutation.cancelOrder": FieldCost(2),
    "Mutation.dispatchOrder": FieldCost(2),
    "Mutation.completeDelivery": FieldCost(2),
}


def query_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None = None,
    variables: Mapping[str, Any] | None = None,
) -> int:
    """The most requests the operation can make: each field's own, plus its selections' cost
    times the objects they run on (a page's `first`, its default when absent)."""
    return RememberedCosts(schema, documents=0).cost(document, operation_name, variables)


class RememberedCosts:
    """query_cost for the documents priced lately, each price worked out once for each value of
    what it depends on: the document, the operation, and the variables given to the arguments
    of paged fields (a page's size, or an argument whose failure prices the largest page). An
    order's id changes from request to request and no price reads it.

    A document is known by identity (the parser cache hands the same one back for the same
    text) and held here, so that identity cannot pass to another; `documents` and `prices_each`
    bound what is kept. The variables are still coerced every time: ones that do not coerce
    cost nothing, as before, since execution refuses them.
    """

    def __init__(
        self, schema: GraphQLSchema, *, documents: int = 256, prices_each: int = 64
    ) -> None:
        self._schema = schema
        self._documents = documents
        self._prices_each = prices_each
        self._known: OrderedDict[int, _KnownDocument] = OrderedDict()

    def cost(
        self,
        document: DocumentNode,
        operation_name: str | None,
        variables: Mapping[str, Any] | None,
    ) -> int:
        operation = get_operation_ast(document, operation_name)
        if operation is None:
            return 0  # execution refuses a missing or ambiguous operation before any read
        root = self._schema.get_root_type(operation.operation)
        if root is None:
            return 0  # validation refuses an operation type the schema lacks
        given = dict(variables or {})
        coerced = get_variable_values(self._schema, operation.variable_definitions or (), given)
        if isinstance(coerced, list):
            return 0  # execution refuses variables that do not coerce, before any read
        known = self._document(document)
        key = (operation_name, _values_key(given, known.page_variables))
        cost = known.costs.get(key)
        if cost is None:
            pricing = _Pricing(self._schema, known.fragments, coerced)
            cost = pricing.object_cost(
                root, [(operation.selection_set, frozenset())], _Fanout(1, 1)
            )
            if self._documents:
                if len(known.costs) >= self._prices_each:
                    known.costs.clear()
                known.costs[key] = cost
        return cost

    def _document(self, document: DocumentNode) -> _KnownDocument:
        known = self._known.get(id(document))
        if known is not None and known.document is document:
            self._known.move_to_end(id(document))
            return known
        known = _KnownDocument.of(document)
        if self._documents:
            self._known[id(document)] = known
            if len(self._known) > self._documents:
                self._known.popitem(last=False)
        return known


# The names of paged fields, whatever their type: the variables in their arguments are the
# ones a price can depend on (a superset, for a name two types share).
_PAGED_FIELD_NAMES = frozenset(
    key.split(".")[1] for key, price in FIELD_COSTS.items() if price.paged
)


@dataclass(slots=True)
class _KnownDocument:
    document: DocumentNode
    fragments: dict[str, FragmentDefinitionNode]
    page_variables: frozenset[str]
    costs: dict[tuple[str | None, bytes], int] = field(default_factory=dict)

    @classmethod
    def of(cls, document: DocumentNode) -> _KnownDocument:
        fragments = {
            definition.name.value: definition
            for definition in document.definitions
            if isinstance(definition, FragmentDefinitionNode)
        }
        names: set[str] = set()

        def visit(node: Node) -> None:
            if isinstance(node, FieldNode) and node.name.value in _PAGED_FIELD_NAMES:
                for argument in node.arguments or ():
                    _variables_in(argument.value, names)
            for key in node.keys:
                child = getattr(node, key, None)
                for item in child if isinstance(child, tuple | list) else (child,):
                    if isinstance(item, Node):
                        visit(item)

        visit(document)
        return cls(document, fragments, frozenset(names))


def _variables_in(value: ValueNode, names: set[str]) -> None:
    if isinstance(value, VariableNode):
        names.add(value.name.value)
    elif isinstance(value, ListValueNode):
        for element in value.values:
            _variables_in(element, names)
    elif isinstance(value, ObjectValueNode):
        for object_field in value.fields:
            _variables_in(object_field.value, names)


def _values_key(variables: Mapping[str, Any], names: frozenset[str]) -> bytes:
    """A digest of the values given for `names` (a name not given is absent, which is not
    null): a fixed 32 bytes kept per price, whatever a client sends (a cursor can be any
    string the body holds)."""
    values = json.dumps(
        {name: [variables[name]] if name in variables else [] for name in sorted(names)},
        sort_keys=True,
    )
    return hashlib.sha256(values.encode("utf-8", "surrogatepass")).digest()


def over_budget_error(cost: int, budget: int) -> GraphQLError:
    return GraphQLError(
        f"Query cost {cost} exceeds the budget of {budget}. Each list multiplies the cost of "
        "what it selects by its page size: ask for smaller pages (first) or fewer nested lists.",
        extensions={"code": ErrorCode.VALIDATION.value, "cost": cost, "budget": budget},
    )


class QueryCostLimiter(SchemaExtension):
    """Refuses an operation over budget once it is valid, before any resolver runs.

    It prices the operation as execution starts, not in a validation rule: only then are the
    request's variables known, so `first: $size` costs what the client asked for (a rule would
    have to assume the largest page), and the validation cache stays keyed by the document.
    """

    def __init__(self, *, budget: int) -> None:
        self.budget = budget

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None:
            cost = _remembered_costs(context.schema._schema).cost(
                context.graphql_document, context.operation_name, context.variables
            )
            if cost > self.budget:
                # A result set before execution is the result: no resolver runs.
                context.result = ExecutionResult(
                    data=None, errors=[over_budget_error(cost, self.budget)]
                )
        yield


@cache
def _remembered_costs(schema: GraphQLSchema) -> RememberedCosts:
    """One memory of prices per schema for the process (extensions are made per request)."""
    return RememberedCosts(schema)


@dataclass(frozen=True, slots=True)
class _Fanout:
    """The objects a selection runs on: `groups` resolved apart, `per_group` together in each."""

    groups: int
    per_group: int

    @property
    def objects(self) -> int:
        return self.groups * self.per_group


# A selection set with the fragments it was reached through, so a fragment cycle ends (the
# validation refuses them; this only keeps the pricing finite whatever it is given).
_Selections = Sequence[tuple[SelectionSetNode, frozenset[str]]]


class _Pricing:
    """Walks an operation as execution would: fragments merged, fields grouped by response key."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: VariableValues,
    ) -> None:
        self._schema = schema
        self._fragments = fragments
        self._variables = variables

    def object_cost(
        self, object_type: GraphQLObjectType, selections: _Selections, fanout: _Fanout
    ) -> int:
        total = 0
        shared: dict[str, int] = {}
        for nodes in self._fields(object_type, selections).values():
            node = nodes[0][0]
            field = object_type.fields.get(node.name.value)
            if field is None:
                continue  # __typename and introspection read nothing from the store
            price = FIELD_COSTS.get(f"{object_type.name}.{node.name.value}", FREE)
            own = price.requests * (fanout.groups if price.batched else fanout.objects)
            if price.shared_read is None:
                total += own
            else:
                shared[price.shared_read] = max(shared.get(price.shared_read, 0), own)
            below = [(child.selection_set, path) for child, path in nodes if child.selection_set]
            if below:
                total += self._output_cost(
                    field.type, below, self._fanout_below(price, field, node, fanout)
                )
        return total + sum(shared.values())

    def _output_cost(
        self, output_type: GraphQLOutputType, selections: _Selections, fanout: _Fanout
    ) -> int:
        named = get_named_type(output_type)
        if is_abstract_type(named):
            # Whichever type an item turns out to be, it costs at most the dearest of them.
            return max(
                (
                    self.object_cost(possible, selections, fanout)
                    for possible in self._schema.get_possible_types(named)
                ),
                default=0,
            )
        if isinstance(named, GraphQLObjectType):
            return self.object_cost(named, selections, fanout)
        return 0

    def _fanout_below(
        self, price: FieldCost, field: GraphQLField, node: FieldNode, fanout: _Fanout
    ) -> _Fanout:
        if price.paged:
            # Each parent's page is read on its own; the items of one page resolve together.
            return _Fanout(fanout.objects, self._page_size(field, node))
        if price.batched or price.requests == 0:
            return fanout
        return _Fanout(fanout.objects, 1)  # each parent's answer arrives on its own

    def _page_size(self, field: GraphQLField, node: FieldNode) -> int:
        try:
            first = get_argument_values(field, node, self._variables).get("first")
        except GraphQLError:
            return MAX_PAGE_SIZE  # the field fails on its arguments; priced as the largest page
        if not isinstance(first, int):
            return MAX_PAGE_SIZE
        # The resolvers refuse a size outside 1..MAX_PAGE_SIZE before reading anything.
        return min(max(first, 0), MAX_PAGE_SIZE)

    def _fields(
        self, object_type: GraphQLObjectType, selections: _Selections
    ) -> dict[str, list[tuple[FieldNode, frozenset[str]]]]:
        """The fields selected on `object_type`, by response key: aliases apart, repeats merged."""
        fields: dict[str, list[tuple[FieldNode, frozenset[str]]]] = {}
        spread: set[str] = set()

        def visit(selection_set: SelectionSetNode, path: frozenset[str]) -> None:
            for selection in selection_set.selections:
                if isinstance(selection, FieldNode):
                    key = (selection.alias or selection.name).value
                    fields.setdefault(key, []).append((selection, path))
                elif isinstance(selection, InlineFragmentNode):
                    if self._applies(selection.type_condition, object_type):
                        visit(selection.selection_set, path)
                elif isinstance(selection, FragmentSpreadNode):
                    name = selection.name.value
                    fragment = self._fragments.get(name)
                    if fragment is None or name in spread or name in path:
                        continue
                    spread.add(name)
                    if self._applies(fragment.type_condition, object_type):
                        visit(fragment.selection_set, path | {name})

        for selection_set, path in selections:
            visit(selection_set, path)
        return fields

    def _applies(self, condition: NamedTypeNode | None, object_type: GraphQLObjectType) -> bool:
        if condition is None:
            return True
        condition_type = self._schema.get_type(condition.name.value)
        if condition_type is object_type:
            return True
        return is_abstract_type(condition_type) and self._schema.is_sub_type(
            condition_type, object_type
        )
