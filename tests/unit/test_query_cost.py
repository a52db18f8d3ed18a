"""The cost of an operation in AWS requests: pages multiply, fragments and repeats do not."""

from __future__ import annotations

import pathlib
import re
from collections.abc import Awaitable, Coroutine
from types import UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints

import pytest
from graphql import (
    DocumentNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    OperationDefinitionNode,
    get_introspection_query,
    get_named_type,
    parse,
    type_from_ast,
)
from strawberry.types.field import StrawberryField

from app.local import loadtest
from domain.orders import OrderStatus
from resolvers.pagination import MAX_PAGE_SIZE
from resolvers.read_store import (
    CUSTOMER_ORDERS_QUERIES,
    ORDERS_BY_STATUS_QUERIES,
    PRODUCTS_QUERIES,
)
from schema.graphql_schema import MAX_QUERY_COST, build_schema
from schema.query_cost import FIELD_COSTS, FREE, RememberedCosts, query_cost
from storage.table import BATCH_GET_LIMIT
from tests.e2e import operations as e2e

SCHEMA = build_schema()._schema
README = pathlib.Path(__file__).parents[2] / "README.md"
ROOTS = ("Query", "Mutation")
AN_ID = "01JQ4Y5Z8R3T6V9W2X4Y6Z8A0B"

# What each item of a page reads in these tests: the order's collection (one Query per order).
LEDGER = "transactions { id amount { display } }"


def cost(query: str, **variables: Any) -> int:
    return query_cost(SCHEMA, parse(query), variables=variables)


def orders_page(first: int, selection: str = LEDGER) -> str:
    return f"orders(first: {first}) {{ edges {{ node {{ id {selection} }} }} }}"


# --- what a field costs ---------------------------------------------------------------------


def test_a_field_that_reads_costs_one_request_and_its_scalars_nothing() -> None:
    assert cost("{ me { id name email phone defaultAddress { city } } }") == 1


def test_a_page_multiplies_what_each_of_its_items_reads() -> None:
    # Staff may list every status: one Query per status, then one collection Query per order.
    assert cost(f"{{ {orders_page(10)} }}") == 4 + 10
    assert cost(f"{{ {orders_page(10, '')} }}") == 4


def test_nested_pages_multiply() -> None:
    inner = f"customer {{ {orders_page(5)} }}"

    # 4 status Queries, one profile batch, and per outer order: its customer's page (2 Queries
    # at most) with a collection Query per inner order.
    assert cost(f"{{ {orders_page(10, inner)} }}") == 4 + 1 + 10 * (2 + 5)


def test_the_issues_request_is_far_over_the_budget() -> None:
    inner = f"customer {{ {orders_page(100, '')} }}"
    one = orders_page(100, inner)
    aliased = " ".join(f"a{index}: {one}" for index in range(15))

    assert cost(f"{{ {one} }}") == 4 + 1 + 100 * 2
    assert cost(f"{{ {aliased} }}") == 15 * (4 + 1 + 100 * 2) > MAX_QUERY_COST


def test_a_page_without_first_costs_the_fields_default_page() -> None:
    assert cost(f"{{ orders {{ edges {{ node {{ {LEDGER} }} }} }} }}") == cost(
        f"{{ {orders_page(20)} }}"
    )
    assert cost(f"{{ me {{ orders {{ edges {{ node {{ {LEDGER} }} }} }} }} }}") == 1 + 2 + 20


@pytest.mark.parametrize(("first", "priced_as"), [(1000, 100), (0, 0), (-5, 0)])
def test_a_page_size_the_resolver_refuses_is_priced_within_the_allowed_range(
    first: int, priced_as: int
) -> None:
    assert cost(f"{{ {orders_page(first)} }}") == 4 + priced_as


def test_one_profile_batch_serves_a_whole_page() -> None:
    # The customers' DataLoader reads a page's profiles with one BatchGetItem.
    assert cost(f"{{ {orders_page(100, 'customer { name }')} }}") == 4 + 1


