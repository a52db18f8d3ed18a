"""The worker's data access: reads it decides on, and the conditional writes that apply commands."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import ClientError

from domain import storage
from domain.catalog import Product
from domain.commands import Command, CommandOutcome, CommandState
from domain.customers import CustomerProfile
from domain.errors import DomainError
from domain.ids import new_ulid
from domain.orders import Order, OrderChange

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb import DynamoDBClient
    from types_aiobotocore_dynamodb.type_defs import TransactWriteItemTypeDef

_BATCH_GET_LIMIT = 100


class CommandAlreadyRecordedError(Exception):
    """The command's outcome is already stored: this delivery is a repeat and changes nothing."""


class ConcurrentChangeError(Exception):
    """The order changed between the read and the conditional write; decide again."""


class DynamoCommandStore:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    async def command_outcome(self, command_id: str) -> CommandOutcome | None:
        item = await self._get(storage.command_key(command_id))
        return None if item is None else storage.command_outcome_from_item(item)

    async def order(self, order_id: str) -> Order | None:
        item = await self._get(storage.order_key(order_id))
        return None if item is None else storage.order_from_item(item)

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
        self, command: Command, change: OrderChange, now: datetime
    ) -> CommandOutcome:
        """Persist an order change, its ledger entry, its event and the command's outcome."""
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
        writes: list[TransactWriteItemTypeDef] = [
            self._put(storage.order_item(order), order_condition)
        ]
        if change.ledger_entry is not None:
            writes.append(
                self._put(
                    storage.transaction_item(
                        order, new_ulid(), change.ledger_entry, command.command_id, now
                    )
                )
            )
        writes.append(
            self._put(
                storage.event_item(order.id, new_ulid(), change.event, command.command_id, now)
            )
        )
        outcome = _outcome(command, CommandState.APPLIED, order.id, None, now)
        await self._transact([*writes, self._put_outcome(outcome)], command)
        return outcome

    async def apply_with_outcome(
        self, command: Command, item: storage.Item, order_id: str | None, now: datetime
    ) -> CommandOutcome:
        """Put one item (a profile, a product) together with the command's outcome."""
        outcome = _outcome(command, CommandState.APPLIED, order_id, None, now)
        await self._transact([self._put(item), self._put_outcome(outcome)], command)
        return outcome

    async def record_outcome_only(
        self, command: Command, order_id: str | None, now: datetime
    ) -> CommandOutcome:
        """Mark a command applied that needs no change (a replay of an applied request)."""
        outcome = _outcome(command, CommandState.APPLIED, order_id, None, now)
        await self._transact([self._put_outcome(outcome)], command)
        return outcome

    async def record_rejection(
        self, command: Command, order_id: str | None, refusal: DomainError, now: datetime
    ) -> CommandOutcome:
        outcome = _outcome(command, CommandState.REJECTED, order_id, refusal, now)
        await self._transact([self._put_outcome(outcome)], command)
        return outcome

    async def _transact(self, writes: Sequence[TransactWriteItemTypeDef], command: Command) -> None:
        try:
            await self._client.transact_write_items(TransactItems=list(writes))
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code")
            if code != "TransactionCanceledException":
                raise
            # A condition failed: either this command was recorded already (a redelivery),
            # or the order moved on since it was read.
            if await self.command_outcome(command.command_id) is not None:
                raise CommandAlreadyRecordedError(command.command_id) from error
            raise ConcurrentChangeError(command.command_id) from error

    def _put(
        self, item: storage.Item, condition: dict[str, Any] | None = None
    ) -> TransactWriteItemTypeDef:
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


def _outcome(
    command: Command,
    state: CommandState,
    order_id: str | None,
    refusal: DomainError | None,
    now: datetime,
) -> CommandOutcome:
    return CommandOutcome(
        command_id=command.command_id,
        actor_sub=command.actor.sub,
        state=state,
        order_id=order_id,
        error_code=None if refusal is None else refusal.code,
        error_message=None if refusal is None else refusal.message,
        recorded_at=now,
    )
