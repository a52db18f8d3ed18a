"""In-memory fakes of the worker's ports (workers/ports.py), with the same refusals.

FakeCommandStore keeps the conditions the table's writes carry: an outcome is written once,
an order change applies only to the order as it was read. Tests can make the next changes race
(`races`), make a write unstorable (`unstorable`), make effect records fail (`record_failures`)
or come back unprocessed (`busy`), and read what was called (`calls`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from domain.catalog import Product
from domain.commands import (
    Command,
    CommandOutcome,
    applied_outcome,
    encode_command,
    record_change,
    rejected_outcome,
)
from domain.customers import CustomerProfile
from domain.errors import DomainError
from domain.ids import new_ulid
from domain.notifications import Effect, OrderSnapshot
from domain.orders import (
    DeliveryPriority,
    IssuedReceipt,
    Order,
    OrderChange,
    TimelineEvent,
    Transaction,
)
from resolvers.command_publisher import CommandQueueUnavailableError
from tests.factories import CUSTOMER_SUB, a_business, a_catalogue, a_placed_order, a_profile
from workers.command_handlers import CommandHandlers
from workers.emails import Email
from workers.order_effects import OrderEffects
from workers.ports import (
    CommandAlreadyRecordedError,
    CommandMetrics,
    CommandStore,
    ConcurrentChangeError,
    Mailer,
    PendingEffects,
    PerformedEffect,
    Placement,
    ReceiptStore,
    UnstorableWriteError,
)


@dataclass
class FakeCommandStore:
    outcomes: dict[str, CommandOutcome] = field(default_factory=dict)
    orders: dict[str, Order] = field(default_factory=dict)
    ledgers: defaultdict[str, list[Transaction]] = field(default_factory=lambda: defaultdict(list))
    # Each order's timeline: (event id, event), change events and effect events alike.
    timelines: defaultdict[str, list[tuple[str, TimelineEvent]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    performed: defaultdict[str, set[Effect]] = field(default_factory=lambda: defaultdict(set))
    receipts: list[IssuedReceipt] = field(default_factory=list)
    profiles: dict[str, CustomerProfile] = field(default_factory=dict)
    catalogue: dict[str, Product] = field(default_factory=dict)
    calls: Counter[str] = field(default_factory=Counter)
    races: int = 0  # the next this many order changes find the order moved on
    unstorable: bool = False
    record_failures: int = 0  # the next this many effect records fail
    busy: int = 0  # the next this many effect records leave every effect unprocessed

    async def command_outcome(self, command_id: str) -> CommandOutcome | None:
        self.calls["command_outcome"] += 1
        return self.outcomes.get(command_id)

    async def placement(self, order_id: str, sub: str, skus: Iterable[str]) -> Placement:
        self.calls["placement"] += 1
        return Placement(self.orders.get(order_id), self.profiles.get(sub), self._catalogue(skus))

    async def order_with_ledger(
        self, order_id: str
    ) -> tuple[Order | None, tuple[Transaction, ...]]:
        self.calls["order_with_ledger"] += 1
        return self.orders.get(order_id), tuple(self.ledgers[order_id])

    async def customer(self, sub: str) -> CustomerProfile | None:
        self.calls["customer"] += 1
        return self.profiles.get(sub)

    async def products(self, skus: Iterable[str]) -> dict[str, Product]:
        self.calls["products"] += 1
        return self._catalogue(skus)

    async def apply_order_change(
        self,
        command: Command,
        change: OrderChange,
        ledger: tuple[Transaction, ...],
        now: datetime,
    ) -> tuple[CommandOutcome, OrderSnapshot]:
        self.calls["apply_order_change"] += 1
        self._check_writable(command.command_id)
        stored = self.orders.get(change.order.id)
        as_read = (
            stored is None
            if change.previous is None
            else stored is not None
            and (stored.version, stored.status) == (change.previous.version, change.previous.status)
        )
        if self.races or not as_read:
            self.races = max(self.races - 1, 0)
            raise ConcurrentChangeError(command.command_id)
        order, event_id = change.order, new_ulid()
        recorded = record_change(command, change, ledger, event_id, now)
        self.orders[order.id] = order
        self.ledgers[order.id] = list(recorded.snapshot.transactions)
        self.timelines[order.id].append((event_id, change.event))
        self.outcomes[command.command_id] = recorded.outcome
        return recorded.outcome, recorded.snapshot

    async def save_profile(
        self, command: Command, profile: CustomerProfile, now: datetime
    ) -> CommandOutcome:
        self.calls["save_profile"] += 1
        outcome = self._record(command, None, now)
        self.profiles[profile.id] = profile
        return outcome

    async def save_product(
        self, command: Command, product: Product, now: datetime
    ) -> CommandOutcome:
        self.calls["save_product"] += 1
        outcome = self._record(command, None, now)
        self.catalogue[product.sku] = product
        return outcome

    async def record_outcome_only(
        self, command: Command, order_id: str | None, now: datetime
    ) -> CommandOutcome:
        self.calls["record_outcome_only"] += 1
        return self._record(command, order_id, now)

    async def record_rejection(
        self,
        command_id: str,
        actor_sub: str,
        order_id: str | None,
        refusal: DomainError,
        now: datetime,
    ) -> CommandOutcome:
        self.calls["record_rejection"] += 1
        if command_id in self.outcomes:
            raise CommandAlreadyRecordedError(self.outcomes[command_id])
        outcome = rejected_outcome(command_id, actor_sub, order_id, refusal, now)
        self.outcomes[command_id] = outcome
        return outcome

    async def pending_effects(self, outcome: CommandOutcome) -> PendingEffects | None:
        self.calls["pending_effects"] += 1
        order = self.orders.get(outcome.order_id or "")
        events = dict(self.timelines[outcome.order_id or ""])
        event = events.get(outcome.event_id or "")
        if order is None or event is None or order.version != outcome.version:
            return None
        snapshot = OrderSnapshot(
            order, tuple(self.ledgers[order.id]), event, outcome.previous_total
        )
        return PendingEffects(snapshot, frozenset(self.performed[outcome.event_id or ""]))

    async def record_effects(
        self, outcome: CommandOutcome, performed: Sequence[PerformedEffect], now: datetime
    ) -> list[PerformedEffect]:
        self.calls["record_effects"] += 1
        assert outcome.order_id is not None
        assert outcome.event_id is not None
        if self.record_failures:
            self.record_failures -= 1
            raise ConnectionError("the table is unreachable")
        if self.busy:
            self.busy -= 1
            return list(performed)  # BatchWriteItem's unprocessed items: none written
        for done in performed:
            key = f"{outcome.event_id}#{done.effect}"
            timeline = self.timelines[outcome.order_id]
            timeline[:] = [entry for entry in timeline if entry[0] != key]  # rewritten
            timeline.append((key, done.event))
            if done.receipt is not None and done.effect not in self.performed[outcome.event_id]:
                self.receipts.append(done.receipt)
            self.performed[outcome.event_id].add(done.effect)
        return []

    def _catalogue(self, skus: Iterable[str]) -> dict[str, Product]:
        return {sku: self.catalogue[sku] for sku in set(skus) if sku in self.catalogue}

    def _check_writable(self, command_id: str) -> None:
        if self.unstorable:
            raise UnstorableWriteError("text DynamoDB cannot store")
        if command_id in self.outcomes:
            raise CommandAlreadyRecordedError(self.outcomes[command_id])

    def _record(self, command: Command, order_id: str | None, now: datetime) -> CommandOutcome:
        self._check_writable(command.command_id)
        outcome = applied_outcome(command, order_id, now)
        self.outcomes[command.command_id] = outcome
        return outcome


@dataclass
class FakeReceiptStore:
    stored: dict[str, bytes] = field(default_factory=dict)
    writes: list[str] = field(default_factory=list)  # every store that reached it, by key
    failures: int = 0  # the next this many stores fail

    async def store(self, key: str, pdf: bytes) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("the receipt store is unreachable")
        self.writes.append(key)
        self.stored.setdefault(key, pdf)


@dataclass
class FakeMailer:
    sent: list[Email] = field(default_factory=list)
    failures: int = 0  # the next this many sends fail

    async def send(self, email: Email) -> str:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("the mail service is unreachable")
        self.sent.append(email)
        return f"message-{len(self.sent)}"


@dataclass
class FakePublisher:
    """Queues as SQS FIFO would: per priority, deduplicated by command id."""

    queued: defaultdict[DeliveryPriority, list[str]] = field(
        default_factory=lambda: defaultdict(list)
    )
    unavailable: bool = False
    _seen: set[str] = field(default_factory=set)

    async def publish(self, command: Command, priority: DeliveryPriority) -> None:
        if self.unavailable:
            raise CommandQueueUnavailableError(command.command_id)
        if command.command_id not in self._seen:
            self._seen.add(command.command_id)
            self.queued[priority].append(encode_command(command))


@dataclass
class FakeMetrics:
    """What the worker counted, in the order it counted it."""

    counted: list[tuple[str, str]] = field(default_factory=list)
    latencies: list[timedelta] = field(default_factory=list)

    def order_placed(self, priority: DeliveryPriority) -> None:
        self.counted.append(("OrdersPlaced", priority.value))

    def command_applied(self, command_type: str, latency: timedelta) -> None:
        self.counted.append(("CommandsApplied", command_type))
        self.latencies.append(latency)

    def command_rejected(self, code: str) -> None:
        self.counted.append(("CommandsRejected", code))

    def effect_failed(self, effect: Effect) -> None:
        self.counted.append(("EffectFailures", effect.value))


@dataclass(frozen=True)
class FakeLambdaContext:
    """The attributes of Lambda's context object that Powertools reads."""

    function_name: str = "order-delivery-test"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:000000000000:function:order-delivery-test"
    aws_request_id: str = "c6af9ac6-7b61-11e6-9a41-93e812345678"


class FakeWorker:
    """The command handlers and their effects on these fakes, with the fakes at hand."""

    def __init__(self) -> None:
        self.store = FakeCommandStore(catalogue=a_catalogue())
        self.receipts = FakeReceiptStore()
        self.mailer = FakeMailer()
        self.metrics = FakeMetrics()
        # The fakes are the ports (mypy checks these assignments).
        store: CommandStore = self.store
        receipts: ReceiptStore = self.receipts
        mailer: Mailer = self.mailer
        metrics: CommandMetrics = self.metrics
        effects = OrderEffects(store, receipts, mailer, a_business(), metrics)
        self.handlers = CommandHandlers(store, effects)

    def with_profile(self) -> FakeWorker:
        self.store.profiles[CUSTOMER_SUB] = a_profile()
        return self

    def with_order(self, **overrides: object) -> str:
        order = a_placed_order(**overrides)
        self.store.orders[order.id] = order
        return order.id

    def emails_to(self) -> list[str]:
        return [email.to for email in self.mailer.sent]

    def performed(self) -> set[Effect]:
        """The effects recorded for the one order these tests placed."""
        (performed,) = self.store.performed.values()
        return performed
