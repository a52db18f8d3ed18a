"""Receipt PDFs: one page per order version, rendered with reportlab from an order snapshot."""

from __future__ import annotations

import io
import textwrap
from collections.abc import Iterator

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from domain.money import Money
from domain.notifications import BusinessProfile, OrderSnapshot
from domain.orders import DeliveryPriority, OrderStatus
from domain.serialization import format_timestamp

_WIDTH, _HEIGHT = A4
_LEFT, _RIGHT = 18 * mm, _WIDTH - 18 * mm
_TOP, _BOTTOM = _HEIGHT - 18 * mm, 20 * mm
_LINE = 5.2 * mm
# Columns of the lines table: name, quantity, unit price, line total (right-aligned).
_QUANTITY_X, _UNIT_X, _TOTAL_X = _RIGHT - 75 * mm, _RIGHT - 35 * mm, _RIGHT
_NOTE_WIDTH = 100  # characters of a transaction's note per line, in the 9-point font


def render_receipt(snapshot: OrderSnapshot, business: BusinessProfile) -> bytes:
    """The receipt of one order version; a very long order continues on further pages."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    order = snapshot.order
    canvas.setTitle(f"Receipt {order.id} v{order.version}")
    canvas.setAuthor(business.name)
    page = _Page(canvas)

    page.text(business.name, size=16, bold=True)
    for contact in (business.postal_address, business.phone, business.orders_email):
        if contact:
            page.text(contact, size=9)
    page.gap()
    title = "RECEIPT" if order.status is not OrderStatus.CANCELLED else "RECEIPT - CANCELLED"
    page.text(title, size=14, bold=True)
    if order.priority is DeliveryPriority.URGENT:
        page.text("URGENT DELIVERY", size=12, bold=True, color=colors.red)
    if order.status is OrderStatus.CANCELLED:
        page.text("This order was cancelled; its charges were refunded.", color=colors.red)
    page.text(f"Order {order.id}   version {order.version}   status {order.status.value}")
    placed, updated = format_timestamp(order.created_at), format_timestamp(order.updated_at)
    page.text(f"Placed {placed}   updated {updated}")
    page.gap()
    page.text("Customer", bold=True)
    page.text(f"{order.customer_name} <{order.customer_email}>")
    page.text("Deliver to", bold=True)
    for address_line in _address_lines(snapshot):
        page.text(address_line)
    page.gap()

    page.row("Item", "Qty", "Unit price", "Total", bold=True)
    for line in order.lines:
        page.row(
            line.name,
            str(line.quantity),
            _money(line.unit_price, order.currency),
            _money(line.line_total, order.currency),
        )
    page.rule()
    page.row("Subtotal", "", "", _money(order.subtotal, order.currency))
    page.row("Delivery", "", "", _money(order.delivery_fee, order.currency))
    page.row("Total", "", "", _money(order.total, order.currency), bold=True)
    page.gap()

    page.text("Transactions", bold=True)
    for transaction in snapshot.transactions:
        page.row(
            f"{format_timestamp(transaction.created_at)}  {transaction.kind.value}",
            "",
            "",
            _money(transaction.amount, transaction.currency),
        )
        # The note says why the amount moved (which units, at what price): shown whole.
        for note_line in textwrap.wrap(transaction.note or "", _NOTE_WIDTH):
            page.text(f"    {note_line}", size=9)
    balance = sum(transaction.amount for transaction in snapshot.transactions)
    page.row("Balance", "", "", _money(balance, order.currency), bold=True)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _address_lines(snapshot: OrderSnapshot) -> Iterator[str]:
    address = snapshot.order.delivery_address
    yield address.line1
    if address.line2:
        yield address.line2
    yield f"{address.postal_code} {address.city}"
    yield address.country


def _money(amount: int, currency: str) -> str:
    return Money(amount, currency).display


class _Page:
    """A cursor down the page that starts a new page when it reaches the bottom."""

    def __init__(self, canvas: Canvas) -> None:
        self._canvas = canvas
        self._y = _TOP

    def text(
        self,
        value: str,
        *,
        size: float = 10,
        bold: bool = False,
        color: colors.Color = colors.black,
    ) -> None:
        self._advance(size)
        self._font(size, bold)
        self._canvas.setFillColor(color)
        self._canvas.drawString(_LEFT, self._y, _fit(value, 110))
        self._canvas.setFillColor(colors.black)

    def row(self, name: str, quantity: str, unit: str, total: str, *, bold: bool = False) -> None:
        self._advance(10)
        self._font(10, bold)
        self._canvas.drawString(_LEFT, self._y, _fit(name, 60))
        self._canvas.drawRightString(_QUANTITY_X, self._y, quantity)
        self._canvas.drawRightString(_UNIT_X, self._y, _fit(unit, 24))
        self._canvas.drawRightString(_TOTAL_X, self._y, total)

    def rule(self) -> None:
        self._advance(4)
        self._canvas.line(_LEFT, self._y + 3, _RIGHT, self._y + 3)

    def gap(self) -> None:
        self._y -= _LINE / 2

    def _advance(self, size: float) -> None:
        self._y -= max(_LINE, size * 1.4)
        if self._y < _BOTTOM:
            self._canvas.showPage()
            self._y = _TOP - _LINE

    def _font(self, size: float, bold: bool) -> None:
        self._canvas.setFont("Helvetica-Bold" if bold else "Helvetica", size)


def _fit(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"
