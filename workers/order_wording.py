"""The words receipts and emails share: dates on the business's clock, statuses, ledger entries."""

from __future__ import annotations

from datetime import datetime

from domain.money import Money
from domain.orders import DeliveryPriority, OrderStatus, TransactionKind

STATUS_WORDS = {
    OrderStatus.PLACED: "Placed",
    OrderStatus.OUT_FOR_DELIVERY: "Out for delivery",
    OrderStatus.DELIVERED: "Delivered",
    OrderStatus.CANCELLED: "Cancelled",
}
# A ledger entry as the customer sees it: money they paid, paid back, or an order change.
TRANSACTION_WORDS = {
    TransactionKind.CHARGE: "Paid",
    TransactionKind.ADJUSTMENT: "Change to order",
    TransactionKind.REFUND: "Refund",
}


def delivery_label(priority: DeliveryPriority) -> str:
    """What the delivery fee is for, on the line that charges it."""
    return "Urgent delivery" if priority is DeliveryPriority.URGENT else "Delivery"


def human_date(moment: datetime) -> str:
    """`Fri, Mar 14, 2025`, in the moment's own time zone."""
    return f"{moment:%a}, {moment:%b} {moment.day}, {moment.year}"


def human_time(moment: datetime) -> str:
    """`Fri, Mar 14, 2025, 5:26 AM EDT`, in the moment's own time zone."""
    hour = moment.hour % 12 or 12
    zone = moment.tzname() or ""
    return f"{human_date(moment)}, {hour}:{moment:%M} {moment:%p} {zone}".rstrip()


def money(amount: int, currency: str) -> str:
    return Money(amount, currency).display
