"""The rules a command's handler asks domain for: replays, profile merges, who manages products."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.catalog import upsert_product
from domain.commands import queue_lane
from domain.customers import merge_profile
from domain.errors import ForbiddenError, IdempotencyConflictError
from domain.orders import DeliveryPriority, is_replayed_placement
from tests.factories import (
    CUSTOMER_SUB,
    NOW,
    OTHER_CUSTOMER_SUB,
    TEA,
    a_cancel_order_command,
    a_dispatch_order_command,
    a_modify_order_command,
    a_place_order_command,
    a_profile,
    a_register_customer_command,
    an_address,
    an_order,
    an_upsert_product_command,
)

LATER = NOW + timedelta(days=3)


def test_a_placement_without_an_order_is_no_replay() -> None:
    assert not is_replayed_placement(None, customer_id=CUSTOMER_SUB, request_fingerprint="a" * 64)


def test_the_same_request_finding_its_order_is_a_replay() -> None:
    order = an_order(request_fingerprint="a" * 64)

    assert is_replayed_placement(order, customer_id=CUSTOMER_SUB, request_fingerprint="a" * 64)


@pytest.mark.parametrize(
    ("customer_id", "fingerprint"),
    [(CUSTOMER_SUB, "b" * 64), (OTHER_CUSTOMER_SUB, "a" * 64), (OTHER_CUSTOMER_SUB, "b" * 64)],
)
def test_another_request_finding_the_order_reuses_its_key_and_is_refused(
    customer_id: str, fingerprint: str
) -> None:
    order = an_order(request_fingerprint="a" * 64)

    with pytest.raises(IdempotencyConflictError):
        is_replayed_placement(order, customer_id=customer_id, request_fingerprint=fingerprint)


def test_a_first_registration_is_the_profile_as_given() -> None:
    profile = merge_profile(
        None,
        sub=CUSTOMER_SUB,
        name="Ada",
        email="ada@example.com",
        phone=None,
        default_address=None,
        now=NOW,
    )

    assert (profile.id, profile.name, profile.phone, profile.default_address) == (
        CUSTOMER_SUB,
        "Ada",
        None,
        None,
    )
    assert profile.created_at == profile.updated_at == NOW


def test_a_registration_keeps_what_it_leaves_out_and_replaces_what_it_gives() -> None:
    stored = a_profile(phone="+1 555 0100", default_address=an_address(city="Paris"))

    kept = merge_profile(
        stored,
        sub=CUSTOMER_SUB,
        name="Ada L.",
        email="ada@example.com",
        phone=None,
        default_address=None,
        now=LATER,
    )
    replaced = merge_profile(
        stored,
        sub=CUSTOMER_SUB,
        name="Ada L.",
        email="ada@example.com",
        phone="+1 555 0199",
        default_address=an_address(city="Lyon"),
        now=LATER,
    )

    assert (kept.name, kept.phone, kept.default_address) == (
        "Ada L.",
        "+1 555 0100",
        stored.default_address,
    )
    assert (replaced.phone, replaced.default_address) == ("+1 555 0199", an_address(city="Lyon"))
    assert (kept.created_at, kept.updated_at) == (NOW, LATER)


def test_staff_set_a_product_whole() -> None:
    product = upsert_product(
        by_staff=True, sku=TEA, name="Tea", price=450, active=False, description=None, now=NOW
    )

    assert (product.sku, product.price, product.active, product.updated_at) == (
        TEA,
        450,
        False,
        NOW,
    )


def test_nobody_else_manages_the_catalogue() -> None:
    with pytest.raises(ForbiddenError):
        upsert_product(
            by_staff=False, sku=TEA, name="Tea", price=450, active=True, description="x", now=NOW
        )


@pytest.mark.parametrize("priority", list(DeliveryPriority))
def test_an_order_s_commands_take_its_lane_from_placing_on(priority: DeliveryPriority) -> None:
    order_id = a_place_order_command().order_id

    assert queue_lane(a_place_order_command(priority=priority)) is priority
    for command in (
        a_modify_order_command(order_id=order_id),
        a_cancel_order_command(order_id=order_id),
        a_dispatch_order_command(order_id=order_id),
    ):
        assert queue_lane(command, priority) is priority


def test_profiles_and_products_take_the_urgent_lane() -> None:
    assert queue_lane(a_register_customer_command()) is DeliveryPriority.URGENT
    assert queue_lane(an_upsert_product_command()) is DeliveryPriority.URGENT


def test_an_order_s_command_without_its_lane_is_a_mistake_of_ours() -> None:
    with pytest.raises(ValueError, match="lane"):
        queue_lane(a_cancel_order_command())
