"""A small demo catalogue for the local server, applied through the worker like any command."""

from __future__ import annotations

from domain.commands import UpsertProduct
from domain.ids import command_id_for
from domain.orders import Actor
from domain.serialization import utc_now
from workers.command_handlers import CommandHandlers

SEED_ACTOR = Actor(sub="local-seed", is_staff=True)
DEMO_PRODUCTS = (
    ("COFFEE-1KG", "Coffee beans, 1 kg", 1850, True),
    ("TEA-EARL-GREY", "Earl Grey tea, 100 g", 790, True),
    ("CROISSANT", "Butter croissant", 240, True),
    ("OAT-MILK", "Oat milk, 1 l", 320, True),
    ("CHOC-CAKE", "Chocolate cake", 2400, True),
    ("PUMPKIN-PIE", "Pumpkin pie (seasonal)", 1600, False),
)


async def seed_demo_catalogue(handlers: CommandHandlers) -> None:
    """Idempotent: each product's command id is fixed, so a second run applies nothing."""
    for sku, name, price, active in DEMO_PRODUCTS:
        await handlers.handle(
            UpsertProduct(
                command_id=command_id_for(SEED_ACTOR.sub, replay_key=f"demo-product:{sku}"),
                actor=SEED_ACTOR,
                issued_at=utc_now(),
                sku=sku,
                name=name,
                price=price,
                active=active,
            )
        )
