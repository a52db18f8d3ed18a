"""Receipt PDFs, read back as text: what a customer sees on each version of their order."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pypdf
import pytest
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.pdfbase import pdfmetrics

from domain.delivery import DeliveryPromise
from domain.money import Money
from domain.notifications import BusinessProfile, OrderSnapshot, order_number
from domain.orders import DeliveryPriority, Order, OrderChange
from tests.factories import (
    KETTLE,
    MUG,
    TEA,
    a_business,
    a_cancellation,
    a_catalogue,
    a_delivery,
    a_line,
    a_modification,
    a_product,
    a_profile,
    a_snapshot,
    an_address,
    an_order_placement,
)
from workers.receipt_fonts import font_runs
from workers.receipts import render_receipt

# Where the PNG preview of a receipt lands (git-ignored build output), for a person to look at.
PREVIEW_DIR = Path(__file__).resolve().parents[2] / "build" / "receipt-preview"


def _read(snapshot: OrderSnapshot, business: BusinessProfile | None = None) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(render_receipt(snapshot, business or a_business())))


def _receipt_text(snapshot: OrderSnapshot, business: BusinessProfile | None = None) -> str:
    """The receipt's text as laid out on its pages, each run of spaces made one space."""
    pages = (
        page.extract_text(extraction_mode="layout") for page in _read(snapshot, business).pages
    )
    return "\n".join(re.sub(r" {2,}", " ", page) for page in pages)


def test_receipt_names_the_business_its_contact_and_the_order_by_number_and_full_id() -> None:
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
    assert f"Order {order_number(placement.order.id)}" in text
    assert f"Order ID {placement.order.id} - receipt version 2" in text  # the small print


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
    assert re.search(r"Change to order \$90\.00\n Order modified: \+2 TEA-001 at \$45\.00", text)


def test_receipt_totals_the_lines_and_adds_the_delivery_fee() -> None:
    placement = an_order_placement(items=(a_line(TEA, 3), a_line(KETTLE, 1)))

    text = _receipt_text(a_snapshot(placement))

    assert "Subtotal $39.49" in text
    assert "Delivery $4.99" in text
    assert "Total $44.48" in text


def test_receipt_shows_the_customer_the_delivery_address_and_their_note() -> None:
    address = an_address(
        line1="12 Analytical Row", line2="Flat 3", postal_code="N1 9GU", city="London"
    )
    placement = an_order_placement(
        customer=a_profile(name="Ada Lovelace", email="ada@example.com"),
        delivery_address=address,
        notes="Ring twice",
    )

    text = _receipt_text(a_snapshot(placement))

    assert "Ada Lovelace <ada@example.com>" in text
    assert "Note: Ring twice" in text
    for address_line in ("12 Analytical Row", "Flat 3", "N1 9GU London", "GB"):
        assert address_line in text


def test_receipt_lists_each_payment_in_words_a_customer_reads_with_its_local_time() -> None:
    placement = an_order_placement(items=(a_line(TEA, 2),))
    modified = a_modification(placement.order, items=(a_line(TEA, 2), a_line(MUG, 1)))

    text = _receipt_text(a_snapshot(placement, modified))

    assert re.search(r"Fri, Mar 14, 2025, 5:26 AM EDT Paid \$13\.99\n Order placed", text)
    assert re.search(
        r"Fri, Mar 14, 2025, 6:26 AM EDT Change to order \$12\.99\n"
        r" Order modified: \+1 MUG-002 at \$12\.99",
        text,
    )
    assert "Total paid $26.98" in text
    for ledger_word in ("CHARGE", "ADJUSTMENT", "Balance"):
        assert ledger_word not in text


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

    assert "Receipt - order cancelled" in text  # its heading, not just its status field
    assert "Status: Cancelled" in text
    assert re.search(r"Refund -\$13\.99\n Ordered twice", text)
    assert "Total paid $0.00" in text


def test_a_live_order_receipt_does_not_say_cancelled() -> None:
    assert "cancelled" not in _receipt_text(a_snapshot(an_order_placement())).lower()


def test_a_cancelled_urgent_order_receipt_has_no_urgent_banner() -> None:
    placement = an_order_placement(priority=DeliveryPriority.URGENT)

    text = _receipt_text(a_snapshot(placement, a_cancellation(placement.order)))

    assert "URGENT" not in text
    assert "Urgent delivery $14.99" in text  # the fee it was charged, then refunded


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


@pytest.mark.parametrize(
    "name",
    ["李小龍", "Ἀλέξανδρος Παπαδόπουλος", "Пётр Чайковский", "Nguyễn Thị Minh", "김민준", "さくら"],
    ids=["chinese", "greek", "russian", "vietnamese", "korean", "japanese"],
)
def test_a_customer_name_in_another_script_prints_as_written(name: str) -> None:
    placement = an_order_placement(customer=a_profile(name=name))

    assert f"{name} <ada@example.com>" in _receipt_text(a_snapshot(placement))


@pytest.mark.parametrize("name", ["שרה כהן", "محمد علي"], ids=["hebrew", "arabic"])
def test_a_right_to_left_name_prints_each_word_as_written(name: str) -> None:
    placement = an_order_placement(customer=a_profile(name=name))

    # Drawn in visual order with Arabic letters joined; pypdf's plain extraction reads each
    # right-to-left word back in logical order, and NFKC unjoins the Arabic letters.
    page = _read(a_snapshot(placement)).pages[0]
    text = unicodedata.normalize("NFKC", page.extract_text())

    for word in name.split():
        assert word in text


