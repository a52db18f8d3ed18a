"""Orders: the state machine, pricing and the ledger and timeline entries each change makes.

Every change is a pure function from the current order (and the catalogue) to an `OrderChange`:
the new order, the ledger entry it books and the timeline event it records. The worker persists
a change in one conditional write; nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from domain.catalog import Product
from domain.customers import Address, CustomerProfile
from domain.errors import (
    ForbiddenError,
    IdempotencyConflictError,
    InvalidInputError,
    OrderNotFoundError,
    OrderNotModifiableError,
    ProfileRequiredError,
    StaleVersionError,
    UnknownProductError,
)
from domain.money import CURRENCY, Money


class OrderStatus(StrEnum):
    PLACED = "PLACED"
    OUT_FOR_DELIVERY = "OUT_FOR_DELIVERY"
    DELIVERED = "DELIVERED"
    CANCELLED = "CANCELLED"


class DeliveryPriority(StrEnum):
    STANDARD = "STANDARD"
    URGENT = "URGENT"


class TransactionKind(StrEnum):
    CHARGE = "CHARGE"
    ADJUSTMENT = "ADJUSTMENT"
    REFUND = "REFUND"


TRANSITIONS: Mapping[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.PLACED: frozenset({OrderStatus.OUT_FOR_DELIVERY, OrderStatus.CANCELLED}),
    OrderStatus.OUT_FOR_DELIVERY: frozenset({OrderStatus.DELIVERED}),
    OrderStatus.DELIVERED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}
MODIFIABLE_STATUSES = frozenset({OrderStatus.PLACED})

# The most one order may be worth, in minor units: far below GraphQL's 32-bit Int, so every
# amount of an order and its ledger is representable.
MAX_ORDER_TOTAL = 100_000_000
# How often an order may be modified: each change adds to its item collection (a ledger entry,
# events, receipts), which must stay small enough to read in one Query page.
MAX_MODIFICATIONS = 50

# Delivery fees in minor units; urgent delivery carries a surcharge on top of the standard fee.
STANDARD_DELIVERY_FEE = 499
URGENT_SURCHARGE = 1000


def delivery_fee(priority: DeliveryPriority) -> int:
    if priority is DeliveryPriority.URGENT:
        return STANDARD_DELIVERY_FEE + URGENT_SURCHARGE
    return STANDARD_DELIVERY_FEE


class EventKind(StrEnum):
    """What happened to an order. The API names each by its member name (`PLACED`); the table
    stores the value, as it always has (`ORDER_PLACED`)."""

    PLACED = "ORDER_PLACED"
    MODIFIED = "ORDER_MODIFIED"
    CANCELLED = "ORDER_CANCELLED"
    DISPATCHED = "ORDER_DISPATCHED"
    DELIVERED = "ORDER_DELIVERED"
    RECEIPT_ISSUED = "RECEIPT_ISSUED"
    EMAIL_SENT = "EMAIL_SENT"


@dataclass(frozen=True, slots=True)
class LineRequest:
    """An order line as a customer asks for it: a SKU and a quantity, never a price."""

    sku: str
    quantity: int


@dataclass(frozen=True, slots=True)
class OrderLine:
    """A priced line: the unit price is frozen from the catalogue when the worker applies it.

    A SKU has more than one line when units were added to it later at another price.
    """

    sku: str
    name: str
    quantity: int
    unit_price: int

    @property
    def line_total(self) -> int:
        return self.unit_price * self.quantity


class _Priced:
    """Subtotal and total of priced lines and a delivery fee: an order's, or a quote's."""

    __slots__ = ()
    lines: tuple[OrderLine, ...]
    delivery_fee: int

    @property
    def subtotal(self) -> int:
        return sum(line.line_total for line in self.lines)

    @property
    def total(self) -> int:
        return self.subtotal + self.delivery_fee


@dataclass(frozen=True, slots=True)
class Order(_Priced):
    id: str
    customer_id: str
    customer_name: str
    customer_email: str
    status: OrderStatus
    priority: DeliveryPriority
    lines: tuple[OrderLine, ...]
    delivery_address: Address
    notes: str | None
    delivery_fee: int
    version: int
    created_at: datetime
    updated_at: datetime
    request_fingerprint: str
    currency: str = CURRENCY

    @property
    def can_modify(self) -> bool:
        return self.status in MODIFIABLE_STATUSES

    @property
    def can_cancel(self) -> bool:
        return OrderStatus.CANCELLED in TRANSITIONS[self.status]

    def amount_owed(self) -> int:
        """What the customer owes: the total while live, nothing once cancelled."""
        return 0 if self.status is OrderStatus.CANCELLED else self.total


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    kind: TransactionKind
    amount: int
    note: str | None = None


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    """One entry of an order's timeline, as its customer reads it.

    `detail` is a sentence for the customer (no internal ids); `version` is the order version
    the event belongs to; `reason` is the customer's own words where the change had them (a
    cancellation's); `reference` is what staff trace it by elsewhere (an email's message id),
    stored but never shown to the customer.
    """

    kind: EventKind
    detail: str | None = None
    version: int | None = None
    reason: str | None = None
    reference: str | None = None


_CHANGED_FIELDS = {"items": "items", "deliveryAddress": "delivery address", "notes": "notes"}


def _modification_sentence(changed_fields: Sequence[str]) -> str:
    """`Items and notes changed.` (what the amounts did, the ledger tells)."""
    if not changed_fields:
        return "Nothing changed."
    names = [_CHANGED_FIELDS[field] for field in changed_fields]
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    return f"{listed[0].upper()}{listed[1:]} changed."


@dataclass(frozen=True, slots=True)
class OrderChange:
    """The outcome of one command on one order, persisted atomically by the worker.

    `previous` is the order the change was computed from (None when the order is new): the write
    is conditional on the stored order still being exactly that version.
    """

    previous: Order | None
    order: Order
    ledger_entry: LedgerEntry | None
    event: TimelineEvent


@dataclass(frozen=True, slots=True)
class Actor:
    """Who issued a command, from their verified identity."""

    sub: str
    is_staff: bool = False


def price_lines(
    requested: Sequence[LineRequest],
    catalogue: Mapping[str, Product],
    frozen: Sequence[OrderLine] = (),
) -> tuple[OrderLine, ...]:
    """Price each requested SKU and quantity.

    Units already on the order keep the price they were ordered at; units added (a new SKU, or
    a raised quantity) take the catalogue's price now, on a line of their own when that price
    differs, so every line is one quantity at one price. A lowered quantity gives up the units
    added last first. Adding units of an unknown or withdrawn product is refused; keeping or
    reducing what was already ordered is not.
    """
    ordered: dict[str, list[OrderLine]] = {}
    for line in frozen:
        ordered.setdefault(line.sku, []).append(line)
    priced: list[OrderLine] = []
    for index, request in enumerate(requested):
        kept: list[OrderLine] = []
        remaining = request.quantity
        for line in ordered.get(request.sku, ()):  # oldest first
            if remaining == 0:
                break
            kept.append(replace(line, quantity=min(line.quantity, remaining)))
            remaining -= kept[-1].quantity
        if remaining:
            product = catalogue.get(request.sku)
            if product is None or not product.active:
                raise UnknownProductError(request.sku, f"items.{index}.sku")
            if kept and kept[-1].unit_price == product.price:
                kept[-1] = replace(kept[-1], quantity=kept[-1].quantity + remaining)
            else:
                kept.append(OrderLine(request.sku, product.name, remaining, product.price))
        priced.extend(kept)
    return tuple(priced)


def _quantities_by_price(lines: Sequence[OrderLine]) -> dict[tuple[str, int], int]:
    quantities: dict[tuple[str, int], int] = {}
    for line in lines:
        key = (line.sku, line.unit_price)
        quantities[key] = quantities.get(key, 0) + line.quantity
    return quantities


# An adjustment's note lists this many changed lines at most, then says how many more.
_ADJUSTMENT_NOTE_LINES = 5


def adjustment_note(before: Order, after: Order) -> str:
    """Why an order's total changed, line by line: `Order modified: +2 MUG-002 at $7.77 ...`."""
    old, new = _quantities_by_price(before.lines), _quantities_by_price(after.lines)
    changes = [
        f"{'+' if difference > 0 else '-'}{abs(difference)} {sku} at "
        f"{Money(price, after.currency).display}"
        for (sku, price) in dict.fromkeys([*old, *new])
        if (difference := new.get((sku, price), 0) - old.get((sku, price), 0))
    ]
    if before.delivery_fee != after.delivery_fee:
        changes.append(f"delivery fee {Money(after.delivery_fee, after.currency).display}")
    shown = changes[:_ADJUSTMENT_NOTE_LINES]
    if len(changes) > len(shown):
        shown.append(f"and {len(changes) - len(shown)} more")
    return f"Order modified: {', '.join(shown)}" if shown else "Order modified"