def test_one_profile_batch_holds_the_largest_page() -> None:
    # What makes a batched field cost one request per page, not one per hundred items.
    assert MAX_PAGE_SIZE <= BATCH_GET_LIMIT


def test_a_listing_is_priced_at_the_most_queries_its_reads_may_send() -> None:
    # The read store stops each listing at these, whatever a filter passes: a true bound.
    orders = FIELD_COSTS["Query.orders"].requests

    assert orders >= CUSTOMER_ORDERS_QUERIES  # a customer's own orders, of one status or all
    assert orders >= ORDERS_BY_STATUS_QUERIES >= len(OrderStatus)  # staff: a Query per status
    assert FIELD_COSTS["Customer.orders"].requests == CUSTOMER_ORDERS_QUERIES
    assert FIELD_COSTS["Query.products"].requests == PRODUCTS_QUERIES


def test_a_batch_is_counted_once_for_each_page_it_serves() -> None:
    inner = f"customer {{ {orders_page(10, 'customer { name }')} }}"

    assert cost(f"{{ {orders_page(3, inner)} }}") == 4 + 1 + 3 * (2 + 1)


def test_the_fields_of_an_orders_collection_share_its_one_read() -> None:
    everything = f"{LEDGER} history {{ kind }} receipt {{ url }}"

    assert cost(f"{{ {orders_page(10, everything)} }}") == cost(f"{{ {orders_page(10)} }}")


def test_lists_an_order_holds_cost_nothing() -> None:
    selection = "items { sku name quantity unitPrice { amount } lineTotal { display } }"

    assert cost(f"{{ {orders_page(50, selection)} }}") == 4


# --- fragments, aliases and repeats ---------------------------------------------------------

INLINE = f"{{ me {{ name {orders_page(10)} }} }}"


@pytest.mark.parametrize(
    "query",
    [
        pytest.param(
            "{ me { ...Profile } } fragment Profile on Customer { name " + orders_page(10) + " }",
            id="named-fragment",
        ),
        pytest.param(
            "{ me { name orders(first: 10) { ...Page } } }"
            " fragment Page on OrderConnection { edges { node { id ...Ledger } } }"
            " fragment Ledger on Order { transactions { id amount { display } } }",
            id="nested-fragments",
        ),
        pytest.param(
            "{ me { ... on Customer { name " + orders_page(10) + " } } }",
            id="inline-fragment-on-type",
        ),
        pytest.param("{ me { ... { name " + orders_page(10) + " } } }", id="inline-fragment"),
        pytest.param(
            "{ me { name ...Page ...Page } } fragment Page on Customer { " + orders_page(10) + " }",
            id="fragment-spread-twice",
        ),
        pytest.param(
            "{ me { name " + orders_page(10) + " " + orders_page(10) + " } }",
            id="field-repeated",
        ),
        pytest.param(
            "{ me { name ... on Customer { " + orders_page(10) + " } " + orders_page(10) + " } }",
            id="field-inline-and-in-fragment",
        ),
    ],
)
def test_fragments_and_repeats_cost_what_the_fields_written_out_once_cost(query: str) -> None:
    # Execution merges the fields of one response key: they resolve, and read, once.
    assert cost(query) == cost(INLINE) == 1 + 2 + 10


def test_each_alias_is_its_own_read() -> None:
    assert cost("{ a: me { name } b: me { name } }") == 2
    assert cost(f"{{ a: {orders_page(10)} b: {orders_page(10)} }}") == 2 * (4 + 10)


def test_a_fragment_cycle_is_priced_without_looping() -> None:
    cyclic = (
        "{ me { ...Mine } } fragment Mine on Customer"
        " { orders(first: 10) { edges { node { customer { ...Mine } } } } }"
    )

    # The validation refuses the cycle; pricing it anyway ends, at one expansion.
    assert cost(cyclic) == 1 + 2 + 1


def test_a_fragment_on_another_union_member_is_not_counted() -> None:
    mutation = """
    mutation { cancelOrder(input: {orderId: "x"}) {
      ... on CommandAccepted { commandId }
      ... on Error { code message }
      ... on OrderNotModifiableError { status }
    } }"""

    assert cost(mutation) == 2


