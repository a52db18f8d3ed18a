"""The order state machine against a model: any sequence of commands keeps status, version,
prices and ledger consistent (charges minus refunds equal what the customer owes for the order).

Hypothesis drives place, modify, cancel, dispatch and complete in any order, by customers and
staff, with current, stale or no expected versions, while staff reprice, withdraw and restore
products; a model of a few fields says what each command must do (units keep the price they
were ordered at, added units take the price of the day, fewer units give up the latest
first), and the invariants are checked after every step.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
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
FOR_SALE = [TEA, MUG, KETTLE, PIANO]

PLACED = OrderStatus.PLACED
OUT = OrderStatus.OUT_FOR_DELIVERY
DELIVERED = OrderStatus.DELIVERED
CANCELLED = OrderStatus.CANCELLED

# Mostly SKUs the catalogue sells; now and then a withdrawn or missing one.
skus = st.sampled_from([TEA, MUG, KETTLE, PIANO] * 3 + [WITHDRAWN, MISSING])
# Each SKU once, as the commands' validation requires of any request.
lines = st.lists(
    st.builds(a_line, skus, st.integers(1, 12)),
    min_size=1,
    max_size=4,
    unique_by=lambda line: line.sku,
)
priorities = st.sampled_from(DeliveryPriority)
# What the caller read before sending the command: None sends no expectedVersion, 0 the
# current version, anything else a stale read.
version_offsets = st.one_of(st.none(), st.just(0), st.sampled_from([-2, -1, 1]))
# Mostly a profile with a default address; now and then one without, or no profile at all.
profiles = st.sampled_from([a_profile()] * 3 + [a_profile(default_address=None), None])
addresses = st.sampled_from([None, an_address(line1="221B Baker Street")])
notes = st.sampled_from([None, "", "Leave it with the neighbour"])


# Units of one SKU on an order, oldest first: (quantity, unit price).
Stack = list[tuple[int, int]]


def restack(
    requested: Sequence[LineRequest], stacks: dict[str, Stack], prices: dict[str, int]
) -> dict[str, Stack] | None:
    """The model's lines after a request: units kept oldest first at their price, the rest at
    today's; None if units must be added of a product that is not for sale."""
    result: dict[str, Stack] = {}
    for line in requested:
        kept: Stack = []
        remaining = line.quantity
        for quantity, price in stacks.get(line.sku, []):
            if remaining == 0:
                break
            kept.append((min(quantity, remaining), price))
            remaining -= kept[-1][0]
        if remaining:
            if line.sku not in prices:
                return None
            if kept and kept[-1][1] == prices[line.sku]:
                kept[-1] = (kept[-1][0] + remaining, kept[-1][1])
            else:
                kept.append((remaining, prices[line.sku]))
        result[line.sku] = kept
    return result


def total_of(stacks: dict[str, Stack], priority: DeliveryPriority) -> int:
    lines = sum(quantity * price for stack in stacks.values() for quantity, price in stack)
    return lines + delivery_fee(priority)


@dataclass
class OrderModel:
    """All the model knows of an order: its status, version, total and booked ledger."""

    status: OrderStatus
    version: int
    priority: DeliveryPriority
    lines: dict[str, Stack]
    ledger: list[int] = field(default_factory=list)

    @property
    def total(self) -> int:
        return total_of(self.lines, self.priority)

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
        self.catalogue = dict(CATALOGUE)
        self.prices = dict(PRICES)  # the model's own account of what is for sale, at what price

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
        stacks = restack(requested, {}, self.prices)
        refused_with: type[DomainError] | None = None
        if profile is None:
            refused_with = ProfileRequiredError
        elif address is None and profile.default_address is None:
            refused_with = InvalidInputError
        elif stacks is None:
            refused_with = UnknownProductError
        elif total_of(stacks, priority) > MAX_ORDER_TOTAL:
            refused_with = InvalidInputError
        now = self._now()
        catalogue = dict(self.catalogue)
        change = self._attempt(
            lambda: place_order(
                order_id=new_ulid(),
                customer=profile,
                requested=requested,
                catalogue=catalogue,
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
        assert stacks is not None
        model = OrderModel(status=PLACED, version=1, priority=priority, lines=stacks)
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
        stacks = model.lines if requested is None else restack(requested, model.lines, self.prices)
        refused_with = model.refusal(allowed_from=PLACED, offset=offset)
        if refused_with is None and stacks is None:
            refused_with = UnknownProductError
        if (
            refused_with is None
            and stacks is not None
            and total_of(stacks, model.priority) > MAX_ORDER_TOTAL
        ):
            refused_with = InvalidInputError
        now = self._now()
        catalogue = dict(self.catalogue)
        change = self._attempt(
            lambda: modify_order(
                order,
                requested=requested,
                delivery_address=address,
                notes=note,
                catalogue=catalogue,
                expected_version=model.expected_version(offset),
                now=now,
            ),
            refused_with,
            order,
        )
        if change is None:
            return
        assert stacks is not None
        repriced = total_of(stacks, model.priority) != model.total
        model.version += 1
        model.lines = stacks
        self._book(tracked, change, TransactionKind.ADJUSTMENT if repriced else None)

    # --- the catalogue changes under the orders -------------------------------------------

    # Everyday prices: a dear one would mostly push raised orders over the total's cap.
    @rule(sku=st.sampled_from(FOR_SALE), price=st.integers(0, 10_000))
    def reprice(self, sku: str, price: int) -> None:
        self.catalogue[sku] = replace(self.catalogue[sku], price=price)
        if sku in self.prices:
            self.prices[sku] = price

    @rule(sku=st.sampled_from(FOR_SALE))
    def withdraw(self, sku: str) -> None:
        self.catalogue[sku] = replace(self.catalogue[sku], active=False)
        self.prices.pop(sku, None)

    @rule(sku=st.sampled_from(FOR_SALE))
    def restore(self, sku: str) -> None:
        self.catalogue[sku] = replace(self.catalogue[sku], active=True)
        self.prices[sku] = self.catalogue[sku].price

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
    def each_unit_keeps_the_price_it_was_ordered_at(self) -> None:
        for tracked in self.tracked:
            lines: dict[str, Stack] = {}
            for line in tracked.order.lines:
                lines.setdefault(line.sku, []).append((line.quantity, line.unit_price))
            assert lines == tracked.model.lines

    @invariant()
    def total_is_the_price_of_the_lines_plus_the_fee(self) -> None:
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
