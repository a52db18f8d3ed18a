"""One handler per command, and the processor that applies each command once.

A handler reads what its command needs (in as few calls as the access pattern allows), asks
domain to decide, and says what to write: an order change, a profile, a product, or nothing (a
replay). Domain's refusals are recorded as rejections. Adding a command is its dataclass in
domain/commands.py and its handler here, registered with `@handles`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from domain.catalog import Product, upsert_product
from domain.commands import (
    CancelOrder,
    Command,
    CommandOutcome,
    CommandReference,
    CommandState,
    CompleteDelivery,
    DispatchOrder,
    ModifyOrder,
    OrderCommand,
    PlaceOrder,
    RegisterCustomer,
    UpsertProduct,
)
from domain.customers import CustomerProfile, merge_profile
from domain.errors import DomainError, UnprocessableCommandError
from domain.notifications import OrderSnapshot
from domain.orders import (
    Order,
    OrderChange,
    Transaction,
    cancel_order,
    complete_delivery,
    dispatch_order,
    ensure_visible,
    is_replayed_placement,
    modify_order,
    place_order,
)
from domain.serialization import utc_now
from workers.order_effects import OrderEffects
from workers.ports import (
    CommandAlreadyRecordedError,
    CommandMetrics,
    CommandStore,
    ConcurrentChangeError,
    NoMetrics,
    UnstorableWriteError,
)

logger = logging.getLogger(__name__)

# A conflicting write means the order moved on between our read and our write; deciding again
# on fresh data settles it. Past this many tries the message goes back to the queue.
MAX_DECISION_ATTEMPTS = 5


@dataclass(frozen=True, slots=True)
class ApplyChange:
    """Write the order's change, with its ledger entry and event."""

    change: OrderChange
    ledger: tuple[Transaction, ...] = ()


@dataclass(frozen=True, slots=True)
class Replay:
    """The command's request was applied before, under its id: record it applied, again."""


Decision = ApplyChange | CustomerProfile | Product | Replay
C = TypeVar("C", bound=Command)
Handler = Callable[[C, CommandStore, datetime], Awaitable[Decision]]
HANDLERS: dict[type[Command], Handler[Any]] = {}


def handles(command_type: type[C]) -> Callable[[Handler[C]], Handler[C]]:
    """Register the decorated function as the handler of `command_type`."""

    def register(handler: Handler[C]) -> Handler[C]:
        HANDLERS[command_type] = handler
        return handler

    return register


@handles(PlaceOrder)
async def place(command: PlaceOrder, store: CommandStore, now: datetime) -> Decision:
    read = await store.placement(
        command.order_id, command.actor.sub, (line.sku for line in command.items)
    )
    if is_replayed_placement(
        read.existing, customer_id=command.actor.sub, request_fingerprint=command.fingerprint
    ):
        return Replay()
    return ApplyChange(
        place_order(
            order_id=command.order_id,
            customer=read.customer,
            requested=command.items,
            catalogue=read.catalogue,
            priority=command.priority,
            delivery_address=command.delivery_address,
            notes=command.notes,
            request_fingerprint=command.fingerprint,
            now=now,
            customer_email=command.customer_email,
        )
    )


@handles(ModifyOrder)
async def modify(command: ModifyOrder, store: CommandStore, now: datetime) -> Decision:
    order, ledger = await store.order_with_ledger(command.order_id)
    current = ensure_visible(order, command.order_id, command.actor)
    catalogue = {}
    if command.items is not None:
        catalogue = await store.products(line.sku for line in command.items)
    change = modify_order(
        current,
        requested=command.items,
        delivery_address=command.delivery_address,
        notes=command.notes,
        catalogue=catalogue,
        expected_version=command.expected_version,
        now=now,
    )
    return ApplyChange(change, ledger)


@handles(CancelOrder)
async def cancel(command: CancelOrder, store: CommandStore, now: datetime) -> Decision:
    return await _change_order(
        command,
        store,
        lambda order: cancel_order(
            order, reason=command.reason, expected_version=command.expected_version, now=now
        ),
    )


@handles(DispatchOrder)
async def dispatch(command: DispatchOrder, store: CommandStore, now: datetime) -> Decision:
    return await _change_order(
        command,
        store,
        lambda order: dispatch_order(
            order, actor=command.actor, expected_version=command.expected_version, now=now
        ),
    )


@handles(CompleteDelivery)
async def complete(command: CompleteDelivery, store: CommandStore, now: datetime) -> Decision:
    return await _change_order(
        command,
        store,
        lambda order: complete_delivery(
            order, actor=command.actor, expected_version=command.expected_version, now=now
        ),
    )


async def _change_order(
    command: OrderCommand, store: CommandStore, decide: Callable[[Order], OrderChange]
) -> Decision:
    """The order and its ledger in one read, the change domain decides on the order as its
    issuer may see it (a missing order and another's answer alike)."""
    order, ledger = await store.order_with_ledger(command.order_id)
    return ApplyChange(decide(ensure_visible(order, command.order_id, command.actor)), ledger)


