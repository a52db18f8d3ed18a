"""What a client reads of an order beyond its lines: quotes, balance, delivery estimate,
timeline, and the order inside a polled command, against the emulator."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from domain.commands import CompleteDelivery, ModifyOrder, UpsertProduct
from domain.ids import command_id_for
from domain.orders import Actor, DeliveryPriority, LineRequest
from domain.serialization import utc_now
from tests.integration.conftest import (
    BUSINESS,
    STAFF,
    Stack,
    cancel_command,
    dispatch_command,
    place_command,
    register_command,
)
from tests.integration.test_api_resolvers import run

pytestmark = pytest.mark.integration

QUOTE = """
query($input: QuoteInput!) {
  quote(input: $input) {
    __typename
    ... on Quote {
      priority estimatedDelivery
      items { sku name quantity unitPrice { amount } lineTotal { amount } }
      subtotal { amount } deliveryFee { amount } total { amount currency }
    }
    ... on ValidationError { code field message }
  }
}"""
ORDER = """
query($id: ID!) {
  order(id: $id) {
    status version createdAt estimatedDelivery
    items { sku name quantity unitPrice { amount } lineTotal { amount } }
    subtotal { amount } deliveryFee { amount } total { amount currency }
    balance { amount currency }
    transactions { amount { amount } }
    history { kind detail version }
  }
}"""
COMMAND = """
query($id: ID!) {
  command(id: $id) { state orderId order { id status version balance { amount } } }
}"""


def quote_input(items: list[tuple[str, int]], priority: str | None = None) -> dict[str, Any]:
    chosen: dict[str, Any] = {"items": [{"sku": sku, "quantity": n} for sku, n in items]}
    return chosen if priority is None else chosen | {"priority": priority}


ORDER_WITH_LEDGER = (
    "query($id: ID!) { order(id: $id) { total { display } items { sku quantity }"
    " balance { amount } } }"
)
PRICED = ["subtotal", "deliveryFee", "total", "items"]


def modify_command(sub: str, order_id: str, items: list[tuple[str, int]]) -> ModifyOrder:
    return ModifyOrder(
        command_id=command_id_for(sub),
        actor=Actor(sub),
        issued_at=utc_now(),
        order_id=order_id,
        items=tuple(LineRequest(sku, quantity) for sku, quantity in items),
    )


def complete_command(order_id: str) -> CompleteDelivery:
    return CompleteDelivery(
        command_id=command_id_for(STAFF.sub), actor=STAFF, issued_at=utc_now(), order_id=order_id
    )


@pytest.mark.parametrize("priority", list(DeliveryPriority))
@pytest.mark.parametrize("items", [[("TEA", 1)], [("CAKE", 3), ("TEA", 2), ("MUG", 1)]])
async def test_a_quote_costs_what_the_order_placed_from_it_costs(
    stack: Stack, priority: DeliveryPriority, items: list[tuple[str, int]]
) -> None:
    await stack.apply(register_command("ann"))
    quoted = (await run(stack, "ann", QUOTE, input=quote_input(items, priority.value)))["quote"]
    placed = place_command("ann", items, priority=priority)
    await stack.apply(placed)

    order = (await run(stack, "ann", ORDER, id=placed.order_id))["order"]

    assert quoted["__typename"] == "Quote"
    assert quoted["priority"] == priority.value
    assert {key: quoted[key] for key in PRICED} == {key: order[key] for key in PRICED}
    assert quoted["total"]["amount"] > 0


async def test_a_quote_prices_at_todays_catalogue_and_urgent_costs_more(stack: Stack) -> None:
    standard = (await run(stack, "ann", QUOTE, input=quote_input([("TEA", 2)])))["quote"]
    urgent = (await run(stack, "ann", QUOTE, input=quote_input([("TEA", 2)], "URGENT")))["quote"]
    await stack.apply(
        UpsertProduct(
            command_id=command_id_for(STAFF.sub),
            actor=STAFF,
            issued_at=utc_now(),
            sku="TEA",
            name="Green tea",
            price=650,
        )
    )
    repriced = (await run(stack, "ann", QUOTE, input=quote_input([("TEA", 2)])))["quote"]

    assert standard["priority"] == "STANDARD"
    assert standard["subtotal"] == {"amount": 1000}
    assert urgent["deliveryFee"]["amount"] > standard["deliveryFee"]["amount"]
    assert urgent["subtotal"] == standard["subtotal"]
    assert repriced["items"][0]["unitPrice"] == {"amount": 650}
    assert repriced["subtotal"] == {"amount": 1300}


@pytest.mark.parametrize("priority", list(DeliveryPriority))
async def test_a_quote_estimates_delivery_by_the_business_promise(
    stack: Stack, priority: DeliveryPriority
) -> None:
    before = utc_now()
    quoted = await run(stack, "ann", QUOTE, input=quote_input([("TEA", 1)], priority.value))
    after = utc_now()

    arrives = datetime.fromisoformat(quoted["quote"]["estimatedDelivery"])
    window = BUSINESS.delivery_promise.window(priority)
    assert before + window <= arrives <= after + window
    assert arrives.utcoffset() == BUSINESS.local_time(arrives).utcoffset()


@pytest.mark.parametrize(
    ("items", "field"),
    [
        ([("NOPE", 1)], "items.0.sku"),
        ([("TEA", 1), ("CAKE", 1), ("NOPE", 2)], "items.2.sku"),
        ([("TEA", 1), ("RETIRED", 1)], "items.1.sku"),
    ],
    ids=["unknown-first", "unknown-third", "withdrawn"],
)
async def test_an_unknown_or_withdrawn_product_is_named_by_its_line(
    stack: Stack, items: list[tuple[str, int]], field: str
) -> None:
    await stack.apply(
        UpsertProduct(
            command_id=command_id_for(STAFF.sub),
            actor=STAFF,
            issued_at=utc_now(),
            sku="RETIRED",
            name="Old tin",
            price=300,
            active=False,
        )
    )

    refusal = (await run(stack, "ann", QUOTE, input=quote_input(items)))["quote"]

    assert refusal["__typename"] == "ValidationError"
    assert (refusal["code"], refusal["field"]) == ("UNKNOWN_PRODUCT", field)
    assert items[int(field.split(".")[1])][0] in refusal["message"]


@pytest.mark.parametrize(
    ("items", "field"),
    [
        ([], "items"),
        ([("TEA", 0)], "items.0.quantity"),
        ([("TEA", 1), ("TEA", 2)], "items.1.sku"),
        ([("TEA", 1), ("bad sku", 1)], "items.1.sku"),
        ([("CAKE", 1000)] * 1 + [("MUG", 1000)], None),
    ],
    ids=["no-lines", "zero-quantity", "repeated-sku", "malformed-sku", "within-limits"],
)
async def test_a_quote_checks_its_lines_as_placing_does(
    stack: Stack, items: list[tuple[str, int]], field: str | None
) -> None:
    answer = (await run(stack, "ann", QUOTE, input=quote_input(items)))["quote"]

    if field is None:
        assert answer["__typename"] == "Quote"
    else:
        assert (answer["__typename"], answer["code"], answer["field"]) == (
            "ValidationError",
            "VALIDATION",
            field,
        )


async def test_a_quote_is_one_batch_read_and_writes_nothing(stack: Stack) -> None:
    await stack.count_calls()

    await run(stack, "ann", QUOTE, input=quote_input([("TEA", 1), ("CAKE", 2), ("MUG", 3)]))

    assert dict(stack.calls) == {"dynamodb.BatchGetItem": 1}


async def test_the_balance_is_the_ledger_sum_through_changes_and_zero_once_cancelled(
    stack: Stack,
) -> None:
    await stack.apply(register_command("ann"))
    placed = place_command("ann", [("TEA", 2)], priority=DeliveryPriority.URGENT)
    await stack.apply(placed)
    balances = []
    for items in ([("TEA", 5), ("MUG", 1)], [("MUG", 1)]):
        order = (await run(stack, "ann", ORDER, id=placed.order_id))["order"]
        balances.append(order["balance"]["amount"])
        assert order["balance"]["amount"] == sum(
            t["amount"]["amount"] for t in order["transactions"]
        )
        assert order["balance"]["amount"] == order["total"]["amount"]
        await stack.apply(modify_command("ann", placed.order_id, items))
    await stack.apply(cancel_command(Actor("ann"), placed.order_id))

    cancelled = (await run(stack, "ann", ORDER, id=placed.order_id))["order"]

    assert len(set(balances)) == 2  # the modifications changed what is owed
    assert cancelled["status"] == "CANCELLED"
    assert cancelled["balance"] == {"amount": 0, "currency": "USD"}
    assert sum(t["amount"]["amount"] for t in cancelled["transactions"]) == 0


async def test_a_live_order_estimates_its_delivery_and_a_finished_one_does_not(
    stack: Stack,
) -> None:
    await stack.apply(register_command("ann"))
    placed = place_command("ann", priority=DeliveryPriority.URGENT)
    await stack.apply(placed)
    live = (await run(stack, "ann", ORDER, id=placed.order_id))["order"]
    await stack.apply(dispatch_command(placed.order_id))
    dispatched = (await run(stack, "ann", ORDER, id=placed.order_id))["order"]

    created = datetime.fromisoformat(live["createdAt"])
    promised = datetime.fromisoformat(live["estimatedDelivery"])
    assert promised - created == timedelta(hours=BUSINESS.delivery_promise.urgent_hours)
    assert dispatched["estimatedDelivery"] == live["estimatedDelivery"]


async def test_a_cancelled_or_delivered_order_has_no_estimate(stack: Stack) -> None:
    await stack.apply(register_command("ann"))
    cancelled, delivered = place_command("ann"), place_command("ann")
    for placed in (cancelled, delivered):
        await stack.apply(placed)
    await stack.apply(cancel_command(Actor("ann"), cancelled.order_id))
    await stack.apply(dispatch_command(delivered.order_id))
    await stack.apply(complete_command(delivered.order_id))

    for placed, status in ((cancelled, "CANCELLED"), (delivered, "DELIVERED")):
        order = (await run(stack, "ann", ORDER, id=placed.order_id))["order"]
        assert order["status"] == status
        assert order["estimatedDelivery"] is None


async def test_the_timeline_tells_the_customer_what_happened_in_words_and_versions(
    stack: Stack,
) -> None:
    await stack.apply(register_command("ann"))
    placed = place_command("ann", [("TEA", 1)])
    await stack.apply(placed)
    await stack.apply(modify_command("ann", placed.order_id, [("TEA", 3)]))
    await stack.apply(cancel_command(Actor("ann"), placed.order_id))

    history = (await run(stack, "ann", ORDER, id=placed.order_id))["order"]["history"]

    by_version: dict[int, list[tuple[str, str]]] = {}
    for event in history:
        by_version.setdefault(event["version"], []).append((event["kind"], event["detail"]))
    emails = {("EMAIL_SENT", "Email sent to you."), ("EMAIL_SENT", "Email sent to the business.")}
    placing, modifying, cancelling = by_version[1], by_version[2], by_version[3]
    assert list(by_version) == [1, 2, 3]
    assert placing[:2] == [
        ("PLACED", "Placed for standard delivery."),
        ("RECEIPT_ISSUED", "Receipt issued."),
    ]
    assert set(placing[2:]) == emails
    assert modifying == [
        ("MODIFIED", "Items changed."),
        ("RECEIPT_ISSUED", "Updated receipt issued."),
        ("EMAIL_SENT", "Email sent to you."),
    ]
    assert cancelling[:2] == [
        ("CANCELLED", "Cancelled."),
        ("RECEIPT_ISSUED", "Updated receipt issued."),
    ]
    assert set(cancelling[2:]) == emails
    assert len(history) == 11


async def test_a_polled_command_carries_the_order_once_applied(stack: Stack) -> None:
    await stack.apply(register_command("ann"))
    placed = place_command("ann")
    before = (await run(stack, "ann", COMMAND, id=placed.command_id))["command"]
    await stack.apply(placed)
    await stack.count_calls()

    after = (await run(stack, "ann", COMMAND, id=placed.command_id))["command"]

    assert before is None or before["order"] is None
    assert after["state"] == "APPLIED"
    assert after["order"] == {
        "id": placed.order_id,
        "status": "PLACED",
        "version": 1,
        "balance": after["order"]["balance"],
    }
    assert after["order"]["balance"]["amount"] > 0
    assert dict(stack.calls) == {"dynamodb.GetItem": 1, "dynamodb.Query": 1}


async def test_a_command_shows_no_order_its_caller_may_not_see(stack: Stack) -> None:
    await stack.apply(register_command("ann"))
    placed = place_command("ann")
    await stack.apply(placed)
    cancelled = cancel_command(STAFF, placed.order_id)
    await stack.apply(cancelled)

    staffs = await run(stack, STAFF.sub, COMMAND, staff=True, id=cancelled.command_id)
    anns = await run(stack, "ann", COMMAND, id=placed.command_id)

    assert staffs["command"]["order"]["status"] == "CANCELLED"
    assert anns["command"]["order"]["status"] == "CANCELLED"
    assert (await run(stack, "bob", COMMAND, id=placed.command_id))["command"] is None


@pytest.mark.parametrize(
    ("selection", "calls"),
    [
        ("id status total { display } items { sku quantity }", {"dynamodb.GetItem": 1}),
        ("id ... on Order { version }", {"dynamodb.GetItem": 1}),
        ("id balance { display }", {"dynamodb.Query": 1}),
        ("id ...Ledger", {"dynamodb.Query": 1}),
        ("id ... on Order { history { kind } }", {"dynamodb.Query": 1}),
        ("id paid: transactions { kind } receipt { version }", {"dynamodb.Query": 1}),
        ("id balance @include(if: false) { display }", {"dynamodb.Query": 1}),
        ("id ...Outer", {"dynamodb.Query": 1}),
    ],
    ids=[
        "own-item",
        "own-item-fragment",
        "balance",
        "named-fragment",
        "inline",
        "aliased",
        "skipped-still-read",
        "fragment-in-fragment",
    ],
)
async def test_an_order_is_read_as_its_selection_needs(
    stack: Stack, selection: str, calls: dict[str, int]
) -> None:
    await stack.apply(register_command("ann"))
    placed = place_command("ann")
    await stack.apply(placed)
    await stack.count_calls()

    query = f"query($id: ID!) {{ order(id: $id) {{ {selection} }} }}"
    if "...Ledger" in selection:
        query += " fragment Ledger on Order { transactions { amount { amount } } }"
    if "...Outer" in selection:
        query += " fragment Outer on Order { version ... on Order { history { kind } } }"
    answer = (await run(stack, "ann", query, id=placed.order_id))["order"]

    assert answer["id"] == placed.order_id
    assert dict(stack.calls) == calls
    # Read either way, the order's own fields say the same.
    if "total" in selection:
        full = await run(stack, "ann", ORDER_WITH_LEDGER, id=placed.order_id)
        assert full["order"]["total"] == answer["total"]
        assert full["order"]["items"] == answer["items"]


async def test_an_order_selected_twice_is_read_once_for_what_both_ask(stack: Stack) -> None:
    await stack.apply(register_command("ann"))
    placed = place_command("ann")
    await stack.apply(placed)
    await stack.count_calls()

    query = "query($id: ID!) { order(id: $id) { id } order(id: $id) { balance { amount } } }"
    answer = (await run(stack, "ann", query, id=placed.order_id))["order"]

    assert answer["id"] == placed.order_id
    assert answer["balance"]["amount"] > 0
    assert dict(stack.calls) == {"dynamodb.Query": 1}
