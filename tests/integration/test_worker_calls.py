"""What one order costs the worker in AWS calls and DynamoDB write units, counted per step.

The figures are the issue's budget (place at most 8 calls, dispatch and complete at most 6, the
whole order at most 32 write units by item size), now bettered: place 6 calls, dispatch and
complete 5 each; `benchmarks/worker_calls.py` prints them.
"""

from __future__ import annotations

from collections import Counter

import pytest

from benchmarks.worker_calls import Counting
from domain.orders import DeliveryPriority
from tests.integration.conftest import (
    Stack,
    complete_command,
    dispatch_command,
    place_command,
    register_command,
)

pytestmark = pytest.mark.integration


async def test_an_order_costs_the_worker_6_5_and_5_calls_and_at_most_32_write_units(
    stack: Stack,
) -> None:
    await stack.apply(register_command("ann"))
    counting = Counting()
    for client in (
        await stack.clients.dynamodb(),
        await stack.clients.s3(),
        await stack.clients.sesv2(),
    ):
        counting.hook(client)
    placed = place_command("ann", [("TEA", 2), ("CAKE", 1)], priority=DeliveryPriority.URGENT)

    await stack.apply(placed)
    place = counting.take()
    await stack.apply(dispatch_command(placed.order_id))
    dispatch = counting.take()
    await stack.apply(complete_command(placed.order_id))
    complete = counting.take()

    # One read of order, profile and products; one transaction; the receipt; two emails; and
    # those three recorded in one write.
    assert place.calls == Counter(
        BatchGetItem=1, TransactWriteItems=1, PutObject=1, SendEmail=2, BatchWriteItem=1
    )
    for step in (dispatch, complete):
        assert step.calls == Counter(
            Query=1, TransactWriteItems=1, PutObject=1, SendEmail=1, BatchWriteItem=1
        )
    assert place.write_units + dispatch.write_units + complete.write_units <= 32
