"""Product types and pages of the catalogue."""

from __future__ import annotations

import strawberry

from domain import validation
from domain.catalog import Product as DomainProduct
from resolvers.pagination import Page
from schema.common import Money, PageInfo


@strawberry.type
class Product:
    id: strawberry.ID = strawberry.field(
        description="The SKU again, so client caches that key objects by id normalize products."
    )
    sku: strawberry.ID
    name: str
    description: str | None
    price: Money
    active: bool

    @classmethod
    def of(cls, product: DomainProduct) -> Product:
        return cls(
            id=strawberry.ID(product.sku),
            sku=strawberry.ID(product.sku),
            name=product.name,
            description=product.description,
            price=Money.of(product.price),
            active=product.active,
        )


@strawberry.type
class ProductEdge:
    cursor: str
    node: Product


@strawberry.type
class ProductConnection:
    edges: list[ProductEdge]
    page_info: PageInfo

    @classmethod
    def of(cls, page: Page[DomainProduct]) -> ProductConnection:
        return cls(
            edges=[
                ProductEdge(cursor=cursor, node=Product.of(node)) for cursor, node in page.entries
            ],
            page_info=PageInfo.of(page),
        )


@strawberry.input
class UpsertProductInput:
    sku: str
    name: str
    price: int
    active: bool = True
    description: str | None = strawberry.field(
        default=None,
        description=(
            f"Up to {validation.MAX_DESCRIPTION_LENGTH} characters, line breaks allowed. The "
            "upsert replaces the whole product: leaving this out (or null, or blank) leaves "
            "the product without a description."
        ),
    )
