"""The web app in a real browser, driven by accessible names, against the local service."""

from __future__ import annotations

import os
import re
import urllib.parse
import uuid
from pathlib import Path

import pytest
from playwright.async_api import Locator, Page, Request, ViewportSize, expect

from app.local.server import DEMO_CUSTOMER
from app.web_site import WEB_DIST
from domain.notifications import order_number
from tests.e2e import operations as op
from tests.e2e.browser import assert_accessible, chromium_context
from tests.e2e.conftest import LiveServer
from tests.e2e.test_order_lifecycle import place, registered_customer

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.timeout(240)]
PHONE: ViewportSize = {"width": 375, "height": 812}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
# A directory for the README's screenshots (`make screenshots` names docs/). Unset, each test
# keeps them in its temporary directory, so a test run never changes the working tree.
SCREENSHOTS_DIR = "ORDER_DELIVERY_SCREENSHOTS"


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    directory = Path(os.environ.get(SCREENSHOTS_DIR) or tmp_path)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _require_build() -> None:
    if not (WEB_DIST / "index.html").is_file():
        pytest.fail("web/dist is not built: run `make install` (it runs `npm run build` in web/)")


async def _fits_a_phone_and_is_accessible(page: Page) -> None:
    await assert_accessible(page)
    overflow = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} is {overflow}px wider than a 375px phone"


async def _screenshot_on_a_desktop(page: Page, path: Path) -> None:
    """The whole page at a desktop's width, saved as a PNG; then back to a phone's width."""
    await page.set_viewport_size(DESKTOP)
    # Nothing left focused from the last step: no focus ring in the picture.
    await page.evaluate(
        "document.activeElement instanceof HTMLElement && document.activeElement.blur()"
    )
    await page.screenshot(path=path, full_page=True, animations="disabled", caret="hide")
    await page.set_viewport_size(PHONE)


async def test_a_customer_signs_in_registers_orders_urgently_and_cancels(
    live_server: LiveServer, tmp_path: Path, screenshots: Path
) -> None:
    _require_build()
    origin = live_server.graphql_url.removesuffix("/graphql")
    requested: list[str] = []

    def remember(request: Request) -> None:
        requested.append(request.url)

    async with chromium_context(tmp_path) as context:
        page = await context.new_page()
        await page.set_viewport_size(PHONE)
        page.on("request", remember)
        await page.goto(f"{origin}/")
        await expect(page.get_by_role("button", name="Continue as demo customer")).to_be_visible()
        await _fits_a_phone_and_is_accessible(page)

        await page.get_by_role("button", name="Continue as demo customer").click()
        await page.get_by_role("link", name="Profile").click()
        await page.get_by_label("Name").fill("Dana Demo")
        await page.get_by_label("Address line 1").fill("1 Main St")
        await page.get_by_label("City").fill("Springfield")
        await page.get_by_label("Postal code").fill("12345")
        await page.get_by_label("Country").fill("US")
        await page.get_by_role("button", name="Save profile").click()
        await expect(page.get_by_text("Profile saved.")).to_be_visible(timeout=30_000)
        await _fits_a_phone_and_is_accessible(page)

        await page.get_by_role("link", name="Shop", exact=True).click()
        await page.get_by_label("Quantity of Butter croissant").fill("3")
        await page.get_by_label("Quantity of Coffee beans, 1 kg").fill("1")
        await page.get_by_label("Urgent delivery").check()
        cart = page.locator(".cart")
        await expect(cart.get_by_text("Total")).to_be_visible()
        # The quote is debounced: wait for the urgent one, not whichever came first.
        dana = live_server.token(DEMO_CUSTOMER.sub)
        basket = [{"sku": "CROISSANT", "quantity": 3}, {"sku": "COFFEE-1KG", "quantity": 1}]
        urgent_quote = live_server.graphql(
            dana, op.QUOTE, input={"items": basket, "priority": "URGENT"}
        )["quote"]
        await expect(cart.locator("dd.total")).to_have_text(urgent_quote["total"]["display"])
        quoted_total = await cart.locator("dd.total, .total + dd").first.inner_text()
        await _fits_a_phone_and_is_accessible(page)
        await _screenshot_on_a_desktop(page, screenshots / "shop.png")
        await page.get_by_role("button", name="Place order").dblclick()

        await expect(page.get_by_role("heading", name=re.compile("^Order "))).to_be_visible(
            timeout=30_000
        )
        await expect(page.get_by_text("Placed", exact=True).first).to_be_visible()
        assert quoted_total.strip() in await page.locator("main").inner_text()
        await _fits_a_phone_and_is_accessible(page)

        # The receipt: a presigned link to the emulator's bucket, a real PDF.
        receipt = page.get_by_role("link", name="Receipt (PDF)")
        for _ in range(30):
            if await receipt.count():
                break
            await page.wait_for_timeout(500)
            await page.reload()
        url = await receipt.get_attribute("href")
        assert url is not None
        pdf = await context.request.get(url)
        assert pdf.ok
        assert (await pdf.body()).startswith(b"%PDF-")

        # Someone changes the order behind this page's back: saving from the old version is
        # refused with a way to reload, and saving again from the reloaded order works.
        order_id = page.url.rsplit("/", 1)[-1]
        behind = live_server.graphql(
            dana,
            op.MODIFY,
            input={"orderId": order_id, "notes": "ring twice"},
        )["modifyOrder"]
        assert live_server.graphql.wait_for_command(dana, behind["commandId"])["state"] == "APPLIED"
        await page.get_by_label("Quantity of Butter croissant").fill("4")
        await page.get_by_role("button", name="Save changes").click()
        await expect(page.get_by_text("This order changed since you opened it")).to_be_visible(
            timeout=30_000
        )
        await page.get_by_role("button", name="Reload order").click()
        await expect(page.get_by_text("This order changed since you opened it")).to_be_hidden()
        await expect(page.get_by_label("Notes for the driver")).to_have_value("ring twice")
        await page.get_by_label("Quantity of Butter croissant").fill("4")
        await page.get_by_role("button", name="Save changes").click()
        # The page knows the new version once its command is applied: only then is cancelling
        # from it current (clicking earlier would rightly be refused as stale).
        await expect(page.get_by_text("Changes saved.")).to_be_visible(timeout=30_000)
        for _ in range(60):
            changed = live_server.graphql(dana, op.ORDER, id=order_id)["order"]
            if changed["version"] == 3:
                break
            await page.wait_for_timeout(500)
        assert {item["sku"]: item["quantity"] for item in changed["items"]} == {
            "CROISSANT": 4,
            "COFFEE-1KG": 1,
        }
        assert changed["notes"] == "ring twice"  # the change made behind its back was kept
        await expect(page.get_by_role("heading", name=re.compile("^Order "))).to_be_visible()

        await page.get_by_role("button", name="Cancel order").click()
        await page.get_by_role("button", name="Confirm cancellation").click()
        await expect(page.get_by_text("Cancelled", exact=True).first).to_be_visible(timeout=30_000)
        await expect(page.get_by_text("$0.00").first).to_be_visible()

        await _fits_a_phone_and_is_accessible(page)
        await page.get_by_role("link", name="My orders").click()
        # One order, though Place order was clicked twice: one idempotency key per checkout.
        await expect(page.locator("main a[href*='#/orders/']")).to_have_count(1)
        await expect(page.locator("main li").get_by_text("Cancelled")).to_be_visible()
        await _fits_a_phone_and_is_accessible(page)

    hosts = {urllib.parse.urlsplit(url).hostname for url in requested if url.startswith("http")}
    assert hosts == {"127.0.0.1"}, hosts


