"""The product catalogue: prices in minor units, products can be withdrawn (inactive)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.errors import ForbiddenError


@dataclass(frozen=True, slots=True)
class Product:
    sku: str
    name: str
    price: int
    active: bool
    updated_at: datetime
    # What a storefront shows under the name; None in items stored before products had one.
    description: str | None = None


def upsert_product(
    *,
    by_staff: bool,
    sku: str,
    name: str,
    price: int,
    active: bool,
    description: str | None,
    now: datetime,
) -> Product:
    """A product as staff set it: added, or replaced whole. Nobody else manages the catalogue."""
    if not by_staff:
        raise ForbiddenError("Only staff can manage products.")
    return Product(
        sku=sku, name=name, price=price, active=active, updated_at=now, description=description
    )
