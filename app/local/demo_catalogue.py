"""A small demo catalogue for the local server, applied through the worker like any command."""

from __future__ import annotations

from dataclasses import astuple, dataclass

from domain.commands import UpsertProduct
from domain.ids import command_id_for
from domain.orders import Actor
from domain.serialization import utc_now
from workers.command_handlers import CommandHandlers

SEED_ACTOR = Actor(sub="local-seed", is_staff=True)


@dataclass(frozen=True, slots=True)
class DemoProduct:
    sku: str
    name: str
    price: int
    description: str
    active: bool = True


DEMO_PRODUCTS = (
    DemoProduct(
        "COFFEE-1KG",
        "Coffee beans, 1 kg",
        1850,
        "Medium-roast arabica with notes of cocoa and hazelnut, roasted this week.",
    ),
    DemoProduct(
        "TEA-EARL-GREY",
        "Earl Grey tea, 100 g",
        790,
        "Black tea scented with bergamot: bright, floral and good with a splash of milk.",
    ),
    DemoProduct(
        "CROISSANT",
        "Butter croissant",
        240,
        "Flaky, golden and all butter, baked every morning.",
    ),
    DemoProduct(
        "OAT-MILK",
        "Oat milk, 1 l",
        320,
        "Creamy oat drink that foams well for lattes and cappuccinos.",
    ),
    DemoProduct(
        "CHOC-CAKE",
        "Chocolate cake",
        2400,
        "Rich dark chocolate sponge with ganache; serves eight.",
    ),
    DemoProduct(
        "PUMPKIN-PIE",
        "Pumpkin pie (seasonal)",
        1600,
        "Spiced pumpkin custard in a shortcrust case, back in the autumn.",
        active=False,
    ),
)


async def seed_demo_catalogue(handlers: CommandHandlers) -> None:
    """Idempotent: each product's command id is fixed by what it says, so a second run applies
    nothing, and a kept local state takes a product again only once its entry here changes."""
    for product in DEMO_PRODUCTS:
        await handlers.handle(
            UpsertProduct(
                command_id=command_id_for(
                    SEED_ACTOR.sub, replay_key=f"demo-product:{astuple(product)!r}"
                ),
                actor=SEED_ACTOR,
                issued_at=utc_now(),
                sku=product.sku,
                name=product.name,
                price=product.price,
                active=product.active,
                description=product.description,
            )
        )
