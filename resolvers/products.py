"""Catalogue fields: listing products and the staff mutation that manages them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain import validation
from domain.catalog import Product
from domain.commands import UpsertProduct, queue_lane
from resolvers.command_publisher import QueuedCommand
from resolvers.pagination import Page, decode_cursor, page_size

if TYPE_CHECKING:
    from resolvers.context import RequestContext


async def products(context: RequestContext, first: int, after: str | None) -> Page[Product]:
    """Active products by SKU; staff also see withdrawn ones."""
    return await context.reads.products(
        page_size(first), decode_cursor(after), include_inactive=context.identity.is_staff
    )


async def product(context: RequestContext, sku: str) -> Product | None:
    """One product by SKU: one read. Customers see only active ones; staff see withdrawn ones
    too. A string that cannot be a SKU names no product, as a missing one does."""
    if not validation.is_sku(sku):
        return None
    found = await context.reads.product(sku)
    if found is None or not (found.active or context.identity.is_staff):
        return None
    return found


async def upsert_product(
    context: RequestContext,
    *,
    sku: str,
    name: str,
    price: int,
    active: bool,
    description: str | None,
) -> QueuedCommand:
    """Staff only: the field's permission refuses anyone else before this runs, and the worker
    checks the command's actor again."""
    command = UpsertProduct(
        **context.command_header(),
        sku=sku,
        name=name,
        price=price,
        active=active,
        description=description,
    )
    await context.commands.publish(command, queue_lane(command))
    return QueuedCommand(command.command_id, None)
