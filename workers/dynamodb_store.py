"""The worker's data access: the reads it decides on, and the conditional writes that apply."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from domain.catalog import Product
from domain.commands import Command, CommandOutcome, CommandState
from domain.customers import CustomerProfile
from domain.errors import DomainError
from domain.ids import new_ulid
from domain.notifications import EFFECT_LEASE, Effect, OrderSnapshot, effects_of
from domain.orders import IssuedReceipt, Order, OrderChange, TimelineEvent, Transaction
from domain.serialization import format_timestamp
from storage import keys
from storage.codec import UnstorableItemError
from storage.items import (
    EFFECT_CLAIMED,
    command_outcome_from_item,
    command_outcome_item,
    customer_from_item,
    effect_claim_item,
    effect_done,
    effect_item,
    event_item,
    ledger_from_items,
    order_item,
    performed_effects,
    product_from_item,
    transaction_item,
)
from storage.keys import Item
from storage.table import (
    ITEM_IS_NEW,
    Condition,
    ConditionFailedError,
    Query,
    Table,
    TransactionCanceledError,
    ref,
)

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb.type_defs import TransactWriteItemTypeDef


class CommandAlreadyRecordedError(Exception):
    """The command's outcome is already stored: this delivery is a repeat and changes nothing."""


class ConcurrentChangeError(Exception):
    """The order changed between the read and the conditional write; decide again."""


class UnstorableWriteError(Exception):
    """A write DynamoDB would refuse however often it is sent (see storage.codec.check_storable).

    Checked before sending, not read from DynamoDB's ValidationException: that answer also
    means a fault of ours (a malformed expression), which must be retried and alarm, not
    reject every command.
    """


