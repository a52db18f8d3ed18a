"""The product catalogue: prices in minor units, products can be withdrawn (inactive)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Product:
    sku: str
    name: str
    price: int
    active: bool
    updated_at: datetime
    # What a storefront shows under the name; None in items stored before products had one.
    description: str | None = None
