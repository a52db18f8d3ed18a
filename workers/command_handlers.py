"""One handler per command: read, let the domain decide, write conditionally, record the outcome."""

from __future__ import annotations

import logging
from datetime import datetime

from domain import storage
from domain.catalog import Product
from domain.commands import (
    CancelOrder,
    Command,
    CommandOutcome,
    CompleteDelivery,
    DispatchOrder,
    ModifyOrder,
    OrderCommand,
    PlaceOrder,
    RegisterCustomer,
    UpsertProduct,
)
from domain.customers import CustomerProfile
from domain.errors import DomainError, ForbiddenError, IdempotencyConflictError
from domain.orders import (
    OrderChange,
    cancel_order,
    complete_delivery,
    dispatch_order,
    ensure_visible,
    modify_order,
    place_order,
)
from domain.serialization import utc_now
from workers.dynamodb_store import (
    CommandAlreadyRecordedError,
    ConcurrentChangeError,
    DynamoCommandStore,
)

logger = logging.getLogger(__name__)

# A conflicting write means the order moved on between our read and our write; deciding again
# on fresh data settles it. Past this many tries the message goes back to the queue.
MAX_DECISION_ATTEMPTS = 5


class _ReplayedRequestError(Exception):
    """A PlaceOrder whose order already exists from this very request."""


class CommandHandlers:
    def __init__(self, store: DynamoCommandStore) -> None:
        self._store = store

    async def handle(self, command: Command) -> CommandOutcome:
        """Apply a command once; a repeat delivery returns the outcome recorded the first time."""
        recorded = await self._store.command_outcome(command.command_id)
        if recorded is not None:
            logger.info("command %s already %s", command.command_id, recorded.state)
            return recorded
        for _attempt in range(MAX_DECISION_ATTEMPTS):
            try:
                return await self._apply(command)
            except CommandAlreadyRecordedError:
                outcome = await self._store.command_outcome(command.command_id)
                assert outcome is not None
                return outcome
            except ConcurrentChangeError:
                logger.info("command %s raced another change; deciding again", command.command_id)
        raise ConcurrentChangeError(command.command_id)

    async def _apply(self, command: Command) -> CommandOutcome:
        now = utc_now()
        order_id = command.order_id if isinstance(command, OrderCommand) else None
        try:
            match command:
                case RegisterCustomer():
                    profile = await self._register_customer(command, now)
                    return await self._store.apply_with_outcome(
                        command, storage.customer_item(profile), None, now
                    )
                case UpsertProduct():
                    product = _upsert_product(command, now)
                    return await self._store.apply_with_outcome(
                        command, storage.product_item(product), None, now
                    )
                case PlaceOrder():
                    change = await self._place(command, now)
                case ModifyOrder():
                    change = await self._modify(command, now)
                case CancelOrder():
                    change = await self._cancel(command, now)
                case DispatchOrder():
                    change = await self._dispatch(command, now)
                case CompleteDelivery():
                    change = await self._complete(command, now)
                case _:
                    raise TypeError(f"no handler for {type(command).__name__}")
        except _ReplayedRequestError:
            return await self._store.record_outcome_only(command, order_id, now)
        except DomainError as refusal:
            logger.info("command %s rejected: %s", command.command_id, refusal.code)
            return await self._store.record_rejection(command, order_id, refusal, now)
        return await self._store.apply_order_change(command, change, now)

    async def _register_customer(self, command: RegisterCustomer, now: datetime) -> CustomerProfile:
        existing = await self._store.customer(command.actor.sub)
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

    async def _place(self, command: PlaceOrder, now: datetime) -> OrderChange:
        existing = await self._store.order(command.order_id)
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
        )

    async def _modify(self, command: ModifyOrder, now: datetime) -> OrderChange:
        order = ensure_visible(
            await self._store.order(command.order_id), command.order_id, command.actor
        )
        catalogue: dict[str, Product] = {}
        if command.items is not None:
            catalogue = await self._store.products(line.sku for line in command.items)
        return modify_order(
            order,
            requested=command.items,
            delivery_address=command.delivery_address,
            notes=command.notes,
            catalogue=catalogue,
            expected_version=command.expected_version,
            now=now,
        )

    async def _cancel(self, command: CancelOrder, now: datetime) -> OrderChange:
        order = ensure_visible(
            await self._store.order(command.order_id), command.order_id, command.actor
        )
        return cancel_order(
            order, reason=command.reason, expected_version=command.expected_version, now=now
        )

    async def _dispatch(self, command: DispatchOrder, now: datetime) -> OrderChange:
        order = ensure_visible(
            await self._store.order(command.order_id), command.order_id, command.actor
        )
        return dispatch_order(
            order, actor=command.actor, expected_version=command.expected_version, now=now
        )

    async def _complete(self, command: CompleteDelivery, now: datetime) -> OrderChange:
        order = ensure_visible(
            await self._store.order(command.order_id), command.order_id, command.actor
        )
        return complete_delivery(
            order, actor=command.actor, expected_version=command.expected_version, now=now
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
    )
