"""The worker's table, workers.ports.CommandStore on DynamoDB: reads, and conditional writes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from domain.catalog import Product
from domain.commands import (
    Command,
    CommandOutcome,
    applied_outcome,
    record_change,
    rejected_outcome,
)
from domain.customers import CustomerProfile
from domain.errors import DomainError
from domain.ids import new_ulid
from domain.notifications import OrderSnapshot
from domain.orders import Order, OrderChange, Transaction
from storage import keys
from storage.codec import UnstorableItemError
from storage.items import (
    command_outcome_from_item,
    command_outcome_item,
    customer_from_item,
    customer_item,
    effect_event_item,
    event_item,
    ledger_from_items,
    order_details_from_items,
    order_from_item,
    order_item,
    performed_effects,
    product_from_item,
    product_item,
    timeline_event_from_item,
    transaction_item,
)
from storage.keys import Item
from storage.table import (
    ITEM_IS_NEW,
    Condition,
    Query,
    Table,
    TransactionCanceledError,
    ref,
)
from workers.ports import (
    CommandAlreadyRecordedError,
    ConcurrentChangeError,
    PendingEffects,
    PerformedEffect,
    Placement,
    UnstorableWriteError,
)

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb.type_defs import TransactWriteItemTypeDef


class DynamoCommandStore:
    def __init__(self, table: Table) -> None:
        self._table = table

    async def command_outcome(self, command_id: str) -> CommandOutcome | None:
        return await self._table.get(
            keys.command_key(command_id), command_outcome_from_item, consistent=True
        )

    async def order_with_ledger(
        self, order_id: str
    ) -> tuple[Order | None, tuple[Transaction, ...]]:
        """The order and its ledger in one Query: the sort keys from ORDER on (ORDER, TXN#...)."""
        items = await self._table.query(
            Query(
                f"{ref(keys.PK)} = :pk AND {ref(keys.SK)} >= :order",
                {":pk": keys.order_partition(order_id), ":order": keys.ORDER_SK},
                consistent=True,
            )
        )
        return ledger_from_items(items)

    async def customer(self, sub: str) -> CustomerProfile | None:
        return await self._table.get(keys.customer_key(sub), customer_from_item, consistent=True)

    async def placement(self, order_id: str, sub: str, skus: Iterable[str]) -> Placement:
        """The order (if a replay made it already), the customer and the products: one read."""
        order_key, profile_key = keys.order_key(order_id), keys.customer_key(sub)
        items = await self._table.batch_get(
            [order_key, profile_key, *(keys.product_key(sku) for sku in sorted(set(skus)))],
            consistent=True,
        )
        existing: Order | None = None
        customer: CustomerProfile | None = None
        catalogue: dict[str, Product] = {}
        for item in items:
            key = {keys.PK: item[keys.PK], keys.SK: item[keys.SK]}
            if key == order_key:
                existing = order_from_item(item)
            elif key == profile_key:
                customer = customer_from_item(item)
            else:
                product = product_from_item(item)
                catalogue[product.sku] = product
        return Placement(existing, customer, catalogue)

    async def products(self, skus: Iterable[str]) -> dict[str, Product]:
        items = await self._table.batch_get(
            [keys.product_key(sku) for sku in sorted(set(skus))], consistent=True
        )
        return {product.sku: product for product in map(product_from_item, items)}

    async def apply_order_change(
        self,
        command: Command,
        change: OrderChange,
        ledger: tuple[Transaction, ...],
        now: datetime,
    ) -> tuple[CommandOutcome, OrderSnapshot]:
        """Persist an order change with its ledger entry, its event and the command's outcome,
        in one transaction. The outcome names the effects the change calls for; the snapshot
        (the order and its ledger as they now stand) is what they describe."""
        order = change.order
        if change.previous is None:
            order_condition = ITEM_IS_NEW
        else:
            order_condition = Condition(
                f"{ref(keys.VERSION)} = :version AND {ref(keys.STATUS)} = :status",
                {":version": change.previous.version, ":status": change.previous.status.value},
            )
        event_id = new_ulid()
        recorded = record_change(command, change, ledger, event_id, now)
        writes = [self._put(order_item(order), order_condition)]
        if recorded.booked is not None:
            writes.append(
                self._put(transaction_item(order.id, recorded.booked, command.command_id))
            )
        writes.append(
            self._put(event_item(order.id, event_id, change.event, command.command_id, now))
        )
        await self._transact([*writes, self._put_outcome(recorded.outcome)], command.command_id)
        return recorded.outcome, recorded.snapshot

    async def save_profile(
        self, command: Command, profile: CustomerProfile, now: datetime
    ) -> CommandOutcome:
        return await self.apply_with_outcome(command, customer_item(profile), None, now)

    async def save_product(
        self, command: Command, product: Product, now: datetime
    ) -> CommandOutcome:
        return await self.apply_with_outcome(command, product_item(product), None, now)

    async def apply_with_outcome(
        self, command: Command, item: Item, order_id: str | None, now: datetime
    ) -> CommandOutcome:
        """Put one item (a profile, a product) together with the command's outcome."""
        outcome = applied_outcome(command, order_id, now)
        await self._transact([self._put(item), self._put_outcome(outcome)], command.command_id)
        return outcome

    async def record_outcome_only(
        self, command: Command, order_id: str | None, now: datetime
    ) -> CommandOutcome:
        """Mark a command applied that needs no change (a replay of an applied request)."""
        outcome = applied_outcome(command, order_id, now)
        await self._transact([self._put_outcome(outcome)], command.command_id)
        return outcome

    async def record_rejection(
        self,
        command_id: str,
        actor_sub: str,
        order_id: str | None,
        refusal: DomainError,
        now: datetime,
    ) -> CommandOutcome:
        outcome = rejected_outcome(command_id, actor_sub, order_id, refusal, now)
        await self._transact([self._put_outcome(outcome)], command_id)
        return outcome

    async def pending_effects(self, outcome: CommandOutcome) -> PendingEffects | None:
        """For a retry: the order as the outcome's change left it, and which of its effects
        were performed. One Query on the order's partition. None when the order has moved on
        (a later change was applied: only after this command's message was given up)."""
        if outcome.order_id is None or outcome.event_id is None:
            return None
        # From the change's event on: it and its effects' events, then ORDER and the ledger.
        items = await self._table.query(
            Query(
                f"{ref(keys.PK)} = :pk AND {ref(keys.SK)} >= :event",
                {
                    ":pk": keys.order_partition(outcome.order_id),
                    ":event": keys.event_sort_key(outcome.event_id),
                },
                consistent=True,
            )
        )
        details = order_details_from_items(items)
        event_key = keys.event_sort_key(outcome.event_id)
        event = next(
            (timeline_event_from_item(item) for item in items if item[keys.SK] == event_key),
            None,
        )
        if details is None or event is None or details.order.version != outcome.version:
            return None
        snapshot = OrderSnapshot(details.order, details.transactions, event, outcome.previous_total)
        return PendingEffects(snapshot, performed_effects(items, outcome.event_id))

    async def record_effects(
        self, outcome: CommandOutcome, performed: Sequence[PerformedEffect], now: datetime
    ) -> list[PerformedEffect]:
        """Record performed effects as their timeline events: one BatchWriteItem. Its puts
        carry no condition (a batch cannot): a second record of an effect (a retry after a
        lost answer) rewrites the same item, at a key fixed by the change and the effect."""
        assert outcome.order_id is not None
        assert outcome.event_id is not None
        records = [
            effect_event_item(
                outcome.order_id,
                outcome.event_id,
                done.effect,
                done.event,
                outcome.command_id,
                now,
                done.receipt,
            )
            for done in performed
        ]
        left = {(item[keys.PK], item[keys.SK]) for item in await self._table.batch_put(records)}
        return [
            done
            for done, record in zip(performed, records, strict=True)
            if (record[keys.PK], record[keys.SK]) in left
        ]

    async def _transact(self, writes: Sequence[TransactWriteItemTypeDef], command_id: str) -> None:
        try:
            await self._table.transact(writes)
        except TransactionCanceledError as error:
            # A condition failed: either this command was recorded already (a redelivery),
            # or the order moved on since it was read.
            recorded = await self.command_outcome(command_id)
            if recorded is not None:
                raise CommandAlreadyRecordedError(recorded) from error
            raise ConcurrentChangeError(command_id) from error

    def _put(self, item: Item, condition: Condition | None = None) -> TransactWriteItemTypeDef:
        try:
            return self._table.put_entry(item, condition)
        except UnstorableItemError as error:
            raise UnstorableWriteError(str(error)) from error

    def _put_outcome(self, outcome: CommandOutcome) -> TransactWriteItemTypeDef:
        return self._put(command_outcome_item(outcome), ITEM_IS_NEW)