# --- variables and operations ---------------------------------------------------------------

PAGE_OF_SIZE = (
    "query Page($size: Int!) { orders(first: $size) { edges { node { id " + LEDGER + " } } } }"
)


@pytest.mark.parametrize("size", [1, 20, 95, 100])
def test_a_variable_page_costs_the_size_sent(size: int) -> None:
    assert cost(PAGE_OF_SIZE, size=size) == 4 + size


def test_a_variable_left_out_takes_its_default_then_the_fields() -> None:
    page = "orders(first: $size) { edges { node { " + LEDGER + " } } }"
    with_default = "query($size: Int = 7) { " + page + " }"
    without = "query($size: Int) { " + page + " }"

    assert cost(with_default) == 4 + 7
    # An optional variable left out leaves the argument out: the field's default page applies.
    assert cost(without) == 4 + 20


def test_variables_that_do_not_coerce_cost_nothing_as_nothing_runs() -> None:
    assert cost(PAGE_OF_SIZE, size="many") == 0
    assert cost(PAGE_OF_SIZE) == 0


def test_a_remembered_price_is_kept_per_page_size_not_per_order() -> None:
    remembered = RememberedCosts(SCHEMA)
    page = parse(PAGE_OF_SIZE)
    by_id = parse(
        "query($id: ID!, $size: Int!) { order(id: $id) { " + LEDGER + " }"
        " customer(id: $id) { orders(first: $size) { edges { node { " + LEDGER + " } } } } }"
    )

    for size in (1, 20, 1, 95, 20):
        assert remembered.cost(page, None, {"size": size}) == 4 + size
    for order_id, size in (("a", 5), ("b", 5), ("a", 9), ("c", 9)):
        variables = {"id": order_id, "size": size}
        assert remembered.cost(by_id, None, variables) == query_cost(SCHEMA, by_id, None, variables)
    assert remembered.cost(page, None, {"size": "many"}) == 0  # still coerced every time
    assert remembered.cost(page, None, {}) == 0
    # Per operation: one document's two operations are priced apart.
    two = parse(f"query Small {{ me {{ name }} }} query Large {{ {orders_page(50)} }}")
    assert [remembered.cost(two, name, None) for name in ("Small", "Large", "Small")] == [
        1,
        4 + 50,
        1,
    ]


def test_only_the_variables_of_paged_fields_key_a_remembered_price() -> None:
    remembered = RememberedCosts(SCHEMA)
    document = parse(
        "query($id: ID!, $size: Int, $status: OrderStatus) { order(id: $id) { id }"
        " orders(first: $size, status: $status) { edges { node { id } } } }"
    )

    remembered.cost(document, None, {"id": "a", "size": 3})
    remembered.cost(document, None, {"id": "b", "size": 3})
    remembered.cost(document, None, {"id": "b", "size": 3, "status": "PLACED"})

    (known,) = remembered._known.values()
    assert known.page_variables == {"size", "status"}
    assert len(known.costs) == 2  # the order's id is not part of the key


def test_the_named_operation_is_the_one_priced() -> None:
    document = f"query Small {{ me {{ name }} }} query Large {{ {orders_page(50)} }}"

    assert query_cost(SCHEMA, parse(document), "Small") == 1
    assert query_cost(SCHEMA, parse(document), "Large") == 4 + 50
    assert query_cost(SCHEMA, parse(document), None) == 0  # ambiguous: execution refuses it


def test_introspection_reads_nothing() -> None:
    assert cost(get_introspection_query()) == 0
    assert cost("{ __typename me { __typename } }") == 1


@pytest.mark.parametrize(
    ("mutation", "requests"),
    [
        ('placeOrder(input: {items: [{sku: "TEA", quantity: 1}]})', 1),
        ('registerCustomer(input: {name: "Ann"})', 1),
        ('upsertProduct(input: {sku: "TEA", name: "Tea", price: 100})', 1),
        ('modifyOrder(input: {orderId: "x", notes: "door"})', 2),
        ('cancelOrder(input: {orderId: "x"})', 2),
        ('dispatchOrder(input: {orderId: "x"})', 2),
        ('completeDelivery(input: {orderId: "x"})', 2),
    ],
)
def test_a_mutation_costs_its_read_and_its_send(mutation: str, requests: int) -> None:
    assert cost(f"mutation {{ {mutation} {{ __typename }} }}") == requests
    aliased = " ".join(f"m{index}: {mutation} {{ __typename }}" for index in range(15))
    assert cost(f"mutation {{ {aliased} }}") == 15 * requests


