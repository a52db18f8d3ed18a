"""Receipt rendering and the worker's time per placed order, with its side effects.

    uv run python benchmarks/worker_effects.py [--orders 60]

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
import uuid

from reportlab.pdfgen.canvas import Canvas

from app.aws_clients import AwsClients
from app.local.demo_catalogue import seed_demo_catalogue
from app.local.emulator import EmbeddedAwsEmulator
from app.local.resources import create_resources
from app.local.server import local_business
from app.worker_runtime import WorkerRuntime
from domain.catalog import Product
from domain.commands import PlaceOrder, RegisterCustomer
from domain.customers import Address, CustomerProfile
from domain.ids import command_id_for, order_id_for
from domain.notifications import OrderSnapshot
from domain.orders import Actor, DeliveryPriority, LineRequest, place_order
from domain.serialization import utc_now
from workers.receipts import render_receipt

ADDRESS = Address("1 Bench Street", "Springfield", "12345", "US")


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
    emulator = EmbeddedAwsEmulator()
    endpoint = emulator.start()
    clients = AwsClients("us-east-1", endpoint)
    try:
        settings = await create_resources(
            clients,
            prefix=f"bench{uuid.uuid4().hex[:8]}",
            region="us-east-1",
            endpoint_url=endpoint,
            visibility_timeout=30,
            business=local_business("127.0.0.1", 8000),
        )
        handlers = await WorkerRuntime(settings, clients).handlers()
        await seed_demo_catalogue(handlers)
        dynamodb = await clients.dynamodb()
        placed, puts = [], []
        for index in range(orders):
            sub = f"bench-{index}"
            actor = Actor(sub)
            await handlers.handle(
                RegisterCustomer(
                    command_id=command_id_for(sub),
                    actor=actor,
                    issued_at=utc_now(),
                    name=f"Bench {index}",
                    email=f"{sub}@example.com",
                    default_address=ADDRESS,
                )
            )
            command = PlaceOrder(
                command_id=command_id_for(sub),
                actor=actor,
                issued_at=utc_now(),
                order_id=order_id_for(sub, None),
                items=(LineRequest("COFFEE-1KG", 1), LineRequest("CROISSANT", 4)),
            )
            started = time.perf_counter()
            await handlers.handle(command)
            placed.append(time.perf_counter() - started)
            started = time.perf_counter()
            await dynamodb.put_item(
                TableName=settings.table_name,
                Item={"PK": {"S": f"BENCH#{index}"}, "SK": {"S": "BENCH"}},
            )
            puts.append(time.perf_counter() - started)
        return median_ms(placed), median_ms(puts)
    finally:
        await clients.close()
        emulator.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=60)
    parser.add_argument("--renders", type=int, default=200)
    arguments = parser.parse_args()
    receipt, blank = time_rendering(arguments.renders)
    order, put = asyncio.run(time_worker(arguments.orders))
    print(f"receipt render {receipt:7.2f} ms = {receipt / blank:5.1f} x blank PDF ({blank:.2f} ms)")
    print(f"placed order   {order:7.2f} ms = {order / put:5.1f} x one PutItem ({put:.2f} ms)")
    print("  (the order's transaction, the receipt to S3, two emails, each recorded)")


if __name__ == "__main__":
    main()
