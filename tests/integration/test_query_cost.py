"""The query cost budget on the emulator: over it nothing is read, under it reads stay within it."""

from __future__ import annotations

import asyncio
import json
import pathlib
import subprocess
import sys
from datetime import timedelta
from typing import Any

import pytest
from graphql import parse

from domain.ids import new_ulid
from domain.orders import EventKind, OrderStatus, TimelineEvent
from schema.graphql_schema import MAX_QUERY_COST, build_schema
from schema.query_cost import query_cost
from storage.items import customer_item, event_item, order_item
from tests.api_requests import api_gateway_event
from tests.factories import NOW, a_profile, an_order
from tests.integration.conftest import Stack, identity
from tests.integration.test_graphql_limits import client

pytestmark = pytest.mark.integration

STAFF = identity("cost-staff", staff=True)
CUSTOMERS = ("cost-ann", "cost-bob", "cost-cy")
ORDERS_EACH = MAX_QUERY_COST // 2
EVERY_READ = "customer { name } transactions { id } history { kind } receipt { url }"
TOO_DEEP = (
    "{ me { orders { edges { node { customer { orders { edges { node { customer"
    " { orders { edges { node { id } } } } } } } } } } } } }"
)
# Staff listing every status: a Query per status; a page's profiles: one batch.
STATUS_QUERIES = len(OrderStatus)
# The largest page whose every order is read (its collection, once) and named (one batch).
FULL_PAGE = MAX_QUERY_COST - STATUS_QUERIES - 1
# Under each of 3 orders, its customer's page (2 Queries at most) of orders read and named.
NESTED_PAGE = (MAX_QUERY_COST - STATUS_QUERIES - 1) // 3 - 3
ONE_ORDER = STATUS_QUERIES + 1  # the newest order with its history


def orders_page(first: int | str, selection: str = "id") -> str:
    return f"orders(first: {first}) {{ edges {{ node {{ {selection} }} }} }}"


def aliased(count: int, field: str) -> str:
    return " ".join(f"a{index}: {field}" for index in range(count))


ISSUE = orders_page(100, f"id customer {{ {orders_page(100)} }}")
VARIABLE_PAGE = f"query($size: Int!) {{ {orders_page('$size', EVERY_READ)} }}"

