"""The worker applies each command once, conditionally, against the emulated table."""

from __future__ import annotations

import asyncio

import pytest

from app.aws_clients import AwsClients
from app.worker_runtime import WorkerRuntime
from domain.commands import CommandState, ModifyOrder
from domain.errors import ErrorCode
from domain.ids import command_id_for
from domain.orders import Actor, DeliveryPriority, LineRequest, OrderStatus, TransactionKind
from domain.serialization import utc_now
from tests.integration.conftest import (
    REGION,
    Stack,
    cancel_command,
    dispatch_command,
    place_command,
    register_command,
)

pytestmark = pytest.mark.integration


async def _details(stack: Stack, order_id: str):  # type: ignore[no-untyped-def]
    context = await stack.context_for_staff()
    return await context.reads.order_details(order_id)


async def test_placed_order_is_priced_from_the_catalogue_and_charged(stack: Stack) -> None:
    await stack.apply(register_command("ann"))
    command = place_command("ann", [("TEA", 2), ("CAKE", 1)], priority=DeliveryPriority.URGENT)

    outcome = await stack.apply(command)

    assert outcome.state is CommandState.APPLIED
    details = await _details(stack, command.order_id)
    assert details is not None
    order = details.order
    assert order.subtotal == 2 * 500 + 1200
    assert order.delivery_fee > 499  # the urgent surcharge
    assert [(entry.kind, entry.amount) for entry in details.transactions] == [
        (TransactionKind.CHARGE, order.total)
    ]
    assert [event.kind for event in details.history] == [
        "ORDER_PLACED",
        "RECEIPT_ISSUED",
        "EMAIL_SENT",
        "EMAIL_SENT",
    ]


async def test_a_redelivered_command_changes_nothing(stack: Stack) -> None:
    await stack.apply(register_command("ann"))
    command = place_command("ann")

    first = await stack.apply(command)
    again = await stack.apply(command)

    assert again == first
    details = await _details(stack, command.order_id)
    assert details is not None
    assert len(details.transactions) == 1
    assert len(details.history) == 4  # placed, receipt, two emails: none of them twice
    assert details.order.version == 1
    assert len(await stack.emails(command.order_id)) == 2


@pytest.mark.parametrize(
    ("items", "registered", "code"),
    [
        ([("NOPE", 1)], True, ErrorCode.UNKNOWN_PRODUCT),
        ([("TEA", 1)], False, ErrorCode.PROFILE_REQUIRED),
    ],
)
async def test_an_order_the_data_refuses_is_rejected_with_its_code(
    stack: Stack, items: list[tuple[str, int]], registered: bool, code: ErrorCode
) -> None:
    if registered:
        await stack.apply(register_command("ann"))
    command = place_command("ann", items)

    outcome = await stack.apply(command)

    assert outcome.state is CommandState.REJECTED
    assert outcome.error_code is code
    assert await _details(stack, command.order_id) is None


async def test_an_idempotency_key_reused_for_another_request_is_a_conflict(stack: Stack) -> None:
    await stack.apply(register_command("ann"))
    first = place_command("ann", [("TEA", 1)], idempotency_key="basket-1")
    replay = place_command("ann", [("TEA", 1)], idempotency_key="basket-1")
    different = place_command("ann", [("MUG", 3)], idempotency_key="basket-1")

    assert (await stack.apply(first)).state is CommandState.APPLIED
    assert (await stack.apply(replay)).state is CommandState.APPLIED
    conflict = await stack.apply(different)

    assert conflict.error_code is ErrorCode.IDEMPOTENCY_CONFLICT
    details = await _details(stack, first.order_id)
    assert details is not None
    assert [line.sku for line in details.order.lines] == ["TEA"]
    assert len(details.transactions) == 1