def test_every_character_of_a_mixed_script_name_has_a_glyph_in_a_shipped_face() -> None:
    name = "Zoë 李小龍 Ἀλέξανδρος Пётр שרה محمد 김민준 さくら"

    faces = {face for face, _ in font_runs(name)}

    assert faces == {"NotoSans", "NotoSansSC", "NotoSansHebrew", "NotoSansArabic", "NotoSansKR"}
    assert all(
        ord(char) in pdfmetrics.getFont(face).face.charToGlyph  # type: ignore[attr-defined]
        for face, run in font_runs(name)
        for char in run
    )


def test_the_receipt_embeds_its_fonts_and_no_standard_font() -> None:
    placement = an_order_placement(customer=a_profile(name="Zoë 李小龍"))
    page = _read(a_snapshot(placement)).pages[0]

    fonts = page["/Resources"]["/Font"]
    descriptors = [font.get_object() for font in fonts.values()]

    assert descriptors
    assert all(font["/Subtype"] in ("/TrueType", "/Type0") for font in descriptors)
    assert not any("Helvetica" in str(font["/BaseFont"]) for font in descriptors)


# --- where the business is: its clock, its paper, its promise ----------------------------


def test_dates_are_on_the_business_clock_and_name_its_zone() -> None:
    placement = an_order_placement()  # placed 09:26 UTC

    new_york = _receipt_text(a_snapshot(placement))
    tokyo = _receipt_text(a_snapshot(placement), a_business(time_zone="Asia/Tokyo"))

    assert "Placed Fri, Mar 14, 2025, 5:26 AM EDT" in new_york
    assert "Placed Fri, Mar 14, 2025, 6:26 PM JST" in tokyo


@pytest.mark.parametrize(
    ("country", "size"),
    [("US", LETTER), ("CA", LETTER), ("MX", LETTER), ("GB", A4), ("DE", A4), ("JP", A4)],
)
def test_the_page_size_follows_the_business_country(
    country: str, size: tuple[float, float]
) -> None:
    page = _read(a_snapshot(an_order_placement()), a_business(country=country)).pages[0]

    assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(size)


def test_the_receipt_carries_a_title_author_and_subject() -> None:
    placement = an_order_placement(customer=a_profile(name="Ada Lovelace"))
    number = order_number(placement.order.id)

    metadata = _read(a_snapshot(placement), a_business(name="Tea & Cake Co")).metadata

    assert metadata is not None
    assert metadata.title == f"Receipt for order {number}"
    assert metadata.author == "Tea & Cake Co"
    assert metadata.subject == f"Tea & Cake Co receipt for order {number} (Ada Lovelace)"


@pytest.mark.parametrize(
    ("priority", "promised"),
    [
        (DeliveryPriority.URGENT, "Fri, Mar 14, 2025, 9:26 AM EDT"),  # 4 hours
        (DeliveryPriority.STANDARD, "Sun, Mar 16, 2025, 5:26 AM EDT"),  # 2 days
    ],
)
def test_a_live_order_receipt_gives_the_estimated_delivery(
    priority: DeliveryPriority, promised: str
) -> None:
    text = _receipt_text(a_snapshot(an_order_placement(priority=priority)))

    assert f"Estimated delivery by {promised}" in text


def test_the_estimate_follows_the_business_promise() -> None:
    business = a_business(delivery_promise=DeliveryPromise(urgent_hours=1, standard_days=5))

    text = _receipt_text(a_snapshot(an_order_placement()), business)

    assert "Estimated delivery by Wed, Mar 19, 2025, 5:26 AM EDT" in text


@pytest.mark.parametrize("finish", [a_cancellation, a_delivery], ids=["cancelled", "delivered"])
def test_a_finished_order_receipt_gives_no_estimate(
    finish: Callable[[Order], OrderChange],
) -> None:
    placement = an_order_placement()

    text = _receipt_text(a_snapshot(placement, finish(placement.order)))

    assert "Estimated delivery" not in text


def test_the_receipt_thanks_the_customer_and_gives_the_contact_and_order_on_every_page() -> None:
    products = [a_product(sku=f"SKU-{n:03}", name=f"Item {n:03}") for n in range(80)]
    placement = an_order_placement(
        items=[a_line(product.sku, 1) for product in products], catalogue=a_catalogue(*products)
    )
    pages = _read(a_snapshot(placement)).pages

    texts = [page.extract_text() for page in pages]

    assert len(texts) > 1
    assert "Thank you for shopping with Tea & Cake Co!" in texts[-1]
    for number, text in enumerate(texts, start=1):
        assert "Questions about your order? orders@teacake.example" in text
        assert f"Page {number}" in text
    for text in texts[1:]:
        assert text.startswith(f"Order {order_number(placement.order.id)}, continued")


def test_a_receipt_renders_to_a_png_a_person_can_look_at(tmp_path: Path) -> None:
    """Writes build/receipt-preview/*.png when poppler's pdftoppm is installed, to look at."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    placement = an_order_placement(
        customer=a_profile(name="Zoë 李小龍 Ἀλέξανδρος Пётр שרה כהן محمد علي 김민준"),
        priority=DeliveryPriority.URGENT,
        items=(a_line(TEA, 3), a_line(KETTLE, 1)),
        notes="Leave it with the neighbour",
    )
    modified = a_modification(placement.order, items=(a_line(TEA, 3), a_line(MUG, 2)))
    pdf = tmp_path / "receipt.pdf"
    pdf.write_bytes(render_receipt(a_snapshot(placement, modified), a_business()))
    out = PREVIEW_DIR / "receipt"
    PREVIEW_DIR.mkdir(parents=True, exist_ok=True)

    subprocess.run([pdftoppm, "-r", "100", "-png", str(pdf), str(out)], check=True)

    assert (PREVIEW_DIR / "receipt-1.png").read_bytes().startswith(b"\x89PNG")
