"""The delivery promise: when an order should arrive, by its priority and when it was placed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.delivery import (
    DEFAULT_STANDARD_DAYS,
    DEFAULT_URGENT_HOURS,
    DeliveryPromise,
    estimated_delivery,
)
from domain.orders import DeliveryPriority
from tests.factories import NOW, a_business, a_cancellation, a_delivery, a_dispatch, an_order

PLACED = datetime(2025, 3, 14, 22, 30, tzinfo=UTC)


def test_by_default_urgent_orders_arrive_within_four_hours_and_standard_within_two_days() -> None:
    assert (DEFAULT_URGENT_HOURS, DEFAULT_STANDARD_DAYS) == (4, 2)
    assert DeliveryPromise() == DeliveryPromise(urgent_hours=4, standard_days=2)


@pytest.mark.parametrize(
    ("priority", "arrives_by"),
    [
        (DeliveryPriority.URGENT, datetime(2025, 3, 15, 2, 30, tzinfo=UTC)),
        (DeliveryPriority.STANDARD, datetime(2025, 3, 16, 22, 30, tzinfo=UTC)),
    ],
)
def test_the_estimate_is_the_placing_time_plus_the_window_of_the_priority(
    priority: DeliveryPriority, arrives_by: datetime
) -> None:
    assert estimated_delivery(priority, PLACED, DeliveryPromise()) == arrives_by


def test_the_estimate_follows_the_business_promise() -> None:
    promise = DeliveryPromise(urgent_hours=1, standard_days=5)

    assert estimated_delivery(DeliveryPriority.URGENT, PLACED, promise) == PLACED + timedelta(
        hours=1
    )
    assert estimated_delivery(DeliveryPriority.STANDARD, PLACED, promise) == PLACED + timedelta(
        days=5
    )


def test_the_estimate_keeps_the_placing_time_zone_and_names_the_same_instant() -> None:
    new_york = PLACED.astimezone(ZoneInfo("America/New_York"))

    arrives = estimated_delivery(DeliveryPriority.URGENT, new_york, DeliveryPromise())

    assert arrives.tzinfo == new_york.tzinfo
    assert arrives == estimated_delivery(DeliveryPriority.URGENT, PLACED, DeliveryPromise())


@pytest.mark.parametrize(
    "promise", [{"urgent_hours": 0}, {"standard_days": 0}, {"urgent_hours": -4}]
)
def test_a_promise_of_nothing_or_less_is_refused(promise: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="at least one hour"):
        DeliveryPromise(**promise)


def test_the_business_promises_a_live_order_on_its_own_clock() -> None:
    order = an_order(priority=DeliveryPriority.URGENT)  # placed at NOW, 09:26 UTC
    business = a_business(time_zone="Asia/Tokyo")

    promised = business.promised_delivery(order)

    assert promised == NOW + timedelta(hours=4)
    assert promised is not None
    assert promised.utcoffset() == timedelta(hours=9)


def test_an_order_out_for_delivery_is_still_promised() -> None:
    dispatched = a_dispatch(an_order()).order

    assert a_business().promised_delivery(dispatched) == NOW + timedelta(days=2)


def test_a_cancelled_or_delivered_order_is_promised_nothing() -> None:
    order = an_order()

    assert a_business().promised_delivery(a_cancellation(order).order) is None
    assert a_business().promised_delivery(a_delivery(order).order) is None
