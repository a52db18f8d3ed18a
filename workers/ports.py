"""What the worker needs from the world, as interfaces: the table, the receipt store, the mailer,
the metrics.

DynamoCommandStore, S3ReceiptArchive, SesMailer and EmfCommandMetrics implement them on AWS;
tests/fakes.py keeps an in-memory fake of each, so handlers and the batch processor are tested
without an emulator.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from domain.catalog import Product
from domain.commands import Command, CommandOutcome
from domain.customers import CustomerProfile
from domain.errors import DomainError
from domain.notifications import Effect, OrderSnapshot
from domain.orders import (
    DeliveryPriority,
    IssuedReceipt,
    Order,
    OrderChange,
    TimelineEvent,
    Transaction,
)
from workers.emails import Email


class CommandAlreadyRecordedError(Exception):
    """The command's outcome is already stored: this delivery is a repeat and changes nothing.
    It carries the stored outcome, read when the write was refused."""

    def __init__(self, outcome: CommandOutcome) -> None:
        super().__init__(outcome.command_id)
        self.outcome = outcome


class ConcurrentChangeError(Exception):
    """The order changed between the read and the conditional write; decide again."""


class UnstorableWriteError(Exception):
    """A write the table would refuse however often it is sent (too large, unencodable text).

    Checked before sending, not read from DynamoDB's ValidationException: that answer also
    means a fault of ours (a malformed expression), which must be retried and alarm, not
    reject every command.
    """


@dataclass(frozen=True, slots=True)
class Placement:
    """What placing an order decides on, read at once."""

    # Only an idempotency key's replay (or a redelivery of this very placement) finds one.
    existing: Order | None
    customer: CustomerProfile | None
    catalogue: dict[str, Product]


@dataclass(frozen=True, slots=True)
class PerformedEffect:
    """An effect done, as the timeline event that records it (and the receipt it issued)."""

    effect: Effect
    event: TimelineEvent
    receipt: IssuedReceipt | None = None


@dataclass(frozen=True, slots=True)
class PendingEffects:
    """What a retry needs to finish an applied change's effects."""

    snapshot: OrderSnapshot
    performed: frozenset[Effect]


class CommandStore(Protocol):
    """The reads handlers decide on, and the conditional writes that apply a command once.

    Every write records the command's outcome, and refuses with CommandAlreadyRecordedError
    when it exists; an order change refuses with ConcurrentChangeError when the order is no
    longer as read; UnstorableWriteError is raised before anything is sent.
    """

    async def command_outcome(self, command_id: str) -> CommandOutcome | None: ...

    async def placement(self, order_id: str, sub: str, skus: Iterable[str]) -> Placement: ...

    async def order_with_ledger(
        self, order_id: str
    ) -> tuple[Order | None, tuple[Transaction, ...]]: ...

    async def customer(self, sub: str) -> CustomerProfile | None: ...

    async def products(self, skus: Iterable[str]) -> dict[str, Product]: ...

    async def apply_order_change(
        self,
        command: Command,
        change: OrderChange,
        ledger: tuple[Transaction, ...],
        now: datetime,
    ) -> tuple[CommandOutcome, OrderSnapshot]: ...

    async def save_profile(
        self, command: Command, profile: CustomerProfile, now: datetime
    ) -> CommandOutcome: ...

    async def save_product(
        self, command: Command, product: Product, now: datetime
    ) -> CommandOutcome: ...

    async def record_outcome_only(
        self, command: Command, order_id: str | None, now: datetime
    ) -> CommandOutcome: ...

    async def record_rejection(
        self,
        command_id: str,
        actor_sub: str,
        order_id: str | None,
        refusal: DomainError,
        now: datetime,
    ) -> CommandOutcome: ...

    async def pending_effects(self, outcome: CommandOutcome) -> PendingEffects | None: ...

    async def record_effects(
        self, outcome: CommandOutcome, performed: Sequence[PerformedEffect], now: datetime
    ) -> list[PerformedEffect]:
        """Record performed effects, each as its timeline event, in one write; those left
        unrecorded (the table was too busy), to record again after a pause. Recording one again
        rewrites the same event."""
        ...


class ReceiptStore(Protocol):
    async def store(self, key: str, pdf: bytes) -> None:
        """Keep the receipt under `key`, once: a key already written is left as it is."""
        ...


class Mailer(Protocol):
    async def send(self, email: Email) -> str:
        """Send the email; its message id."""
        ...


class CommandMetrics(Protocol):
    """The worker's facts worth a graph or an alarm, counted where they are decided.

    Only what this delivery decided is counted: a repeat that finds its outcome recorded counts
    nothing, so a redelivered message never counts an order twice.
    """

    def order_placed(self, priority: DeliveryPriority) -> None:
        """An order was placed (its placement applied now, not replayed)."""
        ...

    def command_applied(self, command_type: str, latency: timedelta) -> None:
        """A command was applied; `latency` runs from its issue to its outcome's record."""
        ...

    def command_rejected(self, code: str) -> None:
        """A command (or a message that did not decode) was rejected with `code`."""
        ...

    def effect_failed(self, effect: Effect) -> None:
        """Performing an effect (a receipt, an email) failed; the message will be retried."""
        ...


class NoMetrics:
    """Counts nothing: for runs where no one reads the metrics (the local server, most tests)."""

    def order_placed(self, priority: DeliveryPriority) -> None:
        pass

    def command_applied(self, command_type: str, latency: timedelta) -> None:
        pass

    def command_rejected(self, code: str) -> None:
        pass

    def effect_failed(self, effect: Effect) -> None:
        pass
