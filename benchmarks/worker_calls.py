"""The worker's AWS calls and DynamoDB write units per step of one order's life.

    uv run python -m benchmarks.worker_calls

Runs the real worker against the embedded emulator: a customer registers, places an urgent
order, staff dispatch it and mark it delivered. Each step's calls are counted through botocore's
`before-parameter-build` hook on the worker's own clients; write units are counted by item size as
DynamoDB bills them (1 unit per started KB of each item written; a transaction's items count
twice), from the requests themselves, so the emulator's own accounting does not matter.
"""

from __future__ import annotations

import asyncio
import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from benchmarks.emulated import an_order, emulated_worker
from domain.commands import CompleteDelivery, DispatchOrder
from domain.ids import command_id_for
from domain.orders import Actor, DeliveryPriority
from domain.serialization import utc_now

_WRITES = {"PutItem", "DeleteItem", "UpdateItem", "TransactWriteItems", "BatchWriteItem"}


@dataclass
class StepCount:
    calls: Counter[str] = field(default_factory=Counter)
    write_units: int = 0

    @property
    def total(self) -> int:
        return sum(self.calls.values())


def item_bytes(item: Mapping[str, Any]) -> int:
    """An item's size as DynamoDB counts it: attribute names plus values, in UTF-8."""
    return sum(len(name.encode()) + _value_bytes(value) for name, value in item.items())


def _value_bytes(value: Mapping[str, Any]) -> int:
    ((kind, data),) = value.items()
    if kind in ("S", "N"):
        return len(str(data).encode())
    if kind == "B":
        return len(data)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "M":
        return 3 + sum(len(name.encode()) + _value_bytes(inner) + 1 for name, inner in data.items())
    if kind == "L":
        return 3 + sum(_value_bytes(inner) + 1 for inner in data)
    return sum(len(str(member).encode()) for member in data)  # SS, NS, BS


def write_units(operation: str, params: Mapping[str, Any]) -> int:
    def units(item: Mapping[str, Any]) -> int:
        return max(1, math.ceil(item_bytes(item) / 1024))

    if operation == "PutItem":
        return units(params["Item"])
    if operation in ("DeleteItem", "UpdateItem"):
        return 1  # at least one; these carry no item to size
    if operation == "TransactWriteItems":
        total = 0
        for write in params["TransactItems"]:
            if "Put" in write:
                total += 2 * units(write["Put"]["Item"])
            else:
                total += 2
        return total
    return sum(
        units(request["PutRequest"]["Item"]) if "PutRequest" in request else 1
        for requests in params["RequestItems"].values()
        for request in requests
    )


class Counting:
    """Counts every call the hooked clients make into the current step."""

    def __init__(self) -> None:
        self.step = StepCount()

    def hook(self, client: Any) -> None:
        client.meta.events.register("before-parameter-build.*.*", self._count)

    def _count(self, model: Any, params: Mapping[str, Any], **_: Any) -> None:
        self.step.calls[model.name] += 1
        if model.name in _WRITES:
            self.step.write_units += write_units(model.name, params)

    def take(self) -> StepCount:
        step, self.step = self.step, StepCount()
        return step


async def order_life() -> dict[str, StepCount]:
    """Place, dispatch and complete one urgent order: each step's calls and write units."""
    async with emulated_worker("calls") as worker:
        sub, staff = "bench-customer", Actor("bench-staff", is_staff=True)
        await worker.register(sub)
        counting = Counting()
        clients = worker.clients
        for client in (await clients.dynamodb(), await clients.s3(), await clients.sesv2()):
            counting.hook(client)
        placement = an_order(sub, DeliveryPriority.URGENT)
        steps: dict[str, StepCount] = {}
        for name, command in (
            ("place", placement),
            (
                "dispatch",
                DispatchOrder(
                    command_id=command_id_for(staff.sub),
                    actor=staff,
                    issued_at=utc_now(),
                    order_id=placement.order_id,
                ),
            ),
            (
                "complete",
                CompleteDelivery(
                    command_id=command_id_for(staff.sub),
                    actor=staff,
                    issued_at=utc_now(),
                    order_id=placement.order_id,
                ),
            ),
        ):
            counting.take()
            await worker.handlers.handle(command)
            steps[name] = counting.take()
        return steps


def main() -> None:
    steps = asyncio.run(order_life())
    print(f"{'step':<10}{'calls':>6}{'write units':>13}  calls by operation")
    for name, step in steps.items():
        calls = sorted(step.calls.items())
        detail = ", ".join(f"{count} {operation}" for operation, count in calls)
        print(f"{name:<10}{step.total:>6}{step.write_units:>13}  {detail}")
    total_units = sum(step.write_units for step in steps.values())
    print(f"{'order':<10}{sum(s.total for s in steps.values()):>6}{total_units:>13}")


if __name__ == "__main__":
    main()