def check_total(total: int) -> None:
    """Refuse an order worth more than the business takes in one order (and money can carry)."""
    if total > MAX_ORDER_TOTAL:
        raise InvalidInputError(
            "items", f"An order's total may be at most {Money(MAX_ORDER_TOTAL).display}."
        )


@dataclass(frozen=True, slots=True)
class Quote(_Priced):
    """What an order of these lines and this priority costs at today's catalogue prices."""

    priority: DeliveryPriority
    lines: tuple[OrderLine, ...]
    delivery_fee: int
    currency: str = CURRENCY


def quote(
    requested: Sequence[LineRequest], catalogue: Mapping[str, Product], priority: DeliveryPriority
) -> Quote:
    """Price a prospective order: the API's price preview and the worker's placement both use
    this, so a quote and the order placed from it at the same prices agree to the cent."""
    priced = Quote(priority, price_lines(requested, catalogue), delivery_fee(priority))
    check_total(priced.total)
    return priced


def place_order(
    *,
    order_id: str,
    customer: CustomerProfile | None,
    requested: Sequence[LineRequest],
    catalogue: Mapping[str, Product],
    priority: DeliveryPriority,
    delivery_address: Address | None,
    notes: str | None,
    request_fingerprint: str,
    now: datetime,
    customer_email: str | None = None,
) -> OrderChange:
    """A new order from the customer's profile; its mail goes to `customer_email`, the address
    the identity proved when it placed the order (the profile's only for older commands)."""
    if customer is None:
        raise ProfileRequiredError()
    address = delivery_address or customer.default_address
    if address is None:
        raise InvalidInputError(
            "deliveryAddress", "Give a deliveryAddress or register a defaultAddress first."
        )
    priced = quote(requested, catalogue, priority)
    order = Order(
        id=order_id,
        customer_id=customer.id,
        customer_name=customer.name,
        customer_email=customer_email or customer.email,
        status=OrderStatus.PLACED,
        priority=priority,
        lines=priced.lines,
        delivery_address=address,
        notes=notes,
        delivery_fee=priced.delivery_fee,
        version=1,
        created_at=now,
        updated_at=now,
        request_fingerprint=request_fingerprint,
    )
    return OrderChange(
        previous=None,
        order=order,
        ledger_entry=LedgerEntry(TransactionKind.CHARGE, order.total, "Order placed"),
        event=TimelineEvent(
            EventKind.PLACED,
            f"Placed for {priority.value.lower()} delivery.",
            version=order.version,
        ),
    )


