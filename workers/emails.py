"""The emails an order change sends: subjects and wording per event, rendered from templates.

HTML is rendered with autoescaping on, so a name or a note containing markup arrives as text.
"""

from __future__ import annotations

import pathlib
from dataclasses import dataclass
from functools import cache

import jinja2

from domain.notifications import BusinessProfile, OrderSnapshot, Recipient, order_number
from domain.orders import DeliveryPriority, EventKind, Order, OrderStatus, TransactionKind
from workers.order_wording import STATUS_WORDS, delivery_label, human_time, money

_TEMPLATES = pathlib.Path(__file__).with_name("email_templates")


@dataclass(frozen=True, slots=True)
class Email:
    to: str
    subject: str
    text: str
    html: str
    order_id: str


@dataclass(frozen=True, slots=True)
class _Message:
    subject: str
    headline: str
    paragraphs: tuple[str, ...]


def compose_email(
    recipient: Recipient, snapshot: OrderSnapshot, business: BusinessProfile
) -> Email:
    order = snapshot.order
    message = _message(recipient, snapshot, business)
    to_customer = recipient is Recipient.CUSTOMER
    values = {
        "message": message,
        "order": _order_view(order, business),
        "business": business,
        "to_customer": to_customer,
        "receipt_link": business.receipt_link(order.id) if to_customer else None,
    }
    environment = _environment()
    return Email(
        to=order.customer_email if to_customer else business.orders_email,
        # A header is one line: whatever a name holds, the subject is folded onto one.
        subject=" ".join(message.subject.split()),
        text=environment.get_template("order_email.txt").render(values),
        html=environment.get_template("order_email.html").render(values),
        order_id=order.id,
    )


def _message(recipient: Recipient, snapshot: OrderSnapshot, business: BusinessProfile) -> _Message:
    order, kind = snapshot.order, snapshot.event.kind
    total = money(order.total, order.currency)
    name, number = order.customer_name, order_number(order.id)
    if recipient is Recipient.BUSINESS:
        urgent = "URGENT: " if order.priority is DeliveryPriority.URGENT else ""
        if kind is EventKind.CANCELLED:
            refund = money(_refunded(snapshot), order.currency)
            return _Message(
                f"{urgent}Order {number} cancelled, refund {refund}",
                f"{name} cancelled order {number}",
                (f"Refunded {refund}.", *_reason(snapshot)),
            )
        return _Message(
            f"{urgent}New order {number} from {name}: {total}",
            f"New {order.priority.value.lower()} order from {name}",
            (f"Contact: {order.customer_email}.",),
        )
    match kind:
        case EventKind.PLACED:
            return _Message(
                f"Your order {number} is confirmed",
                f"Thank you for your order, {name}",
                (f"We have your order. Its total is {total}.",),
            )
        case EventKind.MODIFIED:
            was = snapshot.previous_total
            paragraphs = [f"Your order was updated. {snapshot.event.detail or ''}".strip()]
            if was is not None and was != order.total:
                paragraphs.append(
                    f"Its new total is {total} (it was {money(was, order.currency)})."
                )
            else:
                paragraphs.append(f"Its total is {total}.")
            return _Message(
                f"Your order {number} was updated", "Your order was updated", tuple(paragraphs)
            )
        case EventKind.CANCELLED:
            refund = money(_refunded(snapshot), order.currency)
            return _Message(
                f"Your order {number} is cancelled",
                "Your order is cancelled",
                (f"We refunded {refund}.", *_reason(snapshot)),
            )
        case EventKind.DISPATCHED:
            return _Message(
                f"Your order {number} is on its way",
                "Your order is on its way",
                ("It left us and will reach you soon.",),
            )
        case EventKind.DELIVERED:
            return _Message(
                f"Your order {number} was delivered",
                "Your order was delivered",
                ("Enjoy, and thank you for ordering from us.",),
            )
    raise ValueError(f"no email for {kind}")


def _refunded(snapshot: OrderSnapshot) -> int:
    refunds = [t.amount for t in snapshot.transactions if t.kind is TransactionKind.REFUND]
    return -refunds[-1] if refunds else 0


def _reason(snapshot: OrderSnapshot) -> tuple[str, ...]:
    return (f"Reason: {snapshot.event.reason}",) if snapshot.event.reason else ()


def _order_view(order: Order, business: BusinessProfile) -> dict[str, object]:
    address = order.delivery_address
    parts = [address.line1, address.line2, f"{address.postal_code} {address.city}", address.country]
    promised = business.promised_delivery(order)
    return {
        "id": order.id,
        "number": order_number(order.id),
        "status": STATUS_WORDS[order.status],
        "placed": human_time(business.local_time(order.created_at)),
        "estimated_delivery": human_time(promised) if promised is not None else None,
        "urgent": order.priority is DeliveryPriority.URGENT,
        "delivery_label": delivery_label(order.priority),
        "cancelled": order.status is OrderStatus.CANCELLED,
        "lines": [
            {
                "name": line.name,
                "quantity": line.quantity,
                "unit_price": money(line.unit_price, order.currency),
                "total": money(line.line_total, order.currency),
            }
            for line in order.lines
        ],
        "subtotal": money(order.subtotal, order.currency),
        "delivery_fee": money(order.delivery_fee, order.currency),
        "total": money(order.total, order.currency),
        "address": ", ".join(part for part in parts if part),
        "notes": order.notes,
    }


@cache
def _environment() -> jinja2.Environment:
    # Built on first use, not at import: the worker's cold start does not pay for it.
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(_TEMPLATES),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
