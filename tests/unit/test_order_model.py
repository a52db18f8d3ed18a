"""The order state machine against a model: any sequence of commands keeps status, version and
ledger consistent (charges minus refunds equal what the customer owes for the order).

Hypothesis drives place, modify, cancel, dispatch and complete in any order, by customers and
staff, with current, stale or no expected versions; a model of a few fields says what each
command must do, and the invariants are checked after every step.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from domain.customers import Address, CustomerProfile
from domain.errors import (
    DomainError,
    ForbiddenError,
    InvalidInputError,
    OrderNotModifiableError,
    ProfileRequiredError,
    StaleVersionError,
    UnknownProductError,
)
from domain.ids import new_ulid
from domain.orders import (
    MAX_ORDER_TOTAL,
    DeliveryPriority,
    LineRequest,
    Order,
    OrderChange,
    OrderStatus,
    TransactionKind,
    cancel_order,
    complete_delivery,
    delivery_fee,
    dispatch_order,
    modify_order,
    place_order,
)
from domain.validation import MAX_PRICE
from tests.factories import (
    KETTLE,
    KETTLE_PRICE,
    MUG,
    MUG_PRICE,
    NOW,
    TEA,
    TEA_PRICE,
    WITHDRAWN,
    a_catalogue,
    a_customer,
    a_line,
    a_product,
    a_profile,
    a_staff_member,
    an_address,
)

PIANO = "PIANO-004"
MISSING = "NOPE-404"
# Priced at the most a product may cost, so a dozen of them pass the order total's cap.
CATALOGUE = a_catalogue(
    a_product(sku=TEA, name="Green tea", price=TEA_PRICE),
    a_product(sku=MUG, name="Mug", price=MUG_PRICE),
    a_product(sku=KETTLE, name="Kettle", price=KETTLE_PRICE),
    a_product(sku=PIANO, name="Grand piano", price=MAX_PRICE),
    a_product(sku=WITHDRAWN, name="Discontinued", price=100, active=False),
)
# The model's price list, spelled out apart from the catalogue; anything else is unknown.
PRICES = {TEA: TEA_PRICE, MUG: MUG_PRICE, KETTLE: KETTLE_PRICE, PIANO: MAX_PRICE}

PLACED = OrderStatus.PLACED
OUT = OrderStatus.OUT_FOR_DELIVERY
DELIVERED = OrderStatus.DELIVERED
CANCELLED = OrderStatus.CANCELLED

# Mostly SKUs the catalogue sells; now and then a withdrawn or missing one.
skus = st.sampled_from([TEA, MUG, KETTLE, PIANO] * 3 + [WITHDRAWN, MISSING])
lines = st.lists(st.builds(a_line, skus, st.integers(1, 12)), min_size=1, max_size=4)
priorities = st.sampled_from(DeliveryPriority)
# What the caller read before sending the command: None sends no expectedVersion, 0 the
# current version, anything else a stale read.
version_offsets = st.one_of(st.none(), st.just(0), st.sampled_from([-2, -1, 1]))
# Mostly a profile with a default address; now and then one without, or no profile at all.
profiles = st.sampled_from([a_profile()] * 3 + [a_profile(default_address=None), None])
addresses = st.sampled_from([None, an_address(line1="221B Baker Street")])
notes = st.sampled_from([None, "", "Leave it with the neighbour"])


def total_of(requested: Sequence[LineRequest], priority: DeliveryPriority) -> int | None:
    """What the model says an order of these lines costs; None if one of them is not for sale."""
    if any(line.sku not in PRICES for line in requested):
        return None
    return sum(PRICES[line.sku] * line.quantity for line in requested) + delivery_fee(priority)


@dataclass
class OrderModel:
    """All the model knows of an order: its status, version, total and booked ledger."""

    status: OrderStatus
    version: int
    priority: DeliveryPriority
    total: int
    ledger: list[int] = field(default_factory=list)

    @property
    def owed(self) -> int:
        return 0 if self.status is CANCELLED else self.total

    def expected_version(self, offset: int | None) -> int | None:
        return None if offset is None else self.version + offset

    def refusal(self, *, allowed_from: OrderStatus, offset: int | None) -> type[DomainError] | None:
        if self.status is not allowed_from:
            return OrderNotModifiableError
        if offset:
            return StaleVersionError
        return None


@dataclass
class TrackedOrder:
    """An order as the domain last left it, beside the model's account of it."""

    order: Order
    model: OrderModel