def is_replayed_placement(
    existing: Order | None, *, customer_id: str, request_fingerprint: str
) -> bool:
    """Whether a placement's order already exists from this very request: applied again as
    nothing. Only an idempotency key leads back to an existing id, so any other request
    finding one reuses the key for a different order, and is refused."""
    if existing is None:
        return False
    if existing.customer_id == customer_id and existing.request_fingerprint == request_fingerprint:
        return True
    raise IdempotencyConflictError()


def ensure_visible(order: Order | None, order_id: str, actor: Actor) -> Order:
    """The order if the actor may see it; otherwise exactly what a missing order answers."""
    if order is None or not (actor.is_staff or order.customer_id == actor.sub):
        raise OrderNotFoundError(order_id)
    return order


def check_expected_version(order: Order, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != order.version:
        raise StaleVersionError(expected_version, order.version)


def ensure_modifiable(order: Order) -> None:
    if not order.can_modify:
        raise OrderNotModifiableError(order.id, order.status.value)


def ensure_transition(order: Order, target: OrderStatus) -> None:
    if target not in TRANSITIONS[order.status]:
        raise OrderNotModifiableError(order.id, order.status.value)


def check_modify(order: Order, expected_version: int | None) -> None:
    """What the API checks before queueing a modification, and the worker checks again."""
    ensure_modifiable(order)
    check_expected_version(order, expected_version)
    # Every other change (dispatch, delivery, cancellation) happens at most once; the rest of
    # an order's versions are modifications.
    if order.version > MAX_MODIFICATIONS:
        raise InvalidInputError(
            "orderId",
            f"An order can be modified at most {MAX_MODIFICATIONS} times: cancel it and place "
            "a new one.",
        )


def check_transition(order: Order, target: OrderStatus, expected_version: int | None) -> None:
    """What the API checks before queueing a status change, and the worker checks again."""
    ensure_transition(order, target)
    check_expected_version(order, expected_version)


def modify_order(
    order: Order,
    *,
    requested: Sequence[LineRequest] | None,
    delivery_address: Address | None,
    notes: str | None,
    catalogue: Mapping[str, Product],
    expected_version: int | None,
    now: datetime,
) -> OrderChange:
    check_modify(order, expected_version)
    lines = order.lines if requested is None else price_lines(requested, catalogue, order.lines)
    changed = replace(
        order,
        lines=lines,
        delivery_address=delivery_address or order.delivery_address,
        notes=order.notes if notes is None else (notes or None),  # "" clears the notes
        version=order.version + 1,
        updated_at=now,
    )
    check_total(changed.total)
    what = [
        name
        for name, differs in (
            ("items", changed.lines != order.lines),
            ("deliveryAddress", changed.delivery_address != order.delivery_address),
            ("notes", changed.notes != order.notes),
        )
        if differs
    ]
    delta = changed.total - order.total
    entry = (
        LedgerEntry(TransactionKind.ADJUSTMENT, delta, adjustment_note(order, changed))
        if delta
        else None
    )
    detail = _modification_sentence(what)
    event = TimelineEvent(EventKind.MODIFIED, detail, version=changed.version)
    return OrderChange(order, changed, entry, event)


def cancel_order(
    order: Order, *, reason: str | None, expected_version: int | None, now: datetime
) -> OrderChange:
    check_transition(order, OrderStatus.CANCELLED, expected_version)
    cancelled = replace(
        order, status=OrderStatus.CANCELLED, version=order.version + 1, updated_at=now
    )
    # The ledger of a live order sums to its total, so refunding the total zeroes it.
    refund = LedgerEntry(TransactionKind.REFUND, -order.total, reason or "Order cancelled")
    event = TimelineEvent(
        EventKind.CANCELLED,
        f"Cancelled: {reason}" if reason else "Cancelled.",
        version=cancelled.version,
        reason=reason,
    )
    return OrderChange(order, cancelled, refund, event)


def _advance(
    order: Order,
    actor: Actor,
    target: OrderStatus,
    event: EventKind,
    expected_version: int | None,
    now: datetime,
) -> OrderChange:
    if not actor.is_staff:
        raise ForbiddenError("Only staff can change an order's delivery status.")
    check_transition(order, target, expected_version)
    advanced = replace(order, status=target, version=order.version + 1, updated_at=now)
    detail = _ADVANCED[event]
    return OrderChange(order, advanced, None, TimelineEvent(event, detail, advanced.version))


_ADVANCED = {
    EventKind.DISPATCHED: "Out for delivery.",
    EventKind.DELIVERED: "Delivered.",
}


def dispatch_order(
    order: Order, *, actor: Actor, expected_version: int | None, now: datetime
) -> OrderChange:
    return _advance(
        order,
        actor,
        OrderStatus.OUT_FOR_DELIVERY,
        EventKind.DISPATCHED,
        expected_version,
        now,
    )


def complete_delivery(
    order: Order, *, actor: Actor, expected_version: int | None, now: datetime
) -> OrderChange:
    return _advance(order, actor, OrderStatus.DELIVERED, EventKind.DELIVERED, expected_version, now)


@dataclass(frozen=True, slots=True)
class Transaction:
    """A booked ledger entry of an order."""

    id: str
    kind: TransactionKind
    amount: int
    currency: str
    note: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """A recorded event on an order's timeline."""

    id: str
    kind: EventKind
    detail: str | None
    at: datetime
    version: int | None = None


@dataclass(frozen=True, slots=True)
class IssuedReceipt:
    """A receipt stored for one version of an order."""

    version: int
    key: str
    issued_at: datetime


@dataclass(frozen=True, slots=True)
class OrderDetails:
    """An order with its ledger, timeline and receipts, oldest first: one item collection."""

    order: Order
    transactions: tuple[Transaction, ...]
    history: tuple[HistoryEntry, ...]
    receipts: tuple[IssuedReceipt, ...] = ()

    @property
    def balance(self) -> int:
        """What the customer owes now: the ledger's sum (the total while live, 0 cancelled)."""
        return sum(transaction.amount for transaction in self.transactions)

    @property
    def latest_receipt(self) -> IssuedReceipt | None:
        return max(self.receipts, key=lambda receipt: receipt.version, default=None)
