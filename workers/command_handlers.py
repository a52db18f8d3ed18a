"""One handler per command: read, let the domain decide, write conditionally, then the effects."""

from __future__ import annotations

import logging
from datetime import datetime

from domain.catalog import Product
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
from domain.customers import CustomerProfile
from domain.errors import (
    DomainError,
    ForbiddenError,
    IdempotencyConflictError,
    UnprocessableCommandError,
)
from domain.orders import (
    Order,
    OrderChange,
    cancel_order,
    complete_delivery,
    dispatch_order,
    ensure_visible,
    modify_order,
    place_order,
)
from domain.serialization import utc_now
from storage.items import customer_item, product_item
from workers.dynamodb_store import (
    CommandAlreadyRecordedError,
    ConcurrentChangeError,
    DynamoCommandStore,
    UnstorableWriteError,
)
from workers.order_effects import OrderEffects

logger = logging.getLogger(__name__)

# A conflicting write means the order moved on between our read and our write; deciding again
# on fresh data settles it. Past this many tries the message goes back to the queue.
MAX_DECISION_ATTEMPTS = 5


class _ReplayedRequestError(Exception):
    """A PlaceOrder whose order already exists from this very request."""


class CommandHandlers:
    def __init__(self, store: DynamoCommandStore, effects: OrderEffects) -> None:
        self._store = store
        self._effects = effects

    async def handle(self, command: Command) -> CommandOutcome:
        """Apply a command once, then perform its effects not yet performed.

        A repeat delivery finds the outcome recorded the first time and changes nothing; it only
        completes the effects a failure left undone (a receipt or an email).
        """
        outcome = await self._store.command_outcome(command.command_id)
        fresh = False
        if outcome is None:
            outcome, fresh = await self._apply_once(command)
        else:
            logger.info("command %s already %s", command.command_id, outcome.state)
        if outcome.state is CommandState.APPLIED:
            await self._effects.complete(outcome, fresh=fresh)
        return outcome

    async def _apply_once(self, command: Command) -> tuple[CommandOutcome, bool]:
        """The outcome, and whether this call recorded it (rather than a parallel delivery)."""
        for _attempt in range(MAX_DECISION_ATTEMPTS):
            try:
                return await self._apply(command), True
            except CommandAlreadyRecordedError:
                # Another delivery recorded it between our check and our write.
                outcome = await self._store.command_outcome(command.command_id)
                assert outcome is not None
                return outcome, False
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
                order_id = command.order_id if isinstance(command, OrderCommand) else None
                return await self._reject(command, order_id, refusal, utc_now()), True
        raise ConcurrentChangeError(command.command_id)

    async def _apply(self, command: Command) -> CommandOutcome:
        now = utc_now()
        if isinstance(command, RegisterCustomer | UpsertProduct):
            try:
                item = (
                    customer_item(await self._register_customer(command, now))
                    if isinstance(command, RegisterCustomer)
                    else product_item(_upsert_product(command, now))
                )
            except DomainError as refusal:
                return await self._reject(command, None, refusal, now)
            return await self._store.apply_with_outcome(command, item, None, now)
        assert isinstance(command, OrderCommand)
        order, ledger = await self._store.order_with_ledger(command.order_id)
        try:
            change = await self._decide(command, order, now)
        except _ReplayedRequestError:
            return await self._store.record_outcome_only(command, command.order_id, now)
        except DomainError as refusal:
            return await self._reject(command, command.order_id, refusal, now)
        return await self._store.apply_order_change(command, change, ledger, now)

    async def _decide(
        self, command: OrderCommand, order: Order | None, now: datetime
    ) -> OrderChange:
        if isinstance(command, PlaceOrder):
            return await self._place(command, order, now)
        current = ensure_visible(order, command.order_id, command.actor)
        match command:
            case ModifyOrder():
                catalogue: dict[str, Product] = {}
                if command.items is not None:
                    catalogue = await self._store.products(line.sku for line in command.items)
                return modify_order(
                    current,
                    requested=command.items,
                    delivery_address=command.delivery_address,
                    notes=command.notes,
                    catalogue=catalogue,
                    expected_version=command.expected_version,
                    now=now,
                )
            case CancelOrder():
                return cancel_order(
                    current,
                    reason=command.reason,
                    expected_version=command.expected_version,
                    now=now,
                )
            case DispatchOrder():
                return dispatch_order(
                    current, actor=command.actor, expected_version=command.expected_version, now=now
                )
            case CompleteDelivery():
                return complete_delivery(
                    current, actor=command.actor, expected_version=command.expected_version, now=now
                )
        raise TypeError(f"no handler for {type(command).__name__}")

    async def _place(
        self, command: PlaceOrder, existing: Order | None, now: datetime
    ) -> OrderChange:
        if existing is not None:
            # Only an idempotency key leads back to an existing id: the same request is a replay,
            # anything else reuses the key for a different order.
            if (
                existing.customer_id == command.actor.sub
                and existing.request_fingerprint == command.fingerprint
            ):
                raise _ReplayedRequestError()
            raise IdempotencyConflictError()
        customer = await self._store.customer(command.actor.sub)
        catalogue = await self._store.products(line.sku for line in command.items)
        return place_order(
            order_id=command.order_id,
            customer=customer,
            requested=command.items,
            catalogue=catalogue,
            priority=command.priority,
            delivery_address=command.delivery_address,
            notes=command.notes,
            request_fingerprint=command.fingerprint,
            now=now,
            customer_email=command.customer_email,
        )

    async def _register_customer(self, command: RegisterCustomer, now: datetime) -> CustomerProfile:
        existing = await self._store.customer(command.actor.sub)
        # What the command leaves out keeps its stored value.
        return CustomerProfile(
            id=command.actor.sub,
            name=command.name,
            email=command.email,
            phone=command.phone or (existing.phone if existing else None),
            default_address=command.default_address
            or (existing.default_address if existing else None),
            created_at=existing.created_at if existing else now,
            updated_at=now,
        )

    async def reject_undecodable(self, reference: CommandReference, reason: str) -> CommandOutcome:
        """Record a message this code cannot decode as rejected, under the command it names.

        A repeat delivery finds the rejection already recorded and changes nothing.
        """
        existing = await self._store.command_outcome(reference.command_id)
        if existing is not None:
            return existing
        logger.warning("command %s cannot be decoded (%s); rejected", reference.command_id, reason)
        try:
            return await self._store.record_rejection(
                reference.command_id,
                reference.actor_sub,
                reference.order_id,
                UnprocessableCommandError(reason),
                utc_now(),
            )
        except CommandAlreadyRecordedError:
            outcome = await self._store.command_outcome(reference.command_id)
            assert outcome is not None
            return outcome

    async def _reject(
        self, command: Command, order_id: str | None, refusal: DomainError, now: datetime
    ) -> CommandOutcome:
        logger.info("command %s rejected: %s", command.command_id, refusal.code)
        return await self._store.record_rejection(
            command.command_id, command.actor.sub, order_id, refusal, now
        )


def _upsert_product(command: UpsertProduct, now: datetime) -> Product:
    if not command.actor.is_staff:
        raise ForbiddenError("Only staff can manage products.")
    return Product(
        sku=command.sku,
        name=command.name,
        price=command.price,
        active=command.active,
        updated_at=now,
        description=command.description,
    )
