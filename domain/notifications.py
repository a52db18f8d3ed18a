"""What an applied change tells the outside world: receipts to issue and emails to send.

Each applied order command plans its side effects in the same write that applies it. The worker
then performs each planned effect and records it; a retry performs only what is not recorded
yet, from the order as that command left it (an OrderSnapshot), so it describes the version it
belongs to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.delivery import DeliveryPromise, estimated_delivery
from domain.orders import (
    DeliveryPriority,
    EventKind,
    Order,
    OrderChange,
    OrderStatus,
    TimelineEvent,
    Transaction,
)


class Effect(StrEnum):
    RECEIPT = "RECEIPT"
    EMAIL_CUSTOMER = "EMAIL_CUSTOMER"
    EMAIL_BUSINESS = "EMAIL_BUSINESS"


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


class PaperSize(StrEnum):
    LETTER = "LETTER"
    A4 = "A4"


# Where Letter is the paper in the printer (ISO 3166 alpha-2); everywhere else prints on A4.
LETTER_COUNTRIES = frozenset({"US", "CA", "MX", "PH", "CL", "CO", "VE", "GT", "CR", "PR"})
# A US business unless the deployment says otherwise: dollars are the default currency too.
DEFAULT_COUNTRY = "US"
DEFAULT_TIME_ZONE = "America/New_York"


# How the timeline names an email's recipient to the customer reading it.
_RECIPIENT_WORDS = {Recipient.CUSTOMER: "you", Recipient.BUSINESS: "the business"}


def receipt_issued(version: int) -> TimelineEvent:
    detail = "Receipt issued." if version == 1 else "Updated receipt issued."
    return TimelineEvent(EventKind.RECEIPT_ISSUED, detail, version=version)


def email_sent(recipient: Recipient, message_id: str, version: int) -> TimelineEvent:
    """`Email sent to you.`: the message id is kept for staff, never shown to the customer."""
    detail = f"Email sent to {_RECIPIENT_WORDS[recipient]}."
    return TimelineEvent(EventKind.EMAIL_SENT, detail, version=version, reference=message_id)


def paper_size(country: str) -> PaperSize:
    return PaperSize.LETTER if country.upper() in LETTER_COUNTRIES else PaperSize.A4


@dataclass(frozen=True, slots=True)
class BusinessProfile:
    """Who the receipts and emails come from, where the business hears of orders, and where it
    is (its time zone for the dates it prints, its country for its paper)."""

    name: str
    orders_email: str
    sender_email: str
    phone: str | None = None
    postal_address: str | None = None
    # Where an email's "view your receipt" link points, `{order_id}` filled in: the shop's own
    # order page, which asks the API for a fresh short-lived receipt URL.
    receipt_link_template: str = ""
    # An IANA zone name: the dates on receipts and in emails are the business's wall clock.
    time_zone: str = DEFAULT_TIME_ZONE
    country: str = DEFAULT_COUNTRY
    delivery_promise: DeliveryPromise = field(default_factory=DeliveryPromise)

    def receipt_link(self, order_id: str) -> str | None:
        return self.receipt_link_template.format(order_id=order_id) or None

    def local_time(self, moment: datetime) -> datetime:
        return moment.astimezone(ZoneInfo(self.time_zone))

    @property
    def paper_size(self) -> PaperSize:
        return paper_size(self.country)

    def delivery_estimate(self, priority: DeliveryPriority, placed_at: datetime) -> datetime:
        """When an order of this priority placed at `placed_at` should arrive, on the
        business's clock: what a quote shows, and the order placed from it keeps."""
        return self.local_time(estimated_delivery(priority, placed_at, self.delivery_promise))

    def promised_delivery(self, order: Order) -> datetime | None:
        """When a live order should arrive; None once it is delivered or cancelled, when a
        promise no longer means anything."""
        if order.status in (OrderStatus.DELIVERED, OrderStatus.CANCELLED):
            return None
        return self.delivery_estimate(order.priority, order.created_at)


# The last characters of an order id: random in both kinds of id (a ULID's tail, or a digest's),
# so a customer can quote it; receipts keep the full id in small print for staff to look up.
ORDER_NUMBER_LENGTH = 8


def order_number(order_id: str) -> str:
    """The short number a customer reads and quotes, `7K3M-9QXA` for `01JQ...7K3M9QXA`."""
    tail = order_id[-ORDER_NUMBER_LENGTH:]
    half = ORDER_NUMBER_LENGTH // 2
    return f"{tail[:half]}-{tail[half:]}"


def effects_of(change: OrderChange) -> tuple[Effect, ...]:
    """The receipt and emails an applied change calls for, receipt first (emails link to it)."""
    kind = change.event.kind
    if kind in (EventKind.PLACED, EventKind.CANCELLED):
        return (Effect.RECEIPT, Effect.EMAIL_CUSTOMER, Effect.EMAIL_BUSINESS)
    if kind is EventKind.MODIFIED:
        previous, order = change.previous, change.order
        reissue = previous is None or (
            previous.lines != order.lines or previous.delivery_address != order.delivery_address
        )
        return (Effect.RECEIPT, Effect.EMAIL_CUSTOMER) if reissue else (Effect.EMAIL_CUSTOMER,)
    if kind in (EventKind.DISPATCHED, EventKind.DELIVERED):
        return (Effect.RECEIPT, Effect.EMAIL_CUSTOMER)
    return ()
