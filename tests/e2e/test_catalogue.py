"""The catalogue through HTTP, against the local server with its worker running: a product's
description from upsertProduct to product(sku), and who sees a withdrawn product."""

from __future__ import annotations

import uuid

import pytest

from tests.e2e import operations as op
from tests.e2e.conftest import LiveServer

pytestmark = pytest.mark.e2e


def a_sku() -> str:
    return f"E2E-{uuid.uuid4().hex[:8].upper()}"


def upsert(server: LiveServer, **product: object) -> None:
    """Upsert as staff and wait until the worker has applied it."""
    staff = server.staff_token
    accepted = server.graphql(staff, op.UPSERT_PRODUCT, input=product)["upsertProduct"]
    assert accepted["__typename"] == "CommandAccepted", accepted
    assert server.graphql.wait_for_command(staff, accepted["commandId"])["state"] == "APPLIED"


def test_a_described_product_is_shown_with_its_description(live_server: LiveServer) -> None:
    sku = a_sku()

    upsert(live_server, sku=sku, name="Sencha", price=850, description="Green tea.\nLoose leaf.")
    seen = live_server.graphql(live_server.customer_token, op.PRODUCT, sku=sku)["product"]

    assert seen == {
        "id": sku,
        "sku": sku,
        "name": "Sencha",
        "description": "Green tea.\nLoose leaf.",
        "price": {"amount": 850},
        "active": True,
    }


def test_a_withdrawn_product_is_null_to_customers_and_shown_to_staff(
    live_server: LiveServer,
) -> None:
    sku = a_sku()
    upsert(live_server, sku=sku, name="Old roast", price=900, active=False)

    as_customer = live_server.graphql(live_server.customer_token, op.PRODUCT, sku=sku)
    as_staff = live_server.graphql(live_server.staff_token, op.PRODUCT, sku=sku)

    assert as_customer == {"product": None}
    assert (as_staff["product"]["id"], as_staff["product"]["active"]) == (sku, False)


def test_the_demo_catalogue_describes_its_products(live_server: LiveServer) -> None:
    seen = live_server.graphql(live_server.customer_token, op.PRODUCT, sku="CROISSANT")["product"]

    assert seen is not None
    assert seen["description"]


def test_a_description_with_a_direction_override_is_refused_naming_it(
    live_server: LiveServer,
) -> None:
    refusal = live_server.graphql(
        live_server.staff_token,
        op.UPSERT_PRODUCT,
        input={"sku": a_sku(), "name": "Sencha", "price": 850, "description": "txt.exe\u202e"},
    )["upsertProduct"]

    assert (refusal["__typename"], refusal["code"], refusal["field"]) == (
        "ValidationError",
        "VALIDATION",
        "description",
    )