# --- the prices cannot drift from the schema ------------------------------------------------


def _is_list(field_type: GraphQLOutputType) -> bool:
    unwrapped = field_type.of_type if isinstance(field_type, GraphQLNonNull) else field_type
    return isinstance(unwrapped, GraphQLList)


def _object_types() -> list[GraphQLObjectType]:
    return [
        named
        for name, named in SCHEMA.type_map.items()
        if isinstance(named, GraphQLObjectType) and not name.startswith("__")
    ]


def _may_await(definition: StrawberryField) -> bool:
    """An async resolver, or one that returns an awaitable when what it needs is not loaded."""
    if definition.is_async:
        return True
    if definition.base_resolver is None:
        return False
    returned = get_type_hints(definition.base_resolver.wrapped_func).get("return")
    options = get_args(returned) if get_origin(returned) in {Union, UnionType} else (returned,)
    return any(get_origin(option) in {Awaitable, Coroutine} for option in options)


def _must_be_priced() -> set[str]:
    """Root fields, fields that await something (a read or a send), and fields returning lists."""
    priced = set()
    for object_type in _object_types():
        for name, field in object_type.fields.items():
            definition = field.extensions["strawberry-definition"]
            if object_type.name in ROOTS or _may_await(definition) or _is_list(field.type):
                priced.add(f"{object_type.name}.{name}")
    return priced


def test_every_field_that_reads_queues_or_lists_has_a_price_and_no_price_is_stale() -> None:
    assert set(FIELD_COSTS) == _must_be_priced()


def _reachable(object_type: GraphQLObjectType) -> set[GraphQLObjectType]:
    seen = {object_type}
    pending = [object_type]
    while pending:
        for field in pending.pop().fields.values():
            named = get_named_type(field.type)
            if isinstance(named, GraphQLObjectType) and named not in seen:
                seen.add(named)
                pending.append(named)
    return seen


@pytest.mark.parametrize(
    "key", sorted(key for key, price in FIELD_COSTS.items() if price == FREE), ids=str
)
def test_a_free_list_is_a_pages_edges_or_its_items_read_nothing(key: str) -> None:
    type_name, field_name = key.split(".")
    parent = SCHEMA.type_map[type_name]
    assert isinstance(parent, GraphQLObjectType)
    items = get_named_type(parent.fields[field_name].type)
    assert isinstance(items, GraphQLObjectType)

    if field_name == "edges":
        # The connection's field counts the page: every field returning it must be paged.
        returning = [
            f"{object_type.name}.{name}"
            for object_type in _object_types()
            for name, field in object_type.fields.items()
            if get_named_type(field.type) is parent
        ]
        assert returning
        assert all(FIELD_COSTS[field].paged for field in returning)
    else:
        below = {
            f"{object_type.name}.{name}"
            for object_type in _reachable(items)
            for name in object_type.fields
        }
        assert not below & set(FIELD_COSTS)


# --- what real clients send fits the budget -------------------------------------------------


def _operations(document: DocumentNode) -> list[DocumentNode]:
    return [
        DocumentNode(definitions=(definition,))
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
    ]


def _readme_operations() -> list[DocumentNode]:
    blocks = re.findall(r"```graphql\n(.*?)```", README.read_text(), re.DOTALL)
    assert blocks, "the README's GraphiQL examples moved"
    return [operation for block in blocks for operation in _operations(parse(block))]


