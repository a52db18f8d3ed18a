"""The query cost budget through HTTP, against the running local server."""

from __future__ import annotations

from typing import Any

import pytest

from schema.graphql_schema import MAX_QUERY_COST
from tests.e2e.conftest import LiveServer
from tests.e2e.test_order_lifecycle import place, registered_customer
from tests.integration.test_query_cost import OVER_BUDGET, TOO_DEEP

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    ("query", "variables", "cost"), OVER_BUDGET.values(), ids=list(OVER_BUDGET)
)
def test_an_operation_over_budget_is_refused_like_any_invalid_one(
    live_server: LiveServer, query: str, variables: dict[str, Any], cost: int
) -> None:
    token = live_server.customer_token

    too_deep = live_server.graphql.post(token, TOO_DEEP)
    answer = live_server.graphql.post(token, query, **variables)

    assert answer.status_code == too_deep.status_code
    body = answer.json()
    assert body["data"] is None
    (error,) = body["errors"]
    assert f"Query cost {cost} exceeds the budget of {MAX_QUERY_COST}." in error["message"]
    assert error["extensions"] == {"code": "VALIDATION", "cost": cost, "budget": MAX_QUERY_COST}


def test_the_same_operation_is_served_with_a_page_size_within_budget(
    live_server: LiveServer,
) -> None:
    # GIVEN at least one order, so the page has something to read
    customer = registered_customer(live_server, "within-budget")
    place(live_server, customer, items=[{"sku": "CROISSANT", "quantity": 1}])
    query, _, _ = OVER_BUDGET["a-variable-page-size"]

    data = live_server.graphql(live_server.staff_token, query, size=20)

    assert 0 < len(data["orders"]["edges"]) <= 20
