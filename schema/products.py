"""Product types and pages of the catalogue."""

from __future__ import annotations

import strawberry

from domain.catalog import Product as DomainProduct
from resolvers.pagination import Page
from schema.common import Money, PageInfo


@strawberry.type
class Product:
    sku: strawberry.ID
    name: str
    price: Money
    active: bool

    @classmethod
    def of(cls, product: DomainProduct) -> Product:
        return cls(
            sku=strawberry.ID(product.sku),
            name=product.name,
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
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
        )


@strawberry.input
class UpsertProductInput:
    sku: str
    name: str
    price: int
    active: bool = True