# A value of each type the operations above declare variables of, as a client would send it.
SAMPLES: dict[str, Any] = {
    "ID": AN_ID,
    "String": None,
    "OrderStatus": "PLACED",
    "RegisterCustomerInput": {"name": "Ann"},
    "PlaceOrderInput": {"items": [{"sku": "TEA", "quantity": 1}]},
    "QuoteInput": {"items": [{"sku": "TEA", "quantity": 1}], "priority": "URGENT"},
    "ModifyOrderInput": {"orderId": AN_ID, "notes": "Leave it at the door"},
    "CancelOrderInput": {"orderId": AN_ID},
    "OrderRefInput": {"orderId": AN_ID},
    "UpsertProductInput": {"sku": "TEA", "name": "Tea", "price": 450},
}


def variables_of(document: DocumentNode) -> dict[str, Any]:
    (operation,) = document.definitions
    assert isinstance(operation, OperationDefinitionNode)
    variables = {}
    for definition in operation.variable_definitions or ():
        declared = type_from_ast(SCHEMA, definition.type)
        assert declared is not None
        variables[definition.variable.name.value] = SAMPLES[get_named_type(declared).name]
    return variables


# The web app the API is for: a storefront, an order page, a staff console.
WEB_APP = {
    "storefront: my orders": (
        "query MyOrders($after: String) { orders(first: 20, after: $after) {"
        " edges { node { id status createdAt total { display }"
        " items { name quantity lineTotal { display } } } }"
        " pageInfo { hasNextPage endCursor } } }",
        4,
    ),
    "storefront: my orders with their receipts": (
        "{ orders(first: 20) { edges { node { id status total { display } receipt { url } } } } }",
        4 + 20,
    ),
    "order page": (
        "query Order($id: ID!) { order(id: $id) { id status version canModify canCancel"
        " customer { name } items { name quantity lineTotal { display } }"
        " subtotal { display } deliveryFee { display } total { display } receipt { url }"
        " transactions { kind amount { display } createdAt } history { kind detail at } } }",
        1 + 1 + 1,
    ),
    "staff console: orders by status": (
        "query Console($status: OrderStatus) { orders(status: $status, first: 50) {"
        " edges { node { id status priority createdAt total { display }"
        " customer { name email } } } pageInfo { hasNextPage endCursor } } }",
        4 + 1,
    ),
    "storefront: a product page": (
        "query Product($sku: ID!) { product(sku: $sku) {"
        " id name description price { display } active } }",
        1,
    ),
    "staff console: urgent orders to dispatch": (
        "query Urgent($after: String) { orders(status: PLACED, priority: URGENT, first: 50,"
        " after: $after) { edges { cursor node { id createdAt customer { name } } }"
        " pageInfo { hasNextPage endCursor hasPreviousPage startCursor } } }",
        4 + 1,
    ),
    "staff console: a customer and their orders": (
        "query Customer($id: ID!) { customer(id: $id) { name email phone"
        " orders(first: 20) { edges { node { id status total { display } } } } } }",
        1 + 2,
    ),
}


@pytest.mark.parametrize(
    ("name", "query", "expected"),
    [(name, query, expected) for name, (query, expected) in WEB_APP.items()],
    ids=list(WEB_APP),
)
def test_what_the_web_app_asks_costs_what_it_reads_within_the_budget(
    name: str, query: str, expected: int
) -> None:
    document = parse(query)

    assert query_cost(SCHEMA, document, variables=variables_of(document)) == expected
    assert expected <= MAX_QUERY_COST


def _client_operations() -> dict[str, DocumentNode]:
    sent = {f"e2e.{name}": parse(getattr(e2e, name)) for name in dir(e2e) if name.isupper()} | {
        f"loadtest.{name}": parse(getattr(loadtest, name))
        for name in ("PLACE", "MODIFY", "CANCEL", "REGISTER", "COMMAND")
    }
    return sent | {
        f"README.{index}": document for index, document in enumerate(_readme_operations())
    }


@pytest.mark.parametrize(("name", "document"), list(_client_operations().items()))
def test_every_operation_the_tests_loadtest_and_readme_send_fits_the_budget(
    name: str, document: DocumentNode
) -> None:
    assert 0 < query_cost(SCHEMA, document, variables=variables_of(document)) <= MAX_QUERY_COST