def _board_column(page: Page, heading: str) -> Locator:
    return page.locator("section").filter(has=page.get_by_role("heading", name=heading, exact=True))


async def test_staff_dispatch_and_deliver_from_the_board_and_add_a_product(
    live_server: LiveServer, tmp_path: Path, screenshots: Path
) -> None:
    _require_build()
    origin = live_server.graphql_url.removesuffix("/graphql")
    # The urgent order is placed first, so heading the board is its urgency, not its age.
    ben = registered_customer(live_server, "ben")
    urgent = place(live_server, ben, items=[{"sku": "CHOC-CAKE", "quantity": 1}], priority="URGENT")
    urgent_number = order_number(urgent["orderId"])
    ann = registered_customer(live_server, "ann")
    placed = place(live_server, ann, items=[{"sku": "COFFEE-1KG", "quantity": 1}])
    number = order_number(placed["orderId"])
    cleo = registered_customer(live_server, "cleo")
    place(live_server, cleo, items=[{"sku": "CROISSANT", "quantity": 4}])
    product = f"Rye loaf {uuid.uuid4().hex[:6]}"

    async with chromium_context(tmp_path) as context:
        page = await context.new_page()
        await page.set_viewport_size(PHONE)
        await page.goto(f"{origin}/")
        await page.get_by_role("button", name="Continue as demo staff").click()

        card = page.get_by_role("article").filter(has_text=f"Order {number}")
        await expect(card.get_by_role("button", name="Dispatch")).to_be_visible()
        placed_first = await _board_column(page, "Placed").locator("article h3 a").all_inner_texts()
        assert placed_first.index(f"Order {urgent_number}") < placed_first.index(f"Order {number}")

        await card.get_by_role("button", name="Dispatch").click()
        await expect(card.get_by_role("button", name="Mark delivered")).to_be_visible(
            timeout=30_000
        )
        await expect(card).to_have_count(1)  # moved to Out for delivery, gone from Placed
        await _fits_a_phone_and_is_accessible(page)
        await _screenshot_on_a_desktop(page, screenshots / "staff-board.png")
        await card.get_by_role("button", name="Mark delivered").click()
        await expect(
            page.get_by_role("status").filter(has_text=f"Order {number} is delivered.")
        ).to_be_visible(timeout=30_000)
        await expect(
            _board_column(page, "Delivered").get_by_role("article").filter(has_text=number)
        ).to_be_visible()

        await page.get_by_role("link", name="Catalogue").click()
        await page.get_by_label("SKU").fill(f"RYE-{uuid.uuid4().hex[:6].upper()}")
        await page.get_by_label("Name").fill(product)
        await page.get_by_label(re.compile(r"^Price")).fill("6.50")
        await page.get_by_label("Description").fill("Dark, dense and keeps for a week.")
        await page.get_by_role("button", name="Save product").click()
        await expect(page.locator("main").get_by_text(product).first).to_be_visible(timeout=30_000)
        await _fits_a_phone_and_is_accessible(page)

        await page.get_by_role("button", name="Sign out").click()
        await page.get_by_role("button", name="Continue as demo customer").click()
        await page.get_by_role("link", name="Shop", exact=True).click()
        await expect(page.get_by_label(f"Quantity of {product}")).to_be_visible()
        await expect(page.get_by_text("$6.50").first).to_be_visible()
        await _fits_a_phone_and_is_accessible(page)

    delivered = live_server.graphql(ann, op.ORDER, id=placed["orderId"])["order"]
    assert delivered["status"] == "DELIVERED"
