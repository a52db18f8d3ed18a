"""The worker's data access: the reads it decides on, and the conditional writes that apply."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import ClientError

from domain import storage
from domain.catalog import Product
from domain.commands import Command, CommandOutcome, CommandState
from domain.customers import CustomerProfile
from domain.errors import DomainError
from domain.ids import new_ulid
from domain.notifications import EFFECT_LEASE, Effect, OrderSnapshot, effects_of
from domain.orders import IssuedReceipt, Order, OrderChange, TimelineEvent, Transaction
from domain.serialization import format_timestamp

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb import DynamoDBClient
    from types_aiobotocore_dynamodb.type_defs import TransactWriteItemTypeDef

_BATCH_GET_LIMIT = 100


class CommandAlreadyRecordedError(Exception):
    """The command's outcome is already stored: this delivery is a repeat and changes nothing."""


class ConcurrentChangeError(Exception):
    """The order changed between the read and the conditional write; decide again."""


class UnstorableWriteError(Exception):
    """A write DynamoDB would refuse however often it is sent (see storage.check_storable).

    Checked before sending, not read from DynamoDB's ValidationException: that answer also
    means a fault of ours (a malformed expression), which must be retried and alarm, not
    reject every command.
    """


class EffectInProgressError(Exception):
    """Another worker is performing this effect right now; retry the message later."""