class EffectInProgressError(Exception):
    """Another worker is performing this effect right now; retry the message later."""


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
    ) -> CommandOutcome:
        """Persist an order change with its ledger entry, its event and the command's outcome.

        The outcome carries the effects the change calls for and the order as it now stands, so
        the receipt and emails can be produced (and retried) from exactly this version.
        """
        order = change.order
        if change.previous is None:
            order_condition = ITEM_IS_NEW
        else:
            order_condition = Condition(
                f"{ref(keys.VERSION)} = :version AND {ref(keys.STATUS)} = :status",
                {":version": change.previous.version, ":status": change.previous.status.value},
            )
        writes = [self._put(order_item(order), order_condition)]
        if change.ledger_entry is not None:
            entry = change.ledger_entry
            booked = Transaction(
                new_ulid(), entry.kind, entry.amount, order.currency, entry.note, now
            )
            ledger = (*ledger, booked)
            writes.append(self._put(transaction_item(order.id, booked, command.command_id)))
        writes.append(
            self._put(event_item(order.id, new_ulid(), change.event, command.command_id, now))
        )
        snapshot = OrderSnapshot(
            order=order,
            transactions=ledger,
            event=change.event,
            previous_total=None if change.previous is None else change.previous.total,
        )
        outcome = replace(
            _applied(command, order.id, now),
            effects=effects_of(change),
            snapshot=snapshot,
        )
        await self._transact([*writes, self._put_outcome(outcome)], command.command_id)
        return outcome

    async def apply_with_outcome(
        self, command: Command, item: Item, order_id: str | None, now: datetime
    ) -> CommandOutcome:
        """Put one item (a profile, a product) together with the command's outcome."""
        outcome = _applied(command, order_id, now)
        await self._transact([self._put(item), self._put_outcome(outcome)], command.command_id)
        return outcome

    async def record_outcome_only(
        self, command: Command, order_id: str | None, now: datetime
    ) -> CommandOutcome:
        """Mark a command applied that needs no change (a replay of an applied request)."""
        outcome = _applied(command, order_id, now)
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
        outcome = _outcome(command_id, actor_sub, CommandState.REJECTED, order_id, now, refusal)
        await self._transact([self._put_outcome(outcome)], command_id)
        return outcome

    async def performed_effects(self, order_id: str, command_id: str) -> frozenset[Effect]:
        items = await self._table.query(
            Query(
                f"{ref(keys.PK)} = :pk AND begins_with({ref(keys.SK)}, :prefix)",
                {":pk": keys.order_partition(order_id), ":prefix": keys.effects_prefix(command_id)},
                consistent=True,
            )
        )
        return performed_effects(items)

    async def claim_effect(
        self, order_id: str, command_id: str, effect: Effect, now: datetime
    ) -> str | None:
        """Take an effect on: the claim's token, or None when the effect is done already.

        Raises EffectInProgressError while another worker's claim on it is alive: the message is
        retried later, by when that worker has recorded it (or its claim has lapsed).
        """
        token = uuid.uuid4().hex
        claim = effect_claim_item(order_id, command_id, effect, now + EFFECT_LEASE, token)
        new_or_lapsed = Condition(
            f"attribute_not_exists({ref(keys.PK)})"
            f" OR ({ref(keys.STATE)} = :claimed AND {ref(keys.LEASE_UNTIL)} < :now)",
            {":claimed": EFFECT_CLAIMED, ":now": format_timestamp(now)},
        )
        try:
            await self._table.put(claim, new_or_lapsed)
        except ConditionFailedError as error:
            current = await self._effect_record(order_id, command_id, effect)
            if current is not None and effect_done(current):
                return None
            raise EffectInProgressError(f"{command_id} {effect}") from error
        return token

    async def release_effect(
        self, order_id: str, command_id: str, effect: Effect, token: str
    ) -> None:
        """Give up our claim after a failed attempt, so the retry need not wait for the lease."""
        # A failed condition: our lease lapsed and another worker holds the effect now, theirs
        # to finish.
        with contextlib.suppress(ConditionFailedError):
            await self._table.delete(
                keys.effect_key(order_id, command_id, effect), _claim_is_ours(token)
            )

    async def record_effect(
        self,
        order_id: str,
        command_id: str,
        effect: Effect,
        token: str,
        result: str,
        event: TimelineEvent,
        now: datetime,
        receipt: IssuedReceipt | None = None,
    ) -> bool:
        """Record our claimed effect done, with its timeline event.

        False when the claim is no longer ours (our lease lapsed and another worker took the
        effect over); any other failure (throttling, a conflicting transaction) raises, to be
        retried: the effect is not recorded until this succeeds.
        """
        record = effect_item(order_id, command_id, effect, result, now, receipt)
        try:
            await self._table.transact(
                [
                    self._put(record, _claim_is_ours(token)),
                    self._put(event_item(order_id, new_ulid(), event, command_id, now)),
                ]
            )
        except TransactionCanceledError:
            current = await self._effect_record(order_id, command_id, effect)
            if current is None or current.get(keys.CLAIM_TOKEN) == token:
                raise  # still our claim: the transaction failed for another reason
            return False
        return True

    async def _effect_record(self, order_id: str, command_id: str, effect: Effect) -> Item | None:
        return await self._table.get(keys.effect_key(order_id, command_id, effect), consistent=True)

    async def _transact(self, writes: Sequence[TransactWriteItemTypeDef], command_id: str) -> None:
        try:
            await self._table.transact(writes)
        except TransactionCanceledError as error:
            # A condition failed: either this command was recorded already (a redelivery),
            # or the order moved on since it was read.
            if await self.command_outcome(command_id) is not None:
                raise CommandAlreadyRecordedError(command_id) from error
            raise ConcurrentChangeError(command_id) from error

    def _put(self, item: Item, condition: Condition | None = None) -> TransactWriteItemTypeDef:
        try:
            return self._table.put_entry(item, condition)
        except UnstorableItemError as error:
            raise UnstorableWriteError(str(error)) from error

    def _put_outcome(self, outcome: CommandOutcome) -> TransactWriteItemTypeDef:
        return self._put(command_outcome_item(outcome), ITEM_IS_NEW)


def _claim_is_ours(token: str) -> Condition:
    """Only the worker holding an effect's claim may release or complete it."""
    return Condition(
        f"{ref(keys.STATE)} = :claimed AND {ref(keys.CLAIM_TOKEN)} = :token",
        {":claimed": EFFECT_CLAIMED, ":token": token},
    )


def _applied(command: Command, order_id: str | None, now: datetime) -> CommandOutcome:
    return _outcome(command.command_id, command.actor.sub, CommandState.APPLIED, order_id, now)


def _outcome(
    command_id: str,
    actor_sub: str,
    state: CommandState,
    order_id: str | None,
    now: datetime,
    refusal: DomainError | None = None,
) -> CommandOutcome:
    return CommandOutcome(
        command_id=command_id,
        actor_sub=actor_sub,
        state=state,
        order_id=order_id,
        error_code=None if refusal is None else refusal.code,
        error_message=None if refusal is None else refusal.message,
        recorded_at=now,
    )