async def test_a_modification_books_the_difference_as_an_adjustment(stack: Stack) -> None:
    await stack.apply(register_command("ann"))
    placed = place_command("ann", [("TEA", 1)])
    await stack.apply(placed)

    outcome = await stack.apply(
        ModifyOrder(
            command_id=command_id_for("ann"),
            actor=Actor("ann"),
            issued_at=utc_now(),
            order_id=placed.order_id,
            expected_version=1,
            items=(LineRequest("TEA", 3),),
        )
    )

    assert outcome.state is CommandState.APPLIED
    details = await _details(stack, placed.order_id)
    assert details is not None
    assert details.order.version == 2
    assert [(entry.kind, entry.amount) for entry in details.transactions][1:] == [
        (TransactionKind.ADJUSTMENT, 2 * 500)
    ]
    assert sum(entry.amount for entry in details.transactions) == details.order.total


async def test_a_stale_expected_version_is_rejected_and_changes_nothing(stack: Stack) -> None:
    await stack.apply(register_command("ann"))
    placed = place_command("ann")
    await stack.apply(placed)

    outcome = await stack.apply(cancel_command(Actor("ann"), placed.order_id, expected_version=7))

    assert outcome.error_code is ErrorCode.STALE_VERSION
    details = await _details(stack, placed.order_id)
    assert details is not None
    assert details.order.status is OrderStatus.PLACED


async def test_cancelling_refunds_everything_owed(stack: Stack) -> None:
    await stack.apply(register_command("ann"))
    placed = place_command("ann", [("CAKE", 2)])
    await stack.apply(placed)

    outcome = await stack.apply(cancel_command(Actor("ann"), placed.order_id))

    assert outcome.state is CommandState.APPLIED
    details = await _details(stack, placed.order_id)
    assert details is not None
    assert details.order.status is OrderStatus.CANCELLED
    assert details.transactions[-1].kind is TransactionKind.REFUND
    assert sum(entry.amount for entry in details.transactions) == 0


async def test_cancel_after_dispatch_is_rejected_as_not_modifiable(stack: Stack) -> None:
    await stack.apply(register_command("ann"))
    placed = place_command("ann")
    await stack.apply(placed)
    await stack.apply(dispatch_command(placed.order_id))

    outcome = await stack.apply(cancel_command(Actor("ann"), placed.order_id))

    assert outcome.error_code is ErrorCode.NOT_MODIFIABLE
    details = await _details(stack, placed.order_id)
    assert details is not None
    assert details.order.status is OrderStatus.OUT_FOR_DELIVERY
    assert len(details.transactions) == 1


async def test_a_customer_cannot_touch_another_customers_order(stack: Stack) -> None:
    await stack.apply(register_command("ann"))
    placed = place_command("ann")
    await stack.apply(placed)

    outcome = await stack.apply(cancel_command(Actor("bob"), placed.order_id))

    assert outcome.error_code is ErrorCode.NOT_FOUND
    details = await _details(stack, placed.order_id)
    assert details is not None
    assert details.order.status is OrderStatus.PLACED


async def test_cancel_racing_dispatch_leaves_exactly_one_winner(stack: Stack) -> None:
    await stack.apply(register_command("ann"))
    placed = place_command("ann")
    await stack.apply(placed)
    # Two workers with their own connections, as two Lambda instances would be.
    other_clients = AwsClients(REGION, stack.settings.aws_endpoint_url)
    other_worker = await WorkerRuntime(stack.settings, other_clients).handlers()
    cancel = cancel_command(Actor("ann"), placed.order_id, expected_version=1)
    dispatch = dispatch_command(placed.order_id, expected_version=1)

    try:
        cancelled, dispatched = await asyncio.gather(
            stack.apply(cancel), other_worker.handle(dispatch)
        )
    finally:
        await other_clients.close()

    states = sorted([cancelled.state, dispatched.state])
    assert states == [CommandState.APPLIED, CommandState.REJECTED]
    details = await _details(stack, placed.order_id)
    assert details is not None
    winner = (
        OrderStatus.CANCELLED
        if cancelled.state is CommandState.APPLIED
        else (OrderStatus.OUT_FOR_DELIVERY)
    )
    assert details.order.status is winner
    assert details.order.version == 2
    assert sum(entry.amount for entry in details.transactions) == details.order.amount_owed()