class DynamoCommandStore:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    async def command_outcome(self, command_id: str) -> CommandOutcome | None:
        item = await self._get(storage.command_key(command_id))
        return None if item is None else storage.command_outcome_from_item(item)

    async def order_with_ledger(
        self, order_id: str
    ) -> tuple[Order | None, tuple[Transaction, ...]]:
        """The order and its ledger in one Query: the sort keys from ORDER on (ORDER, TXN#...)."""
        items = await self._query(
            "PK = :pk AND SK >= :order",
            {
                ":pk": {"S": storage.order_partition(order_id)},
                ":order": {"S": storage.ORDER_SK},
            },
        )
        return storage.ledger_from_items(items)

    async def customer(self, sub: str) -> CustomerProfile | None:
        item = await self._get(storage.customer_key(sub))
        return None if item is None else storage.customer_from_item(item)

    async def products(self, skus: Iterable[str]) -> dict[str, Product]:
        wanted = sorted(set(skus))
        found: dict[str, Product] = {}
        for start in range(0, len(wanted), _BATCH_GET_LIMIT):
            keys: list[dict[str, Any]] = [
                storage.marshal_item(storage.product_key(sku))
                for sku in wanted[start : start + _BATCH_GET_LIMIT]
            ]
            request: dict[str, Any] = {self._table: {"Keys": keys, "ConsistentRead": True}}
            while request:
                response = await self._client.batch_get_item(RequestItems=request)
                for item in response["Responses"].get(self._table, []):
                    product = storage.product_from_item(storage.unmarshal_item(item))
                    found[product.sku] = product
                request = dict(response.get("UnprocessedKeys") or {})
        return found

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
            order_condition: dict[str, Any] = {"ConditionExpression": "attribute_not_exists(PK)"}
        else:
            order_condition = {
                "ConditionExpression": "#version = :version AND #status = :status",
                "ExpressionAttributeNames": {"#version": "version", "#status": "status"},
                "ExpressionAttributeValues": {
                    ":version": {"N": str(change.previous.version)},
                    ":status": {"S": change.previous.status.value},
                },
            }
        writes = [self._put(storage.order_item(order), order_condition)]
        if change.ledger_entry is not None:
            entry = change.ledger_entry
            booked = Transaction(
                new_ulid(), entry.kind, entry.amount, order.currency, entry.note, now
            )
            ledger = (*ledger, booked)
            writes.append(self._put(storage.transaction_item(order.id, booked, command.command_id)))
        writes.append(
            self._put(
                storage.event_item(order.id, new_ulid(), change.event, command.command_id, now)
            )
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
        self, command: Command, item: storage.Item, order_id: str | None, now: datetime
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
        items = await self._query(
            "PK = :pk AND begins_with(SK, :prefix)",
            {
                ":pk": {"S": storage.order_partition(order_id)},
                ":prefix": {"S": f"{storage.EFFECT_PREFIX}{command_id}#"},
            },
        )
        return storage.performed_effects(items)

    async def claim_effect(
        self, order_id: str, command_id: str, effect: Effect, now: datetime
    ) -> str | None:
        """Take an effect on: the claim's token, or None when the effect is done already.

        Raises EffectInProgressError while another worker's claim on it is alive: the message is
        retried later, by when that worker has recorded it (or its claim has lapsed).
        """
        token = uuid.uuid4().hex
        claim = storage.effect_claim_item(order_id, command_id, effect, now + EFFECT_LEASE, token)
        try:
            await self._client.put_item(
                TableName=self._table,
                Item=storage.marshal_item(claim),
                ConditionExpression=(
                    "attribute_not_exists(PK) OR (#state = :claimed AND lease_until < :now)"
                ),
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues={
                    ":claimed": {"S": storage.EFFECT_CLAIMED},
                    ":now": {"S": format_timestamp(now)},
                },
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
            current = await self._get(storage.effect_key(order_id, command_id, effect))
            if current is not None and current.get("state") == storage.EFFECT_DONE:
                return None
            raise EffectInProgressError(f"{command_id} {effect}") from error
        return token

    async def release_effect(
        self, order_id: str, command_id: str, effect: Effect, token: str
    ) -> None:
        """Give up our claim after a failed attempt, so the retry need not wait for the lease."""
        try:
            await self._client.delete_item(
                TableName=self._table,
                Key=storage.marshal_item(storage.effect_key(order_id, command_id, effect)),
                ConditionExpression="#state = :claimed AND claim_token = :token",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues={
                    ":claimed": {"S": storage.EFFECT_CLAIMED},
                    ":token": {"S": token},
                },
            )
        except ClientError as error:
            # Our lease lapsed and another worker holds the effect now: it is theirs to finish.
            if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise

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
        record = storage.effect_item(order_id, command_id, effect, result, now, receipt)
        ours = {
            "ConditionExpression": "#state = :claimed AND claim_token = :token",
            "ExpressionAttributeNames": {"#state": "state"},
            "ExpressionAttributeValues": {
                ":claimed": {"S": storage.EFFECT_CLAIMED},
                ":token": {"S": token},
            },
        }
        try:
            await self._client.transact_write_items(
                TransactItems=[
                    self._put(record, ours),
                    self._put(storage.event_item(order_id, new_ulid(), event, command_id, now)),
                ]
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise
            current = await self._get(storage.effect_key(order_id, command_id, effect))
            if current is None or current.get("claim_token") == token:
                raise  # still our claim: the transaction failed for another reason
            return False
        return True

    async def _transact(self, writes: Sequence[TransactWriteItemTypeDef], command_id: str) -> None:
        try:
            await self._client.transact_write_items(TransactItems=list(writes))
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code")
            if code != "TransactionCanceledException":
                raise
            # A condition failed: either this command was recorded already (a redelivery),
            # or the order moved on since it was read.
            if await self.command_outcome(command_id) is not None:
                raise CommandAlreadyRecordedError(command_id) from error
            raise ConcurrentChangeError(command_id) from error

    def _put(
        self, item: storage.Item, condition: dict[str, Any] | None = None
    ) -> TransactWriteItemTypeDef:
        try:
            storage.check_storable(item)
        except storage.UnstorableItemError as error:
            raise UnstorableWriteError(str(error)) from error
        put: dict[str, Any] = {"TableName": self._table, "Item": storage.marshal_item(item)}
        return cast("TransactWriteItemTypeDef", {"Put": put | (condition or {})})

    def _put_outcome(self, outcome: CommandOutcome) -> TransactWriteItemTypeDef:
        return self._put(
            storage.command_outcome_item(outcome),
            {"ConditionExpression": "attribute_not_exists(PK)"},
        )

    async def _get(self, key: storage.Item) -> storage.Item | None:
        response = await self._client.get_item(
            TableName=self._table, Key=storage.marshal_item(key), ConsistentRead=True
        )
        item = response.get("Item")
        return None if item is None else storage.unmarshal_item(item)

    async def _query(self, condition: str, values: dict[str, Any]) -> list[storage.Item]:
        items: list[storage.Item] = []
        params: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": values,
            "ConsistentRead": True,
        }
        while True:
            response = await self._client.query(**params)
            items.extend(storage.unmarshal_item(item) for item in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return items
            params["ExclusiveStartKey"] = response["LastEvaluatedKey"]


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
