"""The real worker on a fresh embedded emulator, for benchmarks: resources, demo catalogue and
a customer to order as."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from app.aws_clients import AwsClients
from app.local.demo_catalogue import seed_demo_catalogue
from app.local.emulator import EmbeddedAwsEmulator
from app.local.resources import create_resources
from app.local.server import local_business
from app.settings import Settings
from app.worker_runtime import WorkerRuntime
from domain.commands import PlaceOrder, RegisterCustomer
from domain.customers import Address
from domain.ids import command_id_for, order_id_for
from domain.orders import Actor, DeliveryPriority, LineRequest
from domain.serialization import utc_now
from workers.command_handlers import CommandHandlers

ADDRESS = Address("1 Bench Street", "Springfield", "12345", "US")
# Two lines of the demo catalogue: what a benchmark order holds.
ORDER_LINES = (LineRequest("COFFEE-1KG", 1), LineRequest("CROISSANT", 4))


@dataclass(frozen=True, slots=True)
class EmulatedWorker:
    clients: AwsClients
    settings: Settings
    handlers: CommandHandlers

    async def register(self, sub: str) -> None:
        """A customer with a profile, ready to place orders."""
        await self.handlers.handle(
            RegisterCustomer(
                command_id=command_id_for(sub),
                actor=Actor(sub),
                issued_at=utc_now(),
                name=f"Bench {sub}",
                email=f"{sub}@example.com",
                default_address=ADDRESS,
            )
        )


def an_order(sub: str, priority: DeliveryPriority = DeliveryPriority.STANDARD) -> PlaceOrder:
    return PlaceOrder(
        command_id=command_id_for(sub),
        actor=Actor(sub),
        issued_at=utc_now(),
        order_id=order_id_for(sub, None),
        items=ORDER_LINES,
        priority=priority,
    )


@asynccontextmanager
async def emulated_worker(name: str) -> AsyncIterator[EmulatedWorker]:
    """The worker's handlers on their own emulator, with the demo catalogue seeded."""
    emulator = EmbeddedAwsEmulator()
    endpoint = emulator.start()
    clients = AwsClients("us-east-1", endpoint)
    try:
        settings = await create_resources(
            clients,
            prefix=f"{name}{uuid.uuid4().hex[:8]}",
            region="us-east-1",
            endpoint_url=endpoint,
            visibility_timeout=30,
            business=local_business("127.0.0.1", 8000),
        )
        handlers = await WorkerRuntime(settings, clients).handlers()
        await seed_demo_catalogue(handlers)
        yield EmulatedWorker(clients, settings, handlers)
    finally:
        await clients.close()
        emulator.stop()
