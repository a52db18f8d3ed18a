"""What an applied change tells the outside world: receipts to issue and emails to send.

Each applied order command plans its side effects in the same write that applies it, together
with a snapshot of the order as that command left it. The worker then performs each planned
effect and records it; a retry performs only what is not recorded yet, and renders from the
snapshot, so a late retry still describes the version it belongs to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from domain.orders import EventKind, Order, OrderChange, TimelineEvent, Transaction


class Effect(StrEnum):
    RECEIPT = "RECEIPT"
    EMAIL_CUSTOMER = "EMAIL_CUSTOMER"
    EMAIL_BUSINESS = "EMAIL_BUSINESS"


# The worker's timeout in AWS (the CDK stack sets it from here): no invocation lives longer.
WORKER_TIMEOUT_SECONDS = 30
# How long a claim on an effect holds: the worker's timeout, so a claim older than that belongs
# to a worker that is gone, and another may take the effect over.
EFFECT_LEASE = timedelta(seconds=WORKER_TIMEOUT_SECONDS)


class Recipient(StrEnum):
    CUSTOMER = "customer"
    BUSINESS = "business"


EMAIL_RECIPIENTS = {
    Effect.EMAIL_CUSTOMER: Recipient.CUSTOMER,
    Effect.EMAIL_BUSINESS: Recipient.BUSINESS,
}


@dataclass(frozen=True, slots=True)
class OrderSnapshot:
    """The order as one command left it, with its ledger then: what its receipt and emails show."""

    order: Order
    transactions: tuple[Transaction, ...]
    event: TimelineEvent
    previous_total: int | None = None


@dataclass(frozen=True, slots=True)
class BusinessProfile:
    """Who the receipts and emails come from, and where the business hears of orders."""

    name: str
    orders_email: str
    sender_email: str
    phone: str | None = None
    postal_address: str | None = None
    # Where an email's "view your receipt" link points, `{order_id}` filled in: the shop's own
    # order page, which asks the API for a fresh short-lived receipt URL.
    receipt_link_template: str = ""

    def receipt_link(self, order_id: str) -> str | None:
        return self.receipt_link_template.format(order_id=order_id) or None


def effects_of(change: OrderChange) -> tuple[Effect, ...]:
    """The receipt and emails an applied change calls for, receipt first (emails link to it)."""
    kind = change.event.kind
    if kind in (EventKind.ORDER_PLACED, EventKind.ORDER_CANCELLED):
        return (Effect.RECEIPT, Effect.EMAIL_CUSTOMER, Effect.EMAIL_BUSINESS)
    if kind is EventKind.ORDER_MODIFIED:
        previous, order = change.previous, change.order
        reissue = previous is None or (
            previous.lines != order.lines or previous.delivery_address != order.delivery_address
        )
        return (Effect.RECEIPT, Effect.EMAIL_CUSTOMER) if reissue else (Effect.EMAIL_CUSTOMER,)
    if kind in (EventKind.ORDER_DISPATCHED, EventKind.ORDER_DELIVERED):
        return (Effect.RECEIPT, Effect.EMAIL_CUSTOMER)
    return ()


def receipt_key(order_id: str, version: int) -> str:
    """Receipts are never overwritten: each order version has its own object."""
    return f"receipts/{order_id}/v{version}.pdf"
