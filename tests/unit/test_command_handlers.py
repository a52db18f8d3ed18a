"""Every command's handler and the processor around them, on in-memory fakes (no emulator)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from domain.commands import COMMAND_TYPES, Command, CommandState
from domain.errors import ErrorCode, UnprocessableCommandError
from domain.notifications import Effect
from domain.orders import DeliveryPriority, OrderStatus, TransactionKind
from tests.factories import (
    CUSTOMER_SUB,
    MUG,
    TEA,
    a_business,
    a_cancel_order_command,
    a_complete_delivery_command,
    a_customer,
    a_dispatch_order_command,
    a_line,
    a_modify_order_command,
    a_place_order_command,
    a_placed_order,
    a_profile,
    a_register_customer_command,
    an_upsert_product_command,
)
from tests.fakes import FakeWorker
from workers.command_handlers import HANDLERS, MAX_DECISION_ATTEMPTS
from workers.ports import ConcurrentChangeError

BUSINESS = a_business()


async def test_placing_reads_once_writes_once_and_performs_each_effect_once() -> None:
    worker = FakeWorker().with_profile()
    command = a_place_order_command(priority=DeliveryPriority.URGENT)

    outcome = await worker.handlers.handle(command)

    assert outcome.state is CommandState.APPLIED
    assert outcome.effects == (Effect.RECEIPT, Effect.EMAIL_CUSTOMER, Effect.EMAIL_BUSINESS)
    order = worker.store.orders[command.order_id]
    assert (order.status, order.priority) == (OrderStatus.PLACED, DeliveryPriority.URGENT)
    assert [entry.kind for entry in worker.store.ledgers[order.id]] == [TransactionKind.CHARGE]
    assert list(worker.receipts.stored) == [f"receipts/{order.id}/v1.pdf"]
    assert worker.emails_to() == ["ada@example.com", BUSINESS.orders_email]
    # Nothing read before deciding but the placement; no outcome read on the way.
    assert worker.store.calls == {"placement": 1, "apply_order_change": 1, "record_effects": 1}


@pytest.mark.parametrize(
    ("profile", "items", "code"),
    [
        (False, (a_line(TEA, 1),), ErrorCode.PROFILE_REQUIRED),
        (True, (a_line("NOPE-1", 1),), ErrorCode.UNKNOWN_PRODUCT),
    ],
)
async def test_a_placement_domain_refuses_is_rejected_and_tells_nobody(
    profile: bool, items: tuple[object, ...], code: ErrorCode
) -> None:
    worker = FakeWorker().with_profile() if profile else FakeWorker()

    outcome = await worker.handlers.handle(a_place_order_command(items=items))

    assert (outcome.state, outcome.error_code) == (CommandState.REJECTED, code)
    assert worker.store.orders == {}
    assert worker.mailer.sent == []


async def test_a_redelivered_placement_changes_nothing_and_sends_nothing_again() -> None:
    worker = FakeWorker().with_profile()
    command = a_place_order_command()

    first = await worker.handlers.handle(command)
    again = await worker.handlers.handle(command)

    assert again == first
    assert len(worker.mailer.sent) == 2
    assert len(worker.receipts.writes) == 1
    assert len(worker.store.ledgers[command.order_id]) == 1


async def test_an_idempotency_key_finding_another_request_s_order_is_a_conflict() -> None:
    worker = FakeWorker().with_profile()
    command = a_place_order_command()
    worker.store.orders[command.order_id] = a_placed_order(order_id=command.order_id)

    outcome = await worker.handlers.handle(command)

    assert outcome.error_code is ErrorCode.IDEMPOTENCY_CONFLICT
    assert worker.mailer.sent == []


async def test_a_modification_reprices_from_the_catalogue_and_tells_the_customer() -> None:
    worker = FakeWorker()
    order_id = worker.with_order()

    outcome = await worker.handlers.handle(
        a_modify_order_command(order_id=order_id, items=(a_line(MUG, 1),), expected_version=1)
    )

    assert outcome.state is CommandState.APPLIED
    order = worker.store.orders[order_id]
    assert (order.version, [line.sku for line in order.lines]) == (2, [MUG])
    assert worker.store.calls["products"] == 1
    assert list(worker.receipts.stored) == [f"receipts/{order_id}/v2.pdf"]
    assert worker.emails_to() == ["ada@example.com"]


async def test_a_cancellation_refunds_and_tells_both() -> None:
    worker = FakeWorker()
    order_id = worker.with_order()

    outcome = await worker.handlers.handle(
        a_cancel_order_command(order_id=order_id, reason="Changed my mind")
    )

    assert outcome.state is CommandState.APPLIED
    assert worker.store.orders[order_id].status is OrderStatus.CANCELLED
    assert [entry.kind for entry in worker.store.ledgers[order_id]] == [TransactionKind.REFUND]
    assert worker.emails_to() == ["ada@example.com", BUSINESS.orders_email]


async def test_staff_dispatch_then_deliver_each_with_a_receipt_and_the_customer_told() -> None:
    worker = FakeWorker()
    order_id = worker.with_order()

    dispatched = await worker.handlers.handle(a_dispatch_order_command(order_id=order_id))
    delivered = await worker.handlers.handle(a_complete_delivery_command(order_id=order_id))

    assert (dispatched.state, delivered.state) == (CommandState.APPLIED, CommandState.APPLIED)
    assert worker.store.orders[order_id].status is OrderStatus.DELIVERED
    assert sorted(worker.receipts.stored) == [
        f"receipts/{order_id}/v2.pdf",
        f"receipts/{order_id}/v3.pdf",
    ]
    assert worker.emails_to() == ["ada@example.com", "ada@example.com"]


@pytest.mark.parametrize("command", [a_dispatch_order_command, a_complete_delivery_command])
async def test_a_customer_cannot_move_an_order_along(command: Callable[..., Command]) -> None:
    worker = FakeWorker()
    order_id = worker.with_order()

    outcome = await worker.handlers.handle(command(order_id=order_id, actor=a_customer()))

    assert outcome.error_code is ErrorCode.FORBIDDEN
    assert worker.store.orders[order_id].version == 1


async def test_a_command_on_a_missing_order_is_not_found() -> None:
    outcome = await FakeWorker().handlers.handle(a_cancel_order_command())

    assert outcome.error_code is ErrorCode.NOT_FOUND


async def test_a_registration_keeps_what_it_leaves_out() -> None:
    worker = FakeWorker()
    worker.store.profiles[CUSTOMER_SUB] = a_profile(phone="+1 555 0100")

    outcome = await worker.handlers.handle(
        a_register_customer_command(name="Ada L.", phone=None, default_address=None)
    )

    assert outcome.state is CommandState.APPLIED
    profile = worker.store.profiles[CUSTOMER_SUB]
    assert (profile.name, profile.phone) == ("Ada L.", "+1 555 0100")
    assert profile.default_address == a_profile().default_address


async def test_staff_set_products_and_nobody_else_does() -> None:
    worker = FakeWorker()

    by_staff = await worker.handlers.handle(an_upsert_product_command(sku="NEW-1", price=999))
    by_customer = await worker.handlers.handle(
        an_upsert_product_command(sku="NEW-2", actor=a_customer())
    )

    assert by_staff.state is CommandState.APPLIED
    assert worker.store.catalogue["NEW-1"].price == 999
    assert by_customer.error_code is ErrorCode.FORBIDDEN
    assert "NEW-2" not in worker.store.catalogue


async def test_a_change_that_races_another_is_decided_again_on_fresh_data() -> None:
    worker = FakeWorker()
    order_id = worker.with_order()
    worker.store.races = 2

    outcome = await worker.handlers.handle(a_cancel_order_command(order_id=order_id))

    assert outcome.state is CommandState.APPLIED
    assert worker.store.calls["order_with_ledger"] == 3
    assert worker.store.calls["apply_order_change"] == 3


async def test_a_change_that_keeps_racing_goes_back_to_the_queue() -> None:
    worker = FakeWorker()
    order_id = worker.with_order()
    worker.store.races = MAX_DECISION_ATTEMPTS

    with pytest.raises(ConcurrentChangeError):
        await worker.handlers.handle(a_cancel_order_command(order_id=order_id))
    assert worker.store.outcomes == {}


async def test_a_command_the_table_cannot_store_is_rejected_for_good() -> None:
    worker = FakeWorker().with_profile()
    worker.store.unstorable = True

    command = a_place_order_command()

    outcome = await worker.handlers.handle(command)
    redelivered = await worker.handlers.handle(command)

    assert outcome.state is CommandState.REJECTED
    assert outcome.error_code is UnprocessableCommandError.code
    assert redelivered == outcome  # found recorded: the message is done, not retried for ever
    assert worker.store.orders == {}


async def test_effects_cut_short_are_finished_by_the_next_delivery_and_none_twice() -> None:
    worker = FakeWorker().with_profile()
    command = a_place_order_command()
    worker.mailer.failures = 1

    with pytest.raises(ConnectionError):
        await worker.handlers.handle(command)
    outcome = await worker.handlers.handle(command)

    assert outcome.state is CommandState.APPLIED
    assert worker.receipts.writes == [f"receipts/{command.order_id}/v1.pdf"]  # not redone
    # The business's email went out beside the failed one, and was not sent again.
    assert sorted(worker.emails_to()) == sorted(["ada@example.com", BUSINESS.orders_email])
    assert worker.store.calls["pending_effects"] == 1
    assert [receipt.version for receipt in worker.store.receipts] == [1]


async def test_a_receipt_store_outage_leaves_the_emails_for_the_retry_too() -> None:
    worker = FakeWorker().with_profile()
    command = a_place_order_command()
    worker.receipts.failures = 1

    with pytest.raises(ConnectionError):
        await worker.handlers.handle(command)
    assert worker.mailer.sent == []  # emails link to the receipt: they wait for it
    await worker.handlers.handle(command)

    assert len(worker.receipts.writes) == 1
    assert len(worker.mailer.sent) == 2


async def test_effects_of_an_order_that_moved_on_are_dropped_not_sent_stale() -> None:
    worker = FakeWorker().with_profile()
    command = a_place_order_command()
    worker.mailer.failures = 1
    with pytest.raises(ConnectionError):
        await worker.handlers.handle(command)
    order = worker.store.orders[command.order_id]
    worker.store.orders[command.order_id] = replace(order, version=2)  # a later change

    await worker.handlers.handle(command)

    assert worker.emails_to() == [BUSINESS.orders_email]  # sent beside the failure, not since


def test_every_command_a_message_can_carry_has_its_handler() -> None:
    carried = set(COMMAND_TYPES.values())

    assert set(HANDLERS) == carried
