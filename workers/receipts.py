"""Receipt PDFs: one per order version, rendered with reportlab from an order snapshot."""

from __future__ import annotations

import io
import textwrap
from collections.abc import Iterator

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject

from domain.notifications import BusinessProfile, OrderSnapshot, PaperSize, order_number
from domain.orders import DeliveryPriority, OrderStatus
from workers.order_wording import (
    STATUS_WORDS,
    TRANSACTION_WORDS,
    delivery_label,
    human_time,
    money,
)
from workers.receipt_fonts import THICKEN, font_runs, primary_face, runs_width

# Streams compressed but not also ASCII85-encoded: a binary PDF, smaller and quicker to write.
# The worker draws no other PDF, so the process-wide setting is this module's alone.
rl_config.useA85 = 0

PAGE_SIZES = {PaperSize.LETTER: LETTER, PaperSize.A4: A4}
_MARGIN = 18 * mm
_FOOTER = 16 * mm  # the band at the foot of each page that holds the business's contact
_LINE = 5.2 * mm
_GREY = colors.Color(0.4, 0.4, 0.4)
_BOLD = 0.04  # the outline stroke, in ems, that makes Regular look bold
_NOTE_WIDTH = 100  # characters of a transaction's note per line, in the 9-point font


def render_receipt(snapshot: OrderSnapshot, business: BusinessProfile) -> bytes:
    """The receipt of one order version; a very long order continues on further pages."""
    buffer = io.BytesIO()
    page_size = PAGE_SIZES[business.paper_size]
    # Begun in our face: a canvas that starts in Helvetica lists it on every page, drawn or not.
    canvas = Canvas(
        buffer,
        pagesize=page_size,
        pageCompression=1,
        initialFontName=primary_face(),  # type: ignore[arg-type]  # the stubs say float: a slip
    )
    order = snapshot.order
    number = order_number(order.id)
    canvas.setTitle(f"Receipt for order {number}")
    canvas.setAuthor(business.name)
    canvas.setSubject(f"{business.name} receipt for order {number} ({order.customer_name})")
    canvas.setCreator(business.name)
    page = _Page(canvas, page_size, _footer(business), f"Order {number}, continued")
    cancelled = order.status is OrderStatus.CANCELLED

    page.text(business.name, size=16, bold=True)
    page.gap()
    page.text("Receipt - order cancelled" if cancelled else "Receipt", size=14, bold=True)
    if order.priority is DeliveryPriority.URGENT and not cancelled:
        page.text("URGENT DELIVERY", size=12, bold=True, color=colors.red)
    if cancelled:
        page.text("This order was cancelled and its payments refunded.", color=colors.red)
    page.text(f"Order {number}", size=12, bold=True)
    page.text(f"Order ID {order.id} - receipt version {order.version}", size=7, color=_GREY)
    page.text(f"Placed {human_time(business.local_time(order.created_at))}")
    if order.updated_at != order.created_at:
        page.text(f"Updated {human_time(business.local_time(order.updated_at))}")
    page.text(f"Status: {STATUS_WORDS[order.status]}")
    promised = business.promised_delivery(order)
    if promised is not None:
        page.text(f"Estimated delivery by {human_time(promised)}", bold=True)
    page.gap()
    page.text("Customer", bold=True)
    page.text(f"{order.customer_name} <{order.customer_email}>")
    page.text("Deliver to", bold=True)
    for address_line in _address_lines(snapshot):
        page.text(address_line)
    if order.notes:
        page.text(f"Note: {order.notes}", color=_GREY)
    page.gap()

    page.row("Item", "Qty", "Unit price", "Total", bold=True)
    for line in order.lines:
        page.row(
            line.name,
            str(line.quantity),
            money(line.unit_price, order.currency),
            money(line.line_total, order.currency),
        )
    page.rule()
    page.row("Subtotal", "", "", money(order.subtotal, order.currency))
    page.row(delivery_label(order.priority), "", "", money(order.delivery_fee, order.currency))
    page.row("Total", "", "", money(order.total, order.currency), bold=True)
    page.gap()

    page.text("Payments", bold=True)
    for transaction in snapshot.transactions:
        when = human_time(business.local_time(transaction.created_at))
        page.row(
            f"{when}  {TRANSACTION_WORDS[transaction.kind]}",
            "",
            "",
            money(transaction.amount, transaction.currency),
        )
        # The note says why the amount moved (which units, at what price): shown whole.
        for note_line in textwrap.wrap(transaction.note or "", _NOTE_WIDTH):
            page.text(f"    {note_line}", size=9, color=_GREY)
    paid = sum(transaction.amount for transaction in snapshot.transactions)
    page.row("Total paid", "", "", money(paid, order.currency), bold=True)
    page.gap()
    page.gap()
    page.text(f"Thank you for shopping with {business.name}!", size=11, bold=True)
    page.finish()
    canvas.save()
    return buffer.getvalue()


