"""Receipt PDFs, read back as text: what a customer sees on each version of their order."""

from __future__ import annotations

import io
import re

import pypdf
import pytest

from domain.money import Money
from domain.notifications import BusinessProfile, OrderSnapshot
from domain.orders import DeliveryPriority
from tests.factories import (
    KETTLE,
    MUG,
    TEA,
    a_business,
    a_cancellation,
    a_catalogue,
    a_line,
    a_modification,
    a_product,
    a_profile,
    a_snapshot,
    an_address,
    an_order_placement,
)
from workers.receipts import render_receipt


def _read(snapshot: OrderSnapshot, business: BusinessProfile | None = None) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(render_receipt(snapshot, business or a_business())))


def _receipt_text(snapshot: OrderSnapshot, business: BusinessProfile | None = None) -> str:
    """The receipt's text as laid out on its pages, each run of spaces made one space."""
    pages = (
        page.extract_text(extraction_mode="layout") for page in _read(snapshot, business).pages
    )
    return "\n".join(re.sub(r" {2,}", " ", page) for page in pages)


def test_receipt_names_the_business_its_contact_and_the_order_version() -> None:
    business = a_business(
        name="Tea & Cake Co",
        phone="+44 20 7946 0000",
        orders_email="orders@teacake.example",
        postal_address="1 Market Street, London",
    )
    placement = an_order_placement()
    modified = a_modification(placement.order, items=(a_line(MUG, 1),))

    text = _receipt_text(a_snapshot(placement, modified), business)

    for business_line in ("Tea & Cake Co", "+44 20 7946 0000", "orders@teacake.example"):
        assert business_line in text
    assert "1 Market Street, London" in text
    assert f"Order {placement.order.id} version 2" in text


def test_receipt_lists_each_line_with_quantity_unit_price_and_line_total() -> None:
    placement = an_order_placement(items=(a_line(TEA, 3), a_line(KETTLE, 1)))

    text = _receipt_text(a_snapshot(placement))

    assert "Green tea 3 $4.50 $13.50" in text
    assert "Kettle 1 $25.99 $25.99" in text


def test_receipt_shows_units_added_at_a_later_price_on_a_line_of_their_own() -> None:
    placement = an_order_placement(items=(a_line(TEA, 1),))
    repriced = a_catalogue(a_product(sku=TEA, price=4500))
    raised = a_modification(placement.order, items=(a_line(TEA, 3),), catalogue=repriced)

    text = _receipt_text(a_snapshot(placement, raised))

    assert "Green tea 1 $4.50 $4.50" in text
    assert "Green tea 2 $45.00 $90.00" in text
    assert re.search(r"ADJUSTMENT \$90\.00\n Order modified: \+2 TEA-001 at \$45\.00", text)


def test_receipt_totals_the_lines_and_adds_the_delivery_fee() -> None:
    placement = an_order_placement(items=(a_line(TEA, 3), a_line(KETTLE, 1)))

    text = _receipt_text(a_snapshot(placement))

    assert "Subtotal $39.49" in text
    assert "Delivery $4.99" in text
    assert "Total $44.48" in text


def test_receipt_shows_the_customer_and_the_delivery_address() -> None:
    address = an_address(
        line1="12 Analytical Row", line2="Flat 3", postal_code="N1 9GU", city="London"
    )
    placement = an_order_placement(
        customer=a_profile(name="Ada Lovelace", email="ada@example.com"), delivery_address=address
    )

    text = _receipt_text(a_snapshot(placement))

    assert "Ada Lovelace <ada@example.com>" in text
    for address_line in ("12 Analytical Row", "Flat 3", "N1 9GU London", "GB"):
        assert address_line in text


def test_receipt_lists_each_transaction_of_the_order() -> None:
    placement = an_order_placement(items=(a_line(TEA, 2),))
    modified = a_modification(placement.order, items=(a_line(TEA, 2), a_line(MUG, 1)))

    text = _receipt_text(a_snapshot(placement, modified))

    assert re.search(r"CHARGE \$13\.99\n Order placed", text)
    assert re.search(r"ADJUSTMENT \$12\.99\n Order modified: \+1 MUG-002 at \$12\.99", text)
    assert "Balance $26.98" in text


@pytest.mark.parametrize(
    ("priority", "marked_urgent"),
    [(DeliveryPriority.URGENT, True), (DeliveryPriority.STANDARD, False)],
)
def test_only_an_urgent_order_receipt_says_urgent(
    priority: DeliveryPriority, marked_urgent: bool
) -> None:
    text = _receipt_text(a_snapshot(an_order_placement(priority=priority)))

    assert ("URGENT" in text) is marked_urgent


def test_cancelled_order_receipt_says_cancelled_and_shows_the_refund() -> None:
    placement = an_order_placement(items=(a_line(TEA, 2),))
    cancelled = a_cancellation(placement.order, reason="Ordered twice")

    text = _receipt_text(a_snapshot(placement, cancelled))

    assert "RECEIPT - CANCELLED" in text  # its heading, not just its status field
    assert re.search(r"REFUND -\$13\.99\n Ordered twice", text)
    assert "Balance $0.00" in text


def test_a_live_order_receipt_does_not_say_cancelled() -> None:
    assert "CANCELLED" not in _receipt_text(a_snapshot(an_order_placement()))


def test_a_hundred_line_order_continues_over_pages_with_every_line() -> None:
    products = [
        a_product(sku=f"SKU-{n:03}", name=f"Item {n:03}", price=100 + n) for n in range(100)
    ]
    placement = an_order_placement(
        items=[a_line(product.sku, 2) for product in products],
        catalogue=a_catalogue(*products),
    )
    snapshot = a_snapshot(placement)

    text = _receipt_text(snapshot)

    assert len(_read(snapshot).pages) > 1
    for n, product in enumerate(products):
        unit, total = Money(product.price).display, Money(2 * product.price).display
        assert f"Item {n:03} 2 {unit} {total}" in text
    assert "Total $303.99" in text  # 2 x ($1.00 + ... + $1.99) + $4.99 delivery


def test_customer_text_with_markup_and_accents_prints_as_written() -> None:
    placement = an_order_placement(
        customer=a_profile(name="Zoë <b>"),
        delivery_address=an_address(line1="5 Rue de l'Église & <i>Co</i>"),
    )

    text = _receipt_text(a_snapshot(placement))

    assert "Zoë <b> <ada@example.com>" in text
    assert "5 Rue de l'Église & <i>Co</i>" in text


@pytest.mark.xfail(
    strict=True,
    reason="LIMITATION: receipts draw with Helvetica (Latin-1 only): another script prints "
    "as ■ (workers/receipts.py:142)",
)
def test_a_customer_name_in_another_script_prints_as_written() -> None:
    placement = an_order_placement(customer=a_profile(name="李小龍"))

    assert "李小龍" in _receipt_text(a_snapshot(placement))
