"""What an outside attack found in the input, through HTTP: unreadable text, prices on change."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e import operations as op
from tests.e2e.conftest import LiveServer
from tests.e2e.test_order_lifecycle import HOME, applied, place, read_order, registered_customer

pytestmark = pytest.mark.e2e

UNREADABLE = {
    "lone-high-surrogate": "\ud800",
    "lone-low-surrogate": "\udfff",
    "right-to-left-override": "\u202e",
    "first-strong-isolate": "\u2068",
    "zero-width-space": "\u200b",
    "byte-order-mark": "\ufeff",
    "line-separator": "\u2028",
    "paragraph-separator": "\u2029",
}


def post_raw(server: LiveServer, token: str, query: str, variables: dict[str, Any]) -> Any:
    """POST with JSON escapes as any client may send them (a lone surrogate is `\\ud800`)."""
    body = json.dumps({"query": query, "variables": variables})  # ASCII, surrogates escaped
    response = server.graphql._http.post(
        server.graphql.url,
        content=body.encode("ascii"),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    return response.json()


def naming_the_field(mutation: str) -> str:
    """The mutation, asking a ValidationError for the field it names too."""
    error = "... on Error { code message }"
    assert error in mutation
    return mutation.replace(error, f"{error} ... on ValidationError {{ field }}", 1)


# Each text input of the API: (mutation, the variables with `{}` where the text goes, the field
# the refusal must name, the result's name).
TEXT_INPUTS: dict[str, tuple[str, Callable[[str, str], dict[str, Any]], str, str]] = {
    "name": (
        op.REGISTER,
        lambda text, _order: {"input": {"name": f"Ada{text}Lovelace"}},
        "name",
        "registerCustomer",
    ),
    "address": (
        op.REGISTER,
        lambda text, _order: {
            "input": {"name": "Ada", "defaultAddress": {**HOME, "line1": f"5 Market{text} Lane"}}
        },
        "defaultAddress.line1",
        "registerCustomer",
    ),
    "notes": (
        op.PLACE,
        lambda text, _order: {
            "input": {"items": [{"sku": "CROISSANT", "quantity": 1}], "notes": f"ring{text}twice"}
        },
        "notes",
        "placeOrder",
    ),
    "idempotency-key": (
        op.PLACE,
        lambda text, _order: {
            "input": {"items": [{"sku": "CROISSANT", "quantity": 1}], "idempotencyKey": f"k{text}1"}
        },
        "idempotencyKey",
        "placeOrder",
    ),
    "modified-notes": (
        op.MODIFY,
        lambda text, order: {"input": {"orderId": order, "notes": f"gate{text}code"}},
        "notes",
        "modifyOrder",
    ),
}


@pytest.fixture(scope="module")
def customer_with_order(live_server: LiveServer) -> tuple[str, str]:
    token = registered_customer(live_server, "unreadable")
    placed = place(live_server, token, items=[{"sku": "CROISSANT", "quantity": 1}])
    return token, placed["orderId"]


@pytest.mark.parametrize("char", UNREADABLE.values(), ids=list(UNREADABLE))
@pytest.mark.parametrize("text_input", TEXT_INPUTS, ids=list(TEXT_INPUTS))
def test_unreadable_text_is_refused_naming_its_field(
    live_server: LiveServer, customer_with_order: tuple[str, str], text_input: str, char: str
) -> None:
    token, order_id = customer_with_order
    mutation, variables, field, result = TEXT_INPUTS[text_input]

    body = post_raw(live_server, token, naming_the_field(mutation), variables(char, order_id))

    refusal = body["data"][result]
    assert refusal["__typename"] == "ValidationError", refusal
    assert refusal["code"] == "VALIDATION"
    assert refusal["field"] == field
    assert "U+" in refusal["message"]
    # The message names the field as its input holds it (an address's line1, not its path).
    assert field.rsplit(".", 1)[-1] in refusal["message"]


def test_a_lone_surrogate_in_a_query_literal_is_refused_too(
    live_server: LiveServer, customer_with_order: tuple[str, str]
) -> None:
    token, _ = customer_with_order
    mutation = 'mutation { registerCustomer(input: {name: "Ada\\ud800"}) { __typename } }'

    body = post_raw(live_server, token, mutation, {})

    # GraphQL itself refuses an escape that is not a whole character: a syntax error.
    assert body.get("data") is None
    assert "Unicode" in body["errors"][0]["message"]


@pytest.mark.parametrize("staff", [False, True], ids=["customer", "staff"])
@pytest.mark.parametrize("char", ["\ud800", "\u202e"], ids=["surrogate", "bidi"])
def test_unreadable_ids_answer_like_missing_ones(
    live_server: LiveServer, customer_with_order: tuple[str, str], char: str, staff: bool
) -> None:
    # Staff may read any customer, so their `customer(id)` reaches the store with it.
    token = live_server.staff_token if staff else customer_with_order[0]
    query = (
        "query($id: ID!) { order(id: $id) { id } customer(id: $id) { id } command(id: $id) { id } }"
    )

    body = post_raw(live_server, token, query, {"id": f"01J{char}"})

    assert body == {"data": {"order": None, "customer": None, "command": None}}


# --- prices when an order is changed --------------------------------------------------------


def _set_product(server: LiveServer, staff: str, sku: str, price: int, active: bool = True) -> None:
    accepted = server.graphql(
        staff,
        op.UPSERT_PRODUCT,
        input={"sku": sku, "name": "Gold leaf", "price": price, "active": active},
    )["upsertProduct"]
    assert applied(server, staff, accepted)["state"] == "APPLIED"


def _modify(server: LiveServer, token: str, order_id: str, quantity: int) -> dict[str, Any]:
    accepted = server.graphql(
        token,
        op.MODIFY,
        input={"orderId": order_id, "items": [{"sku": _SKU, "quantity": quantity}]},
    )["modifyOrder"]
    return applied(server, token, accepted)


_SKU = f"GOLD-{uuid.uuid4().hex[:6]}"


def test_added_units_cost_todays_price_and_a_withdrawn_product_cannot_grow(
    live_server: LiveServer,
) -> None:
    server, staff = live_server, live_server.staff_token
    customer = registered_customer(server, "repriced")
    # GIVEN one unit ordered at $1.00, since repriced to $50.00
    _set_product(server, staff, _SKU, 100)
    order_id = place(server, customer, items=[{"sku": _SKU, "quantity": 1}])["orderId"]
    _set_product(server, staff, _SKU, 5000)

    # WHEN the quantity is raised to 500, THEN 499 units cost $50.00 and the ledger says so
    assert _modify(server, customer, order_id, 500)["state"] == "APPLIED"
    order = read_order(server, customer, order_id)
    assert [(i["quantity"], i["unitPrice"]["amount"]) for i in order["items"]] == [
        (1, 100),
        (499, 5000),
    ]
    assert order["subtotal"]["amount"] == 100 + 499 * 5000
    adjustment = order["transactions"][-1]
    assert (adjustment["kind"], adjustment["amount"]["amount"]) == ("ADJUSTMENT", 499 * 5000)
    assert adjustment["note"] == f"Order modified: +499 {_SKU} at $50.00"

    # WHEN the product is withdrawn, THEN more is refused, but fewer gives up the dearest units
    _set_product(server, staff, _SKU, 5000, active=False)
    refused = _modify(server, customer, order_id, 1000)
    assert (refused["state"], refused["error"]["code"]) == ("REJECTED", "UNKNOWN_PRODUCT")
    assert _modify(server, customer, order_id, 2)["state"] == "APPLIED"
    order = read_order(server, customer, order_id)
    assert [(i["quantity"], i["unitPrice"]["amount"]) for i in order["items"]] == [
        (1, 100),
        (1, 5000),
    ]
    assert sum(t["amount"]["amount"] for t in order["transactions"]) == order["total"]["amount"]
