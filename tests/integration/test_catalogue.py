"""The catalogue against the emulator: upsertProduct through the queue and the worker, and
product(sku) as customers and staff see it."""

from __future__ import annotations

from typing import Any

import pytest

from schema.graphql_schema import build_schema
from storage.items import product_item
from tests.factories import a_product
from tests.integration.conftest import CATALOGUE, Stack, identity

pytestmark = pytest.mark.integration

SCHEMA = build_schema()
CUSTOMER = identity("catalogue-ann")
STAFF = identity("catalogue-staff", staff=True)
UPSERT = """
mutation($input: UpsertProductInput!) {
  upsertProduct(input: $input) {
    __typename
    ... on CommandAccepted { commandId }
    ... on ValidationError { code field message }
  }
}"""
PRODUCT = (
    "query($sku: ID!) { product(sku: $sku) { id sku name description price { amount } active } }"
)
COMMAND = "query($id: ID!) { command(id: $id) { state error { code } } }"


async def run(stack: Stack, who: Any, query: str, **variables: Any) -> Any:
    result = await SCHEMA.execute(
        query, variable_values=variables, context_value=await stack.context(who)
    )
    assert result.errors is None, result.errors
    return result.data


async def upsert_and_apply(stack: Stack, **product: Any) -> None:
    """Upsert as staff, deliver the queued command to the worker, and check it was applied."""
    accepted = (await run(stack, STAFF, UPSERT, input=product))["upsertProduct"]
    assert accepted["__typename"] == "CommandAccepted", accepted
    await stack.drain()
    outcome = await run(stack, STAFF, COMMAND, id=accepted["commandId"])
    assert outcome == {"command": {"state": "APPLIED", "error": None}}


async def test_a_description_goes_through_the_queue_and_worker_to_product(stack: Stack) -> None:
    # GIVEN staff upsert a product with a two-line description, padded with spaces
    await upsert_and_apply(
        stack,
        sku="SENCHA",
        name="Sencha",
        price=850,
        description="  Loose-leaf green tea.\r\nSteep at 80 °C.  ",
    )

    # WHEN a customer looks it up
    seen = await run(stack, CUSTOMER, PRODUCT, sku="SENCHA")

    # THEN they see it as stored: trimmed, line break kept (CR LF made LF), its SKU as id
    assert seen["product"] == {
        "id": "SENCHA",
        "sku": "SENCHA",
        "name": "Sencha",
        "description": "Loose-leaf green tea.\nSteep at 80 °C.",
        "price": {"amount": 850},
        "active": True,
    }


@pytest.mark.parametrize("cleared", [{}, {"description": None}, {"description": "  "}])
async def test_an_upsert_without_a_description_replaces_the_product_without_one(
    stack: Stack, cleared: dict[str, Any]
) -> None:
    # GIVEN a described product
    product = {"sku": "SENCHA", "name": "Sencha", "price": 850}
    await upsert_and_apply(stack, **product, description="Loose-leaf green tea.")

    # WHEN staff upsert it again giving no description (absent, null or blank)
    await upsert_and_apply(stack, **(product | {"price": 900} | cleared))

    # THEN the upsert replaced the whole product: new price, no description
    seen = (await run(stack, STAFF, PRODUCT, sku="SENCHA"))["product"]
    assert (seen["price"], seen["description"]) == ({"amount": 900}, None)


@pytest.mark.parametrize(
    ("description", "why"),
    [
        ("x" * 501, "at most 500 characters"),
        ("Green\u202etea", "U+202E"),
        ("Green\x00tea", "U+0000"),
        ("Green\u200btea", "U+200B"),
        ("Green\u2028tea", "U+2028"),
    ],
    ids=["too-long", "bidi-override", "nul", "zero-width-space", "line-separator"],
)
async def test_an_unfit_description_is_refused_naming_the_field_and_queues_nothing(
    stack: Stack, description: str, why: str
) -> None:
    await stack.count_calls()

    data = await run(
        stack,
        STAFF,
        UPSERT,
        input={"sku": "SENCHA", "name": "Sencha", "price": 850, "description": description},
    )

    refusal = data["upsertProduct"]
    assert (refusal["__typename"], refusal["code"], refusal["field"]) == (
        "ValidationError",
        "VALIDATION",
        "description",
    )
    assert why in refusal["message"]
    assert not stack.calls


async def test_product_shows_customers_active_products_and_staff_withdrawn_ones_too(
    stack: Stack,
) -> None:
    # GIVEN an active and a withdrawn product, one stored before products had descriptions
    await stack.store_items(
        [
            product_item(a_product(sku="LIVE", description="On the shelf.")),
            product_item(a_product(sku="GONE", active=False)),
        ]
    )
    await stack.count_calls()

    # WHEN each looks up both, and a SKU that was never in the catalogue
    as_customer = [
        (await run(stack, CUSTOMER, PRODUCT, sku=sku))["product"]
        for sku in ("LIVE", "GONE", "NEVER")
    ]
    as_staff = [
        (await run(stack, STAFF, PRODUCT, sku=sku))["product"] for sku in ("LIVE", "GONE", "NEVER")
    ]

    # THEN customers see the active one only; staff also the withdrawn; nobody a missing one
    assert [product and product["id"] for product in as_customer] == ["LIVE", None, None]
    assert [product and product["id"] for product in as_staff] == ["LIVE", "GONE", None]
    assert as_customer[0]["description"] == "On the shelf."
    assert as_staff[1]["description"] is None
    # One GetItem each, as Query.product is priced.
    assert dict(stack.calls) == {"dynamodb.GetItem": 6}


async def test_products_in_the_catalogue_listing_carry_their_id_and_description(
    stack: Stack,
) -> None:
    await upsert_and_apply(stack, sku="SENCHA", name="Sencha", price=850, description="Green.")

    data = await run(
        stack, CUSTOMER, "{ products(first: 10) { edges { node { id sku description } } } }"
    )

    nodes = {edge["node"]["sku"]: edge["node"] for edge in data["products"]["edges"]}
    assert set(nodes) == {*CATALOGUE, "SENCHA"}
    assert all(node["id"] == sku for sku, node in nodes.items())
    assert nodes["SENCHA"]["description"] == "Green."
    assert all(nodes[sku]["description"] is None for sku in CATALOGUE)
