"""Receipt rendering and the worker's time per placed order, with its side effects.

    uv run python -m benchmarks.worker_effects [--orders 60]

Runs against the embedded emulator. Each figure is a median; the ratios compare with baselines
measured in the same run (a blank one-page PDF; one DynamoDB PutItem round trip), so they mean
something on a shared, noisy machine.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import statistics
import time

from reportlab.pdfgen.canvas import Canvas

from app.local.server import local_business
from benchmarks.emulated import ADDRESS, an_order, emulated_worker
from domain.catalog import Product
from domain.customers import CustomerProfile
from domain.ids import order_id_for
from domain.notifications import OrderSnapshot
from domain.orders import DeliveryPriority, LineRequest, place_order
from domain.serialization import utc_now
from workers.receipts import render_receipt


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def blank_pdf() -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.drawString(72, 720, "blank")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def time_rendering(runs: int) -> tuple[float, float]:
    business = local_business("127.0.0.1", 8000)
    now = utc_now()
    catalogue = {
        f"SKU-{index}": Product(f"SKU-{index}", f"Product {index}", 100 + index, True, now)
        for index in range(5)
    }
    change = place_order(
        order_id=order_id_for("bench", None),
        customer=CustomerProfile("bench", "Bench", "bench@example.com", None, ADDRESS, now, now),
        requested=[LineRequest(sku, 2) for sku in catalogue],
        catalogue=catalogue,
        priority=DeliveryPriority.URGENT,
        delivery_address=None,
        notes=None,
        request_fingerprint="0" * 64,
        now=now,
    )
    snapshot = OrderSnapshot(change.order, (), change.event)
    receipts, blanks = [], []
    for _ in range(runs):
        started = time.perf_counter()
        render_receipt(snapshot, business)
        receipts.append(time.perf_counter() - started)
        started = time.perf_counter()
        blank_pdf()
        blanks.append(time.perf_counter() - started)
    return median_ms(receipts), median_ms(blanks)


async def time_worker(orders: int) -> tuple[float, float]:
    async with emulated_worker("bench") as worker:
        dynamodb = await worker.clients.dynamodb()
        placed, puts = [], []
        for index in range(orders):
            sub = f"bench-{index}"
            await worker.register(sub)
            command = an_order(sub)
            started = time.perf_counter()
            await worker.handlers.handle(command)
            placed.append(time.perf_counter() - started)
            started = time.perf_counter()
            await dynamodb.put_item(
                TableName=worker.settings.table_name,
                Item={"PK": {"S": f"BENCH#{index}"}, "SK": {"S": "BENCH"}},
            )
            puts.append(time.perf_counter() - started)
        return median_ms(placed), median_ms(puts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=60)
    parser.add_argument("--renders", type=int, default=200)
    arguments = parser.parse_args()
    receipt, blank = time_rendering(arguments.renders)
    order, put = asyncio.run(time_worker(arguments.orders))
    print(f"receipt render {receipt:7.2f} ms = {receipt / blank:5.1f} x blank PDF ({blank:.2f} ms)")
    print(f"placed order   {order:7.2f} ms = {order / put:5.1f} x one PutItem ({put:.2f} ms)")
    print("  (the order's transaction, the receipt to S3, two emails, recorded in one write)")


if __name__ == "__main__":
    main()
