"""Commands: what a mutation asks the write side to do, as versioned queue messages.

A command is built from validated input (its constructor enforces the same rules on the API and
in the worker), serialized to JSON for SQS and decoded by the worker. Names are imperative.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from domain import validation
from domain.customers import Address
from domain.errors import (
    DomainError,
    ErrorCode,
    InvalidCommandError,
    InvalidInputError,
    MalformedCommandError,
)
from domain.ids import is_order_id, is_owned_command_id, new_ulid, request_fingerprint
from domain.notifications import Effect, OrderSnapshot, effects_of
from domain.orders import Actor, DeliveryPriority, LineRequest, OrderChange, Transaction
from domain.serialization import from_plain, to_plain

MESSAGE_SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class Command:
    command_id: str
    actor: Actor
    issued_at: datetime

    def message_group(self) -> str:
        """The FIFO group: commands of one group apply in the order they were sent."""
        raise NotImplementedError


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderCommand(Command):
    """A command about one order; all of an order's commands share its message group."""

    order_id: str

    def message_group(self) -> str:
        return f"order-{self.order_id}"


def _set(command: object, name: str, value: object) -> None:
    object.__setattr__(command, name, value)


def validate_lines(items: Sequence[LineRequest]) -> None:
    """The rules every requested order's lines follow, whether placed, changed or quoted."""
    validation.order_lines("items", items)
    for index, line in enumerate(items):
        validation.sku(f"items.{index}.sku", line.sku)
        validation.quantity(f"items.{index}.quantity", line.quantity)


@dataclass(frozen=True, slots=True, kw_only=True)
class RegisterCustomer(Command):
    name: str
    email: str
    phone: str | None = None
    default_address: Address | None = None

    def __post_init__(self) -> None:
        _set(
            self, "name", validation.text("name", self.name, max_length=validation.MAX_NAME_LENGTH)
        )
        _set(self, "email", validation.email("email", self.email))
        _set(self, "phone", validation.phone("phone", self.phone))

    def message_group(self) -> str:
        return f"customer-{self.actor.sub}"


@dataclass(frozen=True, slots=True, kw_only=True)
class PlaceOrder(OrderCommand):
    items: tuple[LineRequest, ...]
    priority: DeliveryPriority = DeliveryPriority.STANDARD
    delivery_address: Address | None = None
    notes: str | None = None
    idempotency_key: str | None = None
    # A digest of what was asked, so a replayed key with a different request is told apart.
    fingerprint: str = field(default="")
    # Where the order's mail goes: the address the issuer's identity proved (None only in
    # messages queued before it was carried).
    customer_email: str | None = None

    def __post_init__(self) -> None:
        validate_lines(self.items)
        if self.customer_email is not None:
            _set(self, "customer_email", validation.email("email", self.customer_email))
        _set(
            self,
            "notes",
            validation.optional_text(
                "notes", self.notes, max_length=validation.MAX_NOTES_LENGTH, multiline=True
            ),
        )
        _set(
            self,
            "idempotency_key",
            validation.idempotency_key("idempotencyKey", self.idempotency_key),
        )
        if not self.fingerprint:
            _set(self, "fingerprint", place_order_fingerprint(self))


def place_order_fingerprint(command: PlaceOrder) -> str:
    request = {
        "customer": command.actor.sub,
        "items": to_plain(command.items),
        "priority": command.priority.value,
        "deliveryAddress": to_plain(command.delivery_address),
        "notes": command.notes,
    }
    return request_fingerprint(json.dumps(request, sort_keys=True))


