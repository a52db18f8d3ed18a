"""Customers: a profile per identity, with an optional default delivery address."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain import validation


@dataclass(frozen=True, slots=True)
class Address:
    line1: str
    city: str
    postal_code: str
    country: str
    line2: str | None = None

    def __post_init__(self) -> None:
        limit = validation.MAX_ADDRESS_FIELD_LENGTH
        object.__setattr__(self, "line1", validation.text("line1", self.line1, max_length=limit))
        object.__setattr__(
            self, "line2", validation.optional_text("line2", self.line2, max_length=limit)
        )
        object.__setattr__(self, "city", validation.text("city", self.city, max_length=limit))
        object.__setattr__(
            self, "postal_code", validation.text("postalCode", self.postal_code, max_length=20)
        )
        object.__setattr__(self, "country", validation.text("country", self.country, max_length=56))


@dataclass(frozen=True, slots=True)
class CustomerProfile:
    id: str
    name: str
    email: str
    phone: str | None
    default_address: Address | None
    created_at: datetime
    updated_at: datetime


def merge_profile(
    existing: CustomerProfile | None,
    *,
    sub: str,
    name: str,
    email: str,
    phone: str | None,
    default_address: Address | None,
    now: datetime,
) -> CustomerProfile:
    """A registration over the stored profile: what it leaves out keeps its stored value."""
    return CustomerProfile(
        id=sub,
        name=name,
        email=email,
        phone=phone or (existing.phone if existing else None),
        default_address=default_address or (existing.default_address if existing else None),
        created_at=existing.created_at if existing else now,
        updated_at=now,
    )
