"""Types shared by several features: money, addresses, page info, the accepted-command answer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import strawberry
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionSetNode,
)

from domain import money, validation
from domain.customers import Address as DomainAddress
from resolvers.command_publisher import QueuedCommand
from resolvers.pagination import Page


@strawberry.type(description="Money in the currency's minor unit (cents for USD), as an integer.")
class Money:
    amount: int
    currency: str
    display: str

    @classmethod
    def of(cls, amount: int, currency: str = money.CURRENCY) -> Money:
        value = money.Money(amount, currency)
        return cls(amount=value.amount, currency=value.currency, display=value.display)


@strawberry.type
class Address:
    line1: str
    line2: str | None
    city: str
    postal_code: str
    country: str

    @classmethod
    def of(cls, address: DomainAddress) -> Address:
        return cls(
            line1=address.line1,
            line2=address.line2,
            city=address.city,
            postal_code=address.postal_code,
            country=address.country,
        )


@strawberry.input
class AddressInput:
    line1: str
    line2: str | None = None
    city: str
    postal_code: str
    country: str

    def to_domain(self, field: str) -> DomainAddress:
        with validation.within(field):
            return DomainAddress(
                line1=self.line1,
                line2=self.line2,
                city=self.city,
                postal_code=self.postal_code,
                country=self.country,
            )


def address_or_none(address: AddressInput | None, field: str) -> DomainAddress | None:
    return None if address is None else address.to_domain(field)


@strawberry.type
class PageInfo:
    has_next_page: bool = strawberry.field(
        description=(
            "More may follow endCursor. A page can end short of `first`, even empty, and still "
            "have a next page: a listing reads a bounded amount, and a filter may pass little."
        )
    )
    end_cursor: str | None = strawberry.field(
        description=(
            "Where the next page starts (pass it as `after`): the last edge's cursor, or past "
            "it when a filter left the page short; null only when there are no edges and "
            "nothing to go on to."
        )
    )
    has_previous_page: bool = strawberry.field(
        description=(
            "Always false: listings page forward only (first/after), and Relay lets a forward "
            "page answer false rather than read back to find out."
        )
    )
    start_cursor: str | None = strawberry.field(
        description="The first edge's cursor; null when the page has no edges."
    )

    @classmethod
    def of(cls, page: Page[Any]) -> PageInfo:
        return cls(
            has_next_page=page.has_next_page,
            end_cursor=page.end_cursor,
            has_previous_page=False,
            start_cursor=page.start_cursor,
        )


@strawberry.type(
    description="The command was queued; poll command(id) or the order to see it applied."
)
class CommandAccepted:
    command_id: strawberry.ID
    order_id: strawberry.ID | None

    @classmethod
    def of(cls, queued: QueuedCommand) -> CommandAccepted:
        return cls(
            command_id=strawberry.ID(queued.command_id),
            order_id=None if queued.order_id is None else strawberry.ID(queued.order_id),
        )


def selects_any(info: strawberry.Info[Any, Any], names: frozenset[str]) -> bool:
    """Whether the field being resolved selects any of these subfields (by schema name, not
    alias), directly or through fragments. A field under @skip or @include counts as selected:
    reading more than needed is safe, less would not be.

    This reads graphql-core's nodes, which Strawberry's Info holds as `_raw_info`: its public
    `selected_fields` converts the field's whole subtree into Strawberry's classes on every
    call, about a tenth of a millisecond for an order read with everything."""
    raw = info._raw_info
    return any(_selects_any(node.selection_set, raw.fragments, names) for node in raw.field_nodes)


def _selects_any(
    selection_set: SelectionSetNode | None,
    fragments: Mapping[str, FragmentDefinitionNode],
    names: frozenset[str],
) -> bool:
    if selection_set is None:
        return False
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            if selection.name.value in names:
                return True
        elif isinstance(selection, InlineFragmentNode):
            if _selects_any(selection.selection_set, fragments, names):
                return True
        elif isinstance(selection, FragmentSpreadNode):
            # Validation refuses unknown fragments and cycles before anything resolves.
            fragment = fragments.get(selection.name.value)
            if fragment is not None and _selects_any(fragment.selection_set, fragments, names):
                return True
    return False