@dataclass(frozen=True, slots=True, kw_only=True)
class ModifyOrder(OrderCommand):
    expected_version: int | None = None
    items: tuple[LineRequest, ...] | None = None
    delivery_address: Address | None = None
    notes: str | None = None

    def __post_init__(self) -> None:
        validation.version("expectedVersion", self.expected_version)
        if self.items is not None:
            validate_lines(self.items)
        if self.notes is not None:
            # An empty string clears the notes; anything else obeys the same limits as placing.
            notes = self.notes.strip()
            if notes:
                notes = validation.text(
                    "notes", notes, max_length=validation.MAX_NOTES_LENGTH, multiline=True
                )
            _set(self, "notes", notes)
        if self.items is None and self.delivery_address is None and self.notes is None:
            raise InvalidInputError(
                "input", "Give at least one of items, deliveryAddress or notes to change."
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class CancelOrder(OrderCommand):
    expected_version: int | None = None
    reason: str | None = None

    def __post_init__(self) -> None:
        validation.version("expectedVersion", self.expected_version)
        _set(
            self,
            "reason",
            validation.optional_text(
                "reason", self.reason, max_length=validation.MAX_REASON_LENGTH, multiline=True
            ),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class DispatchOrder(OrderCommand):
    expected_version: int | None = None

    def __post_init__(self) -> None:
        validation.version("expectedVersion", self.expected_version)


@dataclass(frozen=True, slots=True, kw_only=True)
class CompleteDelivery(OrderCommand):
    expected_version: int | None = None

    def __post_init__(self) -> None:
        validation.version("expectedVersion", self.expected_version)


@dataclass(frozen=True, slots=True, kw_only=True)
class UpsertProduct(Command):
    sku: str
    name: str
    price: int
    active: bool = True
    # The whole product is replaced: None (or blank) leaves it without a description. Absent
    # from messages queued before products had one, which decode as None.
    description: str | None = None

    def __post_init__(self) -> None:
        validation.sku("sku", self.sku)
        _set(
            self, "name", validation.text("name", self.name, max_length=validation.MAX_NAME_LENGTH)
        )
        validation.price("price", self.price)
        _set(
            self,
            "description",
            validation.optional_text(
                "description",
                self.description,
                max_length=validation.MAX_DESCRIPTION_LENGTH,
                multiline=True,
            ),
        )

    def message_group(self) -> str:
        return f"product-{self.sku}"


# Every command a message can carry, by the type name its envelope gives.
COMMAND_TYPES: dict[str, type[Command]] = {
    cls.__name__: cls
    for cls in (
        RegisterCustomer,
        PlaceOrder,
        ModifyOrder,
        CancelOrder,
        DispatchOrder,
        CompleteDelivery,
        UpsertProduct,
    )
}


def queue_lane(
    command: Command, order_priority: DeliveryPriority | None = None
) -> DeliveryPriority:
    """The queue a command goes to. An order's commands share its priority's queue (and its
    FIFO group), fixed when it was placed; profiles and products, rare and small commands
    orders depend on, take the urgent lane so a backlog of standard orders never holds them."""
    if isinstance(command, PlaceOrder):
        return command.priority
    if isinstance(command, OrderCommand):
        if order_priority is None:
            raise ValueError(f"{type(command).__name__} goes on its order's lane: name it")
        return order_priority
    return DeliveryPriority.URGENT


def encode_command(command: Command) -> str:
    """The SQS message body: `{"schema": 1, "type": "PlaceOrder", "command": {...}}`."""
    return json.dumps(
        {
            "schema": MESSAGE_SCHEMA_VERSION,
            "type": type(command).__name__,
            "command": to_plain(command),
        },
        separators=(",", ":"),
    )


def decode_command(body: str) -> Command:
    """Parse and re-validate a message body; anything else is a MalformedCommandError."""
    try:
        envelope = json.loads(body)
    except json.JSONDecodeError as error:
        raise MalformedCommandError(f"not JSON: {error}") from error
    schema = envelope.get("schema") if isinstance(envelope, dict) else None
    if type(schema) is not int or schema != MESSAGE_SCHEMA_VERSION:
        raise MalformedCommandError("unknown message schema")
    command_type = COMMAND_TYPES.get(str(envelope.get("type")))
    if command_type is None:
        raise MalformedCommandError(f"unknown command type {envelope.get('type')!r}")
    try:
        return from_plain(command_type, envelope.get("command"))
    except InvalidInputError as error:
        raise InvalidCommandError(f"invalid {command_type.__name__}: {error.message}") from error


@dataclass(frozen=True, slots=True)
class CommandReference:
    """Whose a message was and what it was about: enough to record that it was rejected."""

    command_id: str
    actor_sub: str
    order_id: str | None


def command_reference(body: str) -> CommandReference | None:
    """The command a message names, when its id and issuer agree (the id carries the issuer's
    tag); None when the message does not say whose it is."""
    try:
        envelope = json.loads(body)
    except ValueError:
        return None
    command = envelope.get("command") if isinstance(envelope, dict) else None
    if not isinstance(command, dict):
        return None
    command_id, actor, order_id = (command.get(key) for key in ("command_id", "actor", "order_id"))
    sub = actor.get("sub") if isinstance(actor, dict) else None
    if not isinstance(command_id, str) or not isinstance(sub, str) or not _encodable(sub):
        return None
    if not is_owned_command_id(command_id, sub):
        return None
    order_id = order_id if isinstance(order_id, str) and is_order_id(order_id) else None
    return CommandReference(command_id, sub, order_id)


def _encodable(value: str) -> bool:
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


class CommandState(StrEnum):
    PENDING = "PENDING"
    APPLIED = "APPLIED"
    REJECTED = "REJECTED"


@dataclass(frozen=True, slots=True)
class CommandOutcome:
    """What became of a command: recorded once by the worker, in the same write as its effect."""

    command_id: str
    actor_sub: str
    state: CommandState
    order_id: str | None
    error_code: ErrorCode | None
    error_message: str | None
    recorded_at: datetime
    # What the applied change tells the world (receipt, emails), and where to find what it
    # describes: the change's timeline event, the order version it made, the total before it.
    # Small on purpose: a retry reads the order itself, which no later change can have moved
    # while this command's message still holds its FIFO group.
    effects: tuple[Effect, ...] = ()
    event_id: str | None = None
    version: int | None = None
    previous_total: int | None = None


def applied_outcome(command: Command, order_id: str | None, now: datetime) -> CommandOutcome:
    """A command applied: its outcome, before any effects are named."""
    return CommandOutcome(
        command_id=command.command_id,
        actor_sub=command.actor.sub,
        state=CommandState.APPLIED,
        order_id=order_id,
        error_code=None,
        error_message=None,
        recorded_at=now,
    )


def rejected_outcome(
    command_id: str, actor_sub: str, order_id: str | None, refusal: DomainError, now: datetime
) -> CommandOutcome:
    """A command refused, with the code and message its issuer reads."""
    return CommandOutcome(
        command_id=command_id,
        actor_sub=actor_sub,
        state=CommandState.REJECTED,
        order_id=order_id,
        error_code=refusal.code,
        error_message=refusal.message,
        recorded_at=now,
    )


@dataclass(frozen=True, slots=True)
class RecordedChange:
    """What applying an order change records: its ledger entry booked (if any), the outcome
    naming its effects, and the order and ledger those effects describe."""

    booked: Transaction | None
    outcome: CommandOutcome
    snapshot: OrderSnapshot


def record_change(
    command: Command,
    change: OrderChange,
    ledger: tuple[Transaction, ...],
    event_id: str,
    now: datetime,
) -> RecordedChange:
    """The change applied by `command`, its timeline event to be stored as `event_id`."""
    order = change.order
    booked = None
    if change.ledger_entry is not None:
        entry = change.ledger_entry
        booked = Transaction(new_ulid(), entry.kind, entry.amount, order.currency, entry.note, now)
        ledger = (*ledger, booked)
    previous_total = None if change.previous is None else change.previous.total
    outcome = replace(
        applied_outcome(command, order.id, now),
        effects=effects_of(change),
        event_id=event_id,
        version=order.version,
        previous_total=previous_total,
    )
    return RecordedChange(
        booked, outcome, OrderSnapshot(order, ledger, change.event, previous_total)
    )
