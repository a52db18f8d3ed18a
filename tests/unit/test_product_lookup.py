"""product(sku:) through the schema, on an in-memory catalogue: who sees which product, and
strings that cannot be a SKU answered as no product, without a read."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from app.api_services import LazyApiServices
from app.aws_clients import AwsClients
from domain.catalog import Product
from domain.resources import STAFF_GROUP
from resolvers.context import request_context
from resolvers.identity import Identity
from schema.graphql_schema import build_schema
from tests.api_requests import settings_for
from tests.factories import TEA, WITHDRAWN, a_catalogue

SCHEMA = build_schema()
PRODUCT = "query($sku: ID!) { product(sku: $sku) { id sku name description active } }"
CUSTOMER = Identity(sub="customer-ada", email="ada@example.com", name="Ada", groups=frozenset())
STAFF = Identity(
    sub="staff-grace", email="grace@example.com", name="Grace", groups=frozenset({STAFF_GROUP})
)
NOT_SKUS = {
    "empty": "",
    "space": "TEA 001",
    "leading-dash": "-TEA",
    "slash": "TEA/001",
    "accent": "TÉA",
    "newline": "TEA\n001",
    "nul": "TEA\x00",
    "bidi-override": "TEA\u202e",
    "65-chars": "A" * 65,
    "huge": "A" * 100_000,
    "key-separator": "TEA#PRODUCT",
}


class InMemoryCatalogue:
    """The read store's product lookup over a dict, noting each SKU it is asked for."""

    def __init__(self, products: dict[str, Product]) -> None:
        self._products = products
        self.asked: list[str] = []

    async def product(self, sku: str) -> Product | None:
        self.asked.append(sku)
        return self._products.get(sku)


async def lookup(clients: AwsClients, catalogue: InMemoryCatalogue, who: Identity, sku: str) -> Any:
    context = request_context(await LazyApiServices(settings_for(), clients).get(), who, "unit")
    result = await SCHEMA.execute(
        PRODUCT, variable_values={"sku": sku}, context_value=replace(context, reads=catalogue)
    )
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data["product"]


@pytest.mark.parametrize("who", [CUSTOMER, STAFF], ids=["customer", "staff"])
async def test_an_active_product_is_shown_to_everyone_with_its_sku_as_id(
    clients: AwsClients, who: Identity
) -> None:
    catalogue = InMemoryCatalogue(a_catalogue())

    product = await lookup(clients, catalogue, who, TEA)

    assert product is not None
    assert product["id"] == product["sku"] == TEA
    assert product["active"] is True
    assert catalogue.asked == [TEA]


async def test_a_withdrawn_product_is_shown_to_staff_only(clients: AwsClients) -> None:
    catalogue = InMemoryCatalogue(a_catalogue())

    assert await lookup(clients, catalogue, CUSTOMER, WITHDRAWN) is None
    staff_view = await lookup(clients, catalogue, STAFF, WITHDRAWN)
    assert staff_view is not None
    assert (staff_view["id"], staff_view["active"]) == (WITHDRAWN, False)


@pytest.mark.parametrize("who", [CUSTOMER, STAFF], ids=["customer", "staff"])
async def test_a_missing_product_is_null(clients: AwsClients, who: Identity) -> None:
    assert await lookup(clients, InMemoryCatalogue(a_catalogue()), who, "NO-SUCH-SKU") is None


@pytest.mark.parametrize("who", [CUSTOMER, STAFF], ids=["customer", "staff"])
@pytest.mark.parametrize("sku", NOT_SKUS.values(), ids=list(NOT_SKUS))
async def test_a_string_that_cannot_be_a_sku_is_no_product_and_costs_no_read(
    clients: AwsClients, who: Identity, sku: str
) -> None:
    # Even were the store to hold an item under that string, it is not a product's.
    catalogue = InMemoryCatalogue(a_catalogue() | {sku: next(iter(a_catalogue().values()))})

    assert await lookup(clients, catalogue, who, sku) is None
    assert catalogue.asked == []