@handles(RegisterCustomer)
async def register(command: RegisterCustomer, store: CommandStore, now: datetime) -> Decision:
    return merge_profile(
        await store.customer(command.actor.sub),
        sub=command.actor.sub,
        name=command.name,
        email=command.email,
        phone=command.phone,
        default_address=command.default_address,
        now=now,
    )


@handles(UpsertProduct)
async def upsert(command: UpsertProduct, _store: CommandStore, now: datetime) -> Decision:
    return upsert_product(
        by_staff=command.actor.is_staff,
        sku=command.sku,
        name=command.name,
        price=command.price,
        active=command.active,
        description=command.description,
        now=now,
    )


class CommandHandlers:
    """Applies each command once through its handler, then performs its effects.

    It counts what it decides (`metrics`): orders placed, commands applied and rejected, each
    once, when its outcome is recorded by this delivery.
    """

    def __init__(
        self, store: CommandStore, effects: OrderEffects, metrics: CommandMetrics | None = None
    ) -> None:
        self._store = store
        self._effects = effects
        self._metrics = metrics or NoMetrics()

    async def handle(self, command: Command) -> CommandOutcome:
        """Apply a command once, then perform its effects not yet performed.

        A repeat delivery finds its outcome recorded (its write is refused) and changes
        nothing; it only completes the effects a failure left undone (a receipt or an email).
        """
        outcome, snapshot = await self._apply_once(command)
        if outcome.state is CommandState.APPLIED:
            await self._effects.complete(outcome, snapshot)
        return outcome

    async def _apply_once(self, command: Command) -> tuple[CommandOutcome, OrderSnapshot | None]:
        """The outcome, and the order it left when this call recorded it (None for a repeat)."""
        for _attempt in range(MAX_DECISION_ATTEMPTS):
            try:
                return await self._apply(command)
            except CommandAlreadyRecordedError as recorded:
                logger.info("command %s already %s", command.command_id, recorded.outcome.state)
                return recorded.outcome, None
            except ConcurrentChangeError:
                logger.info("command %s raced another change; deciding again", command.command_id)
            except UnstorableWriteError as unstorable:
                # Retrying would fail the same way until the message lands in the dead-letter
                # queue, its issuer seeing PENDING for ever: refuse it for good instead. Logged
                # as an error: the API should have refused it.
                logger.error(
                    "command %s cannot be stored (%s); rejected", command.command_id, unstorable
                )
                refusal = UnprocessableCommandError(f"it holds {unstorable}.")
                return await self._reject(command, refusal, utc_now()), None
        raise ConcurrentChangeError(command.command_id)

    async def _apply(self, command: Command) -> tuple[CommandOutcome, OrderSnapshot | None]:
        now = utc_now()
        handler = HANDLERS.get(type(command))
        if handler is None:
            raise TypeError(f"no handler for {type(command).__name__}")
        try:
            decision = await handler(command, self._store, now)
        except DomainError as refusal:
            return await self._reject(command, refusal, now), None
        order_id = command.order_id if isinstance(command, OrderCommand) else None
        snapshot: OrderSnapshot | None = None
        match decision:
            case ApplyChange(change, ledger):
                outcome, snapshot = await self._store.apply_order_change(
                    command, change, ledger, now
                )
                if isinstance(command, PlaceOrder):
                    self._metrics.order_placed(command.priority)
            case CustomerProfile():
                outcome = await self._store.save_profile(command, decision, now)
            case Product():
                outcome = await self._store.save_product(command, decision, now)
            case Replay():
                outcome = await self._store.record_outcome_only(command, order_id, now)
        self._metrics.command_applied(
            type(command).__name__, outcome.recorded_at - command.issued_at
        )
        return outcome, snapshot

    async def reject_undecodable(self, reference: CommandReference, reason: str) -> CommandOutcome:
        """Record a message this code cannot decode as rejected, under the command it names.

        A repeat delivery finds the rejection already recorded and changes nothing.
        """
        existing = await self._store.command_outcome(reference.command_id)
        if existing is not None:
            return existing
        logger.warning("command %s cannot be decoded (%s); rejected", reference.command_id, reason)
        refusal = UnprocessableCommandError(reason)
        try:
            outcome = await self._store.record_rejection(
                reference.command_id, reference.actor_sub, reference.order_id, refusal, utc_now()
            )
        except CommandAlreadyRecordedError as recorded:
            return recorded.outcome
        self._metrics.command_rejected(refusal.code)
        return outcome

    async def _reject(
        self, command: Command, refusal: DomainError, now: datetime
    ) -> CommandOutcome:
        """Record the refusal; a redelivery finds the first one recorded (or what was applied)
        and answers with that."""
        order_id = command.order_id if isinstance(command, OrderCommand) else None
        try:
            outcome = await self._store.record_rejection(
                command.command_id, command.actor.sub, order_id, refusal, now
            )
        except CommandAlreadyRecordedError as recorded:
            logger.info("command %s already %s", command.command_id, recorded.outcome.state)
            return recorded.outcome
        logger.info("command %s rejected: %s", command.command_id, refusal.code)
        self._metrics.command_rejected(refusal.code)
        return outcome
