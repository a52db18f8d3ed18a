"""Order fields: reading orders, and the mutations that queue changes to them."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from domain import validation
from domain.commands import (
    CancelOrder,
    CompleteDelivery,
    DispatchOrder,
    ModifyOrder,
    OrderCommand,
    PlaceOrder,
    queue_lane,
    validate_lines,
)
from domain.customers import Address
from domain.errors import InvalidInputError, OrderNotFoundError
from domain.ids import command_id_for, is_order_id, order_id_for
from domain.orders import (
    DeliveryPriority,
    LineRequest,
    Order,
    OrderDetails,
    OrderStatus,
    Quote,
    check_modify,
    check_transition,
    ensure_visible,
)
from domain.orders import quote as price_quote
from domain.serialization import utc_now
from resolvers.command_publisher import QueuedCommand
from resolvers.pagination import Page, decode_cursor, page_size

if TYPE_CHECKING:
    from resolvers.context import RequestContext


def may_read(context: RequestContext, order: Order) -> bool:
    return context.identity.is_staff or order.customer_id == context.identity.sub


async def order(context: RequestContext, order_id: str) -> Order | None:
    """The order alone (one item read); None when missing or not the caller's."""
    if not is_order_id(order_id):
        return None
    found = await context.reads.order(order_id)
    if found is None or not may_read(context, found):
        return None
    return found


async def order_details(context: RequestContext, order_id: str) -> OrderDetails | None:
    """The order with its ledger and timeline; None when missing or not the caller's."""
    if not is_order_id(order_id):
        return None
    details = await context.order_details.load(order_id)
    if details is None or not may_read(context, details.order):
        return None
    return details


async def orders(
    context: RequestContext,
    status: OrderStatus | None,
    priority: DeliveryPriority | None,
    first: int,
    after: str | None,
) -> Page[Order]:
    """The caller's own orders; staff see everyone's. Either may ask for one status, one
    delivery priority, or both."""
    size, position = page_size(first), decode_cursor(after)
    if context.identity.is_staff:
        statuses = [status] if status else list(OrderStatus)
        return await context.reads.orders_by_status(statuses, size, position, priority=priority)
    return await context.reads.customer_orders(
        context.identity.sub, status, size, position, priority=priority
    )


async def customer_orders(
    context: RequestContext, customer_id: str, first: int, after: str | None
) -> Page[Order]:
    """A customer's orders, newest first; the caller may already see that customer."""
    return await context.reads.customer_orders(
        customer_id, None, page_size(first), decode_cursor(after)
    )


async def quote(
    context: RequestContext, items: list[LineRequest], priority: DeliveryPriority
) -> tuple[Quote, datetime]:
    """The price of these items now, and when they would arrive: one batch read of the
    catalogue, priced by the code the worker places orders with; nothing is written."""
    validate_lines(items)
    catalogue = await context.reads.catalogue(line.sku for line in items)
    priced = price_quote(items, catalogue, priority)
    return priced, context.business.delivery_estimate(priority, utc_now())


async def place_order(
    context: RequestContext,
    *,
    items: list[LineRequest],
    priority: DeliveryPriority,
    delivery_address: Address | None,
    notes: str | None,
    idempotency_key: str | None,
) -> QueuedCommand:
    """One SendMessage, no read: what needs data (products, profile) the worker checks.

    The order's mail goes to the address the identity proves now, whatever a profile holds.
    """
    sub = context.identity.sub
    email = context.identity.verified_email
    if email is None:
        raise InvalidInputError(
            "input",
            "Your sign-in has no verified email address to send the order to: verify it with "
            "your account first.",
        )
    idempotency_key = validation.idempotency_key("idempotencyKey", idempotency_key)
    command = PlaceOrder(
        **context.command_header(),
        order_id=order_id_for(sub, idempotency_key),
        items=tuple(items),
        priority=priority,
        delivery_address=delivery_address,
        notes=notes,
        idempotency_key=idempotency_key,
        customer_email=email,
    )
    if idempotency_key is not None:
        # A replay of the same request is the same command: SQS and the worker drop repeats.
        command = replace(
            command,
            command_id=command_id_for(
                sub, replay_key=f"{idempotency_key}\x1f{command.fingerprint}"
            ),
        )
    await context.commands.publish(command, queue_lane(command))
    return QueuedCommand(command.command_id, command.order_id)


async def modify_order(
    context: RequestContext,
    *,
    order_id: str,
    expected_version: int | None,
    items: list[LineRequest] | None,
    delivery_address: Address | None,
    notes: str | None,
) -> QueuedCommand:
    command = ModifyOrder(
        **context.command_header(),
        order_id=order_id,
        expected_version=expected_version,
        items=None if items is None else tuple(items),
        delivery_address=delivery_address,
        notes=notes,
    )
    current = await _visible_order(context, order_id)
    check_modify(current, expected_version)
    return await _queue(context, command, current)


async def cancel_order(
    context: RequestContext, *, order_id: str, expected_version: int | None, reason: str | None
) -> QueuedCommand:
    command = CancelOrder(
        **context.command_header(),
        order_id=order_id,
        expected_version=expected_version,
        reason=reason,
    )
    current = await _visible_order(context, order_id)
    check_transition(current, OrderStatus.CANCELLED, expected_version)
    return await _queue(context, command, current)


async def dispatch_order(
    context: RequestContext, *, order_id: str, expected_version: int | None
) -> QueuedCommand:
    return await _advance(
        context, DispatchOrder, OrderStatus.OUT_FOR_DELIVERY, order_id, expected_version
    )


async def complete_delivery(
    context: RequestContext, *, order_id: str, expected_version: int | None
) -> QueuedCommand:
    return await _advance(
        context, CompleteDelivery, OrderStatus.DELIVERED, order_id, expected_version
    )


async def _advance(
    context: RequestContext,
    command_type: type[DispatchOrder | CompleteDelivery],
    target: OrderStatus,
    order_id: str,
    expected_version: int | None,
) -> QueuedCommand:
    """A staff move along the delivery: the field's permission let only staff this far."""
    command = command_type(
        **context.command_header(),
        order_id=order_id,
        expected_version=expected_version,
    )
    current = await _visible_order(context, order_id)
    check_transition(current, target, expected_version)
    return await _queue(context, command, current)


async def _visible_order(context: RequestContext, order_id: str) -> Order:
    """The one read a change costs: advice for a quick answer; the worker's write decides."""
    if not is_order_id(order_id):
        raise OrderNotFoundError(order_id[:64])
    return ensure_visible(await context.reads.order(order_id), order_id, context.identity.actor)


async def _queue(context: RequestContext, command: OrderCommand, current: Order) -> QueuedCommand:
    await context.commands.publish(command, queue_lane(command, current.priority))
    return QueuedCommand(command.command_id, command.order_id)