def _footer(business: BusinessProfile) -> str:
    contact = (business.orders_email, business.phone, business.postal_address)
    return "Questions about your order? " + " - ".join(part for part in contact if part)


def _address_lines(snapshot: OrderSnapshot) -> Iterator[str]:
    address = snapshot.order.delivery_address
    yield address.line1
    if address.line2:
        yield address.line2
    yield f"{address.postal_code} {address.city}"
    yield address.country


class _Page:
    """A cursor down the page that starts a new page when it reaches the footer."""

    def __init__(
        self, canvas: Canvas, size: tuple[float, float], footer: str, continued: str
    ) -> None:
        self._canvas = canvas
        self._width, self._height = size
        self._footer = footer
        self._continued = continued
        self._left, self._right = _MARGIN, self._width - _MARGIN
        # Columns of the lines table: name, quantity, unit price, line total (right-aligned).
        self._quantity_x, self._unit_x = self._right - 75 * mm, self._right - 35 * mm
        self._top, self._bottom = self._height - _MARGIN, _MARGIN + _FOOTER
        self._y = self._top
        self._number = 1
        # The page's colour and line width as last set (a new page starts with the defaults).
        self._color: colors.Color = colors.black
        self._line_width = 1.0

    def text(
        self,
        value: str,
        *,
        size: float = 10,
        bold: bool = False,
        color: colors.Color = colors.black,
    ) -> None:
        self._advance(size)
        self._draw(self._left, _fit(value, 110), size, bold=bold, color=color)

    def row(self, name: str, quantity: str, unit: str, total: str, *, bold: bool = False) -> None:
        self._advance(10)
        self._draw(self._left, _fit(name, 60), 10, bold=bold)
        self._draw(self._quantity_x, quantity, 10, bold=bold, right=True)
        self._draw(self._unit_x, _fit(unit, 24), 10, bold=bold, right=True)
        self._draw(self._right, total, 10, bold=bold, right=True)

    def rule(self) -> None:
        self._advance(4)
        self._pen(colors.black, 1)
        self._canvas.line(self._left, self._y + 3, self._right, self._y + 3)

    def gap(self) -> None:
        self._y -= _LINE / 2

    def finish(self) -> None:
        self._draw_footer()
        self._new_page()

    def _new_page(self) -> None:
        self._canvas.showPage()
        self._color, self._line_width = colors.black, 1.0

    def _advance(self, size: float) -> None:
        self._y -= max(_LINE, size * 1.4)
        if self._y < self._bottom:
            self._draw_footer()
            self._new_page()
            self._number += 1
            self._y = self._top
            self._draw(self._left, self._continued, 8, color=_GREY)
            self._y -= _LINE * 1.5

    def _draw_footer(self) -> None:
        y = _MARGIN
        self._pen(_GREY, 1)
        self._canvas.line(self._left, y + 5 * mm, self._right, y + 5 * mm)
        self._draw(self._left, _fit(self._footer, 120), 8, color=_GREY, y=y)
        self._draw(self._right, f"Page {self._number}", 8, color=_GREY, right=True, y=y)

    def _pen(self, color: colors.Color, line_width: float | None = None) -> None:
        """Set the colour (fill and stroke) and the line width, each only when it changes: the
        state lasts to the page's end, so no text needs its own saved and restored state."""
        if color != self._color:
            self._canvas.setFillColor(color)
            self._canvas.setStrokeColor(color)
            self._color = color
        if line_width is not None and line_width != self._line_width:
            self._canvas.setLineWidth(line_width)
            self._line_width = line_width

    def _draw(
        self,
        x: float,
        value: str,
        size: float,
        *,
        bold: bool = False,
        color: colors.Color = colors.black,
        right: bool = False,
        y: float | None = None,
    ) -> None:
        """Draw `value` run by run, each in a face that has its characters. The files hold one
        weight: heavier text is the glyphs filled and outlined (text render mode 2), with an
        outline as wide as the face needs: one text object for the line, or one for each stretch
        of runs that share an outline width."""
        runs = font_runs(value)  # laid out once: for the width and for drawing
        if right:
            x -= runs_width(runs, size)
        y = self._y if y is None else y
        self._pen(color)
        canvas = self._canvas
        text = canvas.beginText(x, y)
        for face, run in runs:
            thicken = THICKEN[face] + (_BOLD if bold else 0.0)
            if thicken and size * thicken != self._line_width:
                # The line width is set outside a text object: end this one where the run starts.
                if text.getX() != x:
                    x = text.getX()
                    self._end_text(text)
                    text = canvas.beginText(x, y)
                self._pen(color, size * thicken)
            text.setTextRenderMode(2 if thicken else 0)
            text.setFont(face, size)
            text.textOut(run)
        self._end_text(text)

    def _end_text(self, text: PDFTextObject) -> None:
        # The render mode outlives the text object: leave it at fill-only, as the next expects.
        text.setTextRenderMode(0)
        self._canvas.drawText(text)


def _fit(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"