MAX_ORDERS = 4
# Which of the placed orders a command goes to (modulo how many there are).
targets = st.integers(0, MAX_ORDERS - 1)


class OrderLifecycle(RuleBasedStateMachine):
    """Up to four orders of one customer, each command aimed at one of them."""

    def __init__(self) -> None:
        super().__init__()
        self.tracked: list[TrackedOrder] = []
        self.steps = 0

    def _now(self) -> datetime:
        self.steps += 1
        return NOW + timedelta(minutes=self.steps)

    def _target(self, which: int) -> TrackedOrder:
        return self.tracked[which % len(self.tracked)]

    def _attempt(
        self,
        command: Callable[[], OrderChange],
        refused_with: type[DomainError] | None,
        before: Order | None,
    ) -> OrderChange | None:
        """Run the command; it must be refused with exactly `refused_with`, or be applied.

        Anything but a DomainError escapes and fails the test: a refusal is never a crash.
        """
        change: OrderChange | None = None
        refusal: DomainError | None = None
        try:
            change = command()
        except DomainError as error:
            refusal = error
        if refusal is not None:
            assert type(refusal) is refused_with, f"refused with {refusal!r}, not {refused_with}"
            return None  # nothing to book: a refused command leaves no ledger entry
        assert refused_with is None, f"applied, but should be refused with {refused_with}"
        assert change is not None
        assert change.previous is before
        assert change.order.version == (1 if before is None else before.version + 1)
        return change

    @staticmethod
    def _book(tracked: TrackedOrder, change: OrderChange, kind: TransactionKind | None) -> None:
        """Keep a change as the worker would: the new order, and its ledger entry if it books one.

        `kind` is the entry the model expects (None: none); its amount must be what the
        customer owes after the change minus what the ledger held before it.
        """
        entry = change.ledger_entry
        if kind is None:
            assert entry is None
        else:
            assert entry is not None
            assert entry.kind is kind
            assert entry.amount == tracked.model.owed - sum(tracked.model.ledger)
            tracked.model.ledger.append(entry.amount)
        tracked.order = change.order

    # --- commands ---------------------------------------------------------------------------

    @precondition(lambda self: len(self.tracked) < MAX_ORDERS)
    @rule(profile=profiles, address=addresses, requested=lines, priority=priorities)
    def place(
        self,
        profile: CustomerProfile | None,
        address: Address | None,
        requested: list[LineRequest],
        priority: DeliveryPriority,
    ) -> None:
        total = total_of(requested, priority)
        refused_with: type[DomainError] | None = None
        if profile is None:
            refused_with = ProfileRequiredError
        elif address is None and profile.default_address is None:
            refused_with = InvalidInputError
        elif total is None:
            refused_with = UnknownProductError
        elif total > MAX_ORDER_TOTAL:
            refused_with = InvalidInputError
        now = self._now()
        change = self._attempt(
            lambda: place_order(
                order_id=new_ulid(),
                customer=profile,
                requested=requested,
                catalogue=CATALOGUE,
                priority=priority,
                delivery_address=address,
                notes=None,
                request_fingerprint="f" * 64,
                now=now,
            ),
            refused_with,
            None,
        )
        if change is None:
            return
        assert total is not None
        model = OrderModel(status=PLACED, version=1, priority=priority, total=total)
        tracked = TrackedOrder(change.order, model)
        self._book(tracked, change, TransactionKind.CHARGE)
        self.tracked.append(tracked)

    @precondition(lambda self: self.tracked)
    @rule(which=targets, requested=lines, offset=version_offsets)
    def modify_items(self, which: int, requested: list[LineRequest], offset: int | None) -> None:
        self._modify(self._target(which), requested, None, None, offset)

    @precondition(lambda self: self.tracked)
    @rule(which=targets, address=addresses, note=notes, offset=version_offsets)
    def modify_delivery_details(
        self, which: int, address: Address | None, note: str | None, offset: int | None
    ) -> None:
        self._modify(self._target(which), None, address, note, offset)

    def _modify(
        self,
        tracked: TrackedOrder,
        requested: list[LineRequest] | None,
        address: Address | None,
        note: str | None,
        offset: int | None,
    ) -> None:
        order, model = tracked.order, tracked.model
        total = model.total if requested is None else total_of(requested, model.priority)
        refused_with = model.refusal(allowed_from=PLACED, offset=offset)
        if refused_with is None and total is None:
            refused_with = UnknownProductError
        if refused_with is None and total is not None and total > MAX_ORDER_TOTAL:
            refused_with = InvalidInputError
        now = self._now()
        change = self._attempt(
            lambda: modify_order(
                order,
                requested=requested,
                delivery_address=address,
                notes=note,
                catalogue=CATALOGUE,
                expected_version=model.expected_version(offset),
                now=now,
            ),
            refused_with,
            order,
        )
        if change is None:
            return
        assert total is not None
        repriced = total != model.total
        model.version += 1
        model.total = total
        self._book(tracked, change, TransactionKind.ADJUSTMENT if repriced else None)

    @precondition(lambda self: self.tracked)
    @rule(which=targets, reason=st.sampled_from([None, "Changed my mind"]), offset=version_offsets)
    def cancel(self, which: int, reason: str | None, offset: int | None) -> None:
        tracked = self._target(which)
        order, model = tracked.order, tracked.model
        now = self._now()
        change = self._attempt(
            lambda: cancel_order(
                order, reason=reason, expected_version=model.expected_version(offset), now=now
            ),
            model.refusal(allowed_from=PLACED, offset=offset),
            order,
        )
        if change is None:
            return
        model.version += 1
        model.status = CANCELLED
        self._book(tracked, change, TransactionKind.REFUND)

    @precondition(lambda self: self.tracked)
    @rule(which=targets, staff=st.booleans(), offset=version_offsets)
    def dispatch(self, which: int, staff: bool, offset: int | None) -> None:
        self._advance(self._target(which), dispatch_order, staff, offset, PLACED, OUT)

    @precondition(lambda self: self.tracked)
    @rule(which=targets, staff=st.booleans(), offset=version_offsets)
    def complete(self, which: int, staff: bool, offset: int | None) -> None:
        self._advance(self._target(which), complete_delivery, staff, offset, OUT, DELIVERED)

    def _advance(
        self,
        tracked: TrackedOrder,
        advance: Callable[..., OrderChange],
        staff: bool,
        offset: int | None,
        allowed_from: OrderStatus,
        target: OrderStatus,
    ) -> None:
        order, model = tracked.order, tracked.model
        actor = a_staff_member() if staff else a_customer()
        refused_with = (
            model.refusal(allowed_from=allowed_from, offset=offset) if staff else ForbiddenError
        )
        now = self._now()
        change = self._attempt(
            lambda: advance(
                order, actor=actor, expected_version=model.expected_version(offset), now=now
            ),
            refused_with,
            order,
        )
        if change is None:
            return
        model.version += 1
        model.status = target
        self._book(tracked, change, None)

    # --- invariants, after every step -------------------------------------------------------

    @invariant()
    def status_and_version_match_the_model(self) -> None:
        for tracked in self.tracked:
            assert tracked.order.status is tracked.model.status
            assert tracked.order.version == tracked.model.version

    @invariant()
    def total_is_the_catalogue_price_of_the_lines_plus_the_fee(self) -> None:
        for tracked in self.tracked:
            assert tracked.order.total == tracked.model.total

    @invariant()
    def charges_minus_refunds_equal_what_the_customer_owes(self) -> None:
        for tracked in self.tracked:
            ledger = sum(tracked.model.ledger)
            assert ledger == tracked.order.amount_owed() == tracked.model.owed
            assert all(tracked.model.ledger)  # every booked entry moves money


TestOrderLifecycle = OrderLifecycle.TestCase
TestOrderLifecycle.settings = settings(
    max_examples=200,
    stateful_step_count=30,
    derandomize=True,  # the same sequences on every run, in CI and locally
    database=None,
    deadline=None,  # an example is thirty steps; the test as a whole is what is bounded
    suppress_health_check=[HealthCheck.too_slow],
)