# (document, variables, its cost): each a way of asking for more than the budget.
OVER_BUDGET = {
    "the-issues-request": (
        f"{{ {aliased(15, ISSUE)} }}",
        {},
        15 * (STATUS_QUERIES + 1 + 100 * 2),
    ),
    "one-page-too-large": (
        f"{{ {orders_page(FULL_PAGE + 1, EVERY_READ)} }}",
        {},
        MAX_QUERY_COST + 1,
    ),
    "aliases-each-under-budget": (
        f"{{ {aliased(MAX_QUERY_COST // ONE_ORDER + 1, orders_page(1, 'history { kind }'))} }}",
        {},
        (MAX_QUERY_COST // ONE_ORDER + 1) * ONE_ORDER,
    ),
    "nested-pages-in-named-fragments": (
        "{ orders(first: 10) { ...Page } }"
        " fragment Page on OrderConnection { edges { node { ...Owner } } }"
        " fragment Owner on Order { customer { orders(first: 20) { ...Ledgers } } }"
        " fragment Ledgers on OrderConnection { edges { node { transactions { id } } } }",
        {},
        STATUS_QUERIES + 1 + 10 * (2 + 20),
    ),
    "nested-pages-in-inline-fragments": (
        "{ orders(first: 10) { ... on OrderConnection { edges { node { ... {"
        " customer { orders(first: 20) { edges { node { ... on Order { history { kind } }"
        " } } } } } } } } } }",
        {},
        STATUS_QUERIES + 1 + 10 * (2 + 20),
    ),
    "a-variable-page-size": (VARIABLE_PAGE, {"size": FULL_PAGE + 1}, MAX_QUERY_COST + 1),
}

# (document, variables): the dearest requests the budget admits, in several shapes; seeded so
# their pages fill and the staff's listing takes its dearest path.
WITHIN_BUDGET = {
    "one-full-page-with-every-read": (f"{{ {orders_page(FULL_PAGE, EVERY_READ)} }}", {}),
    "pages-nested-under-each-customer": (
        f"{{ {orders_page(3, f'customer {{ {orders_page(NESTED_PAGE, EVERY_READ)} }}')} }}",
        {},
    ),
    "a-customers-own-page": (
        f'{{ customer(id: "{CUSTOMERS[0]}")'
        f" {{ {orders_page(MAX_QUERY_COST - 3, 'history { kind }')} }} }}",
        {},
    ),
    "aliased-pages": (
        f"{{ {aliased(MAX_QUERY_COST // ONE_ORDER, orders_page(1, 'history { kind }'))} }}",
        {},
    ),
    "a-variable-page-size": (VARIABLE_PAGE, {"size": FULL_PAGE}),
}


async def seed_orders(stack: Stack) -> None:
    """Profiles and orders written straight to the table: it is the read side that is measured.

    The newest orders alternate between the customers, so a short page names all of them.
    """
    items = [customer_item(a_profile(id=sub, name=sub)) for sub in CUSTOMERS]
    for index in range(ORDERS_EACH * len(CUSTOMERS)):
        at = NOW + timedelta(seconds=index)
        order = an_order(customer_id=CUSTOMERS[index % len(CUSTOMERS)], created_at=at)
        placed = TimelineEvent(EventKind.PLACED)
        items += [
            order_item(order),
            event_item(order.id, new_ulid(), placed, "seed", at),
        ]
    await stack.store_items(items)


@pytest.mark.parametrize("developer_mode", [False, True], ids=["production", "local"])
@pytest.mark.parametrize(
    ("query", "variables", "cost"), OVER_BUDGET.values(), ids=list(OVER_BUDGET)
)
async def test_an_operation_over_budget_is_refused_before_any_read(
    stack: Stack, query: str, variables: dict[str, Any], cost: int, developer_mode: bool
) -> None:
    await stack.count_calls()

    async with client(stack, developer_mode=developer_mode, who=STAFF) as http:
        too_deep = await http.post("/graphql", json={"query": TOO_DEEP})
        answer = await http.post("/graphql", json={"query": query, "variables": variables})

    assert cost > MAX_QUERY_COST
    assert answer.status_code == too_deep.status_code  # refused as any invalid query is
    body = answer.json()
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["message"].startswith(f"Query cost {cost} exceeds the budget of {MAX_QUERY_COST}.")
    assert error["extensions"] == {"code": "VALIDATION", "cost": cost, "budget": MAX_QUERY_COST}
    assert stack.calls == {}


async def test_a_variable_page_is_priced_at_the_size_sent(stack: Stack) -> None:
    await seed_orders(stack)

    async with client(stack, developer_mode=False, who=STAFF) as http:
        largest = {"query": VARIABLE_PAGE, "variables": {"size": FULL_PAGE}}
        one_more = {"query": VARIABLE_PAGE, "variables": {"size": FULL_PAGE + 1}}
        served = await http.post("/graphql", json=largest)
        refused = await http.post("/graphql", json=one_more)

    assert len(served.json()["data"]["orders"]["edges"]) == FULL_PAGE
    assert refused.json()["errors"][0]["extensions"]["code"] == "VALIDATION"


@pytest.mark.parametrize(("query", "variables"), WITHIN_BUDGET.values(), ids=list(WITHIN_BUDGET))
async def test_the_dearest_requests_within_budget_make_no_more_store_calls_than_they_cost(
    stack: Stack, query: str, variables: dict[str, Any]
) -> None:
    await seed_orders(stack)
    await stack.count_calls()
    schema = build_schema()
    cost = query_cost(schema._schema, parse(query), variables=variables)

    result = await schema.execute(
        query, variable_values=variables, context_value=await stack.context(STAFF)
    )

    assert result.errors is None
    assert MAX_QUERY_COST * 3 // 4 < cost <= MAX_QUERY_COST  # the dearest of its shape
    assert 0 < stack.calls.total() <= cost


# The Lambda handler as Lambda runs it: imported in a fresh process configured by environment.
INVOKE_LAMBDA = """
import json, sys
from app.api_lambda import handler
print("ANSWERS", json.dumps([handler(event, None) for event in json.loads(sys.argv[1])]))
"""


async def test_the_lambda_handler_refuses_over_budget_and_serves_within(stack: Stack) -> None:
    await seed_orders(stack)
    over, _, cost = OVER_BUDGET["the-issues-request"]
    within, _ = WITHIN_BUDGET["one-full-page-with-every-read"]
    # API Gateway's events as the Cognito authorizer passes a staff member's claims.
    events = [api_gateway_event(json.dumps({"query": query}).encode()) for query in (over, within)]

    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        INVOKE_LAMBDA,
        json.dumps(events),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=stack.settings.to_environ(),
        cwd=pathlib.Path(__file__).parents[2],
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=90)

    assert process.returncode == 0, stderr.decode()
    # The handler's log lines (Powertools' JSON) share stdout with the answers.
    (answers,) = [line for line in stdout.decode().splitlines() if line.startswith("ANSWERS ")]
    refused, served = json.loads(answers.removeprefix("ANSWERS "))
    assert refused["statusCode"] == served["statusCode"] == 200
    refusal = json.loads(refused["body"])
    assert refusal["data"] is None
    assert refusal["errors"][0]["extensions"] == {
        "code": "VALIDATION",
        "cost": cost,
        "budget": MAX_QUERY_COST,
    }
    page = json.loads(served["body"])
    assert "errors" not in page
    assert len(page["data"]["orders"]["edges"]) == FULL_PAGE
