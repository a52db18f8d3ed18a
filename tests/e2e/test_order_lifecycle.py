"""The whole order lifecycle through HTTP, against the local server with its worker running."""

from __future__ import annotations

import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest

from app.local.dev_tokens import DevTokens
from app.local.server import LOCAL_PREFIX, LOCAL_REGION
from domain.commands import PlaceOrder, encode_command
from domain.ids import command_id_for, order_id_for
from domain.notifications import order_number
from domain.orders import Actor, DeliveryPriority, LineRequest
from domain.resources import QUEUES
from domain.serialization import utc_now
from tests.e2e import operations as op
from tests.e2e.conftest import LiveServer

pytestmark = pytest.mark.e2e

HOME = {"line1": "5 Market Lane", "city": "Porto", "postalCode": "4000-001", "country": "PT"}


def unique(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


def registered_customer(server: LiveServer, name: str) -> str:
    token = server.token(unique(name))
    accepted = server.graphql(
        token, op.REGISTER, input={"name": name.title(), "defaultAddress": HOME}
    )["registerCustomer"]
    assert server.graphql.wait_for_command(token, accepted["commandId"])["state"] == "APPLIED"
    return token


def place(server: LiveServer, token: str, **order: Any) -> dict[str, Any]:
    accepted = server.graphql(token, op.PLACE, input=order)["placeOrder"]
    assert accepted["__typename"] == "CommandAccepted", accepted
    settled = server.graphql.wait_for_command(token, accepted["commandId"])
    assert settled["state"] == "APPLIED", settled
    return dict(accepted)


ORDER_CHANGES = {"PLACED", "MODIFIED", "CANCELLED", "DISPATCHED", "DELIVERED"}


def order_events(order: dict[str, Any]) -> list[str]:
    """The order's own events, without its receipts and emails (those follow asynchronously)."""
    return [event["kind"] for event in order["history"] if event["kind"] in ORDER_CHANGES]


def read_order(server: LiveServer, token: str, order_id: str) -> dict[str, Any]:
    return dict(server.graphql(token, op.ORDER, id=order_id)["order"])


def applied(server: LiveServer, token: str, result: dict[str, Any]) -> dict[str, Any]:
    assert result["__typename"] == "CommandAccepted", result
    return server.graphql.wait_for_command(token, result["commandId"])


def test_no_or_forged_token_is_refused_with_401(live_server: LiveServer) -> None:
    forged = DevTokens("a-secret-that-is-not-the-servers-one-at-all").issue("mallory", staff=True)

    for token in (None, "not-a-jwt", forged):
        response = live_server.graphql.post(token, op.ME)
        assert response.status_code == 401
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_an_order_goes_from_placed_to_delivered_or_cancelled(live_server: LiveServer) -> None:
    server, staff = live_server, live_server.token("staff-lifecycle", staff=True)
    ann = registered_customer(server, "ann")
    assert server.graphql(ann, op.ME)["me"]["defaultAddress"] == {"city": "Porto"}

    # Place a standard and an urgent order; the worker prices them from the catalogue.
    standard = place(
        server, ann, items=[{"sku": "COFFEE-1KG", "quantity": 2}], notes="door code 12"
    )
    urgent = place(server, ann, items=[{"sku": "CROISSANT", "quantity": 6}], priority="URGENT")
    first = read_order(server, ann, standard["orderId"])
    rush = read_order(server, ann, urgent["orderId"])
    assert first["status"] == "PLACED"
    assert first["version"] == 1
    assert first["subtotal"]["amount"] == 2 * 1850
    assert first["total"]["amount"] == first["subtotal"]["amount"] + first["deliveryFee"]["amount"]
    assert rush["deliveryFee"]["amount"] > first["deliveryFee"]["amount"]
    assert [t["kind"] for t in first["transactions"]] == ["CHARGE"]
    assert first["transactions"][0]["amount"]["amount"] == first["total"]["amount"]
    assert order_events(first) == ["PLACED"]
    assert first["deliveryAddress"]["city"] == "Porto"
    assert first["customer"]["name"] == "Ann"

    # Modify with the right version: applied, the difference booked as an adjustment.
    modified = applied(
        server,
        ann,
        server.graphql(
            ann,
            op.MODIFY,
            input={
                "orderId": standard["orderId"],
                "expectedVersion": 1,
                "items": [{"sku": "COFFEE-1KG", "quantity": 3}],
            },
        )["modifyOrder"],
    )
    assert modified["state"] == "APPLIED"
    second = read_order(server, ann, standard["orderId"])
    assert second["version"] == 2
    assert [t["kind"] for t in second["transactions"]] == ["CHARGE", "ADJUSTMENT"]
    assert second["transactions"][1]["amount"]["amount"] == 1850
    assert sum(t["amount"]["amount"] for t in second["transactions"]) == second["total"]["amount"]

    # Modify with a stale version: refused at once, nothing queued.
    stale = server.graphql(
        ann, op.MODIFY, input={"orderId": standard["orderId"], "expectedVersion": 1, "notes": "x"}
    )["modifyOrder"]
    assert stale["__typename"] == "StaleVersionError"
    assert stale["currentVersion"] == 2

    # Cancel: the refund zeroes what is owed.
    cancelled = applied(
        server,
        ann,
        server.graphql(ann, op.CANCEL, input={"orderId": standard["orderId"], "reason": "moved"})[
            "cancelOrder"
        ],
    )
    assert cancelled["state"] == "APPLIED"
    third = read_order(server, ann, standard["orderId"])
    assert third["status"] == "CANCELLED"
    assert third["canCancel"] is False
    assert [t["kind"] for t in third["transactions"]] == ["CHARGE", "ADJUSTMENT", "REFUND"]
    assert sum(t["amount"]["amount"] for t in third["transactions"]) == 0

    # Dispatch the urgent one; the customer can no longer cancel it; staff complete it.
    assert (
        applied(
            server,
            staff,
            server.graphql(staff, op.DISPATCH, input={"orderId": urgent["orderId"]})[
                "dispatchOrder"
            ],
        )["state"]
        == "APPLIED"
    )
    too_late = server.graphql(ann, op.CANCEL, input={"orderId": urgent["orderId"]})["cancelOrder"]
    assert too_late["__typename"] == "OrderNotModifiableError"
    assert too_late["code"] == "NOT_MODIFIABLE"
    assert too_late["status"] == "OUT_FOR_DELIVERY"
    assert (
        applied(
            server,
            staff,
            server.graphql(staff, op.COMPLETE, input={"orderId": urgent["orderId"]})[
                "completeDelivery"
            ],
        )["state"]
        == "APPLIED"
    )
    delivered = read_order(server, ann, urgent["orderId"])
    assert delivered["status"] == "DELIVERED"
    assert order_events(delivered) == ["PLACED", "DISPATCHED", "DELIVERED"]

    # Another customer sees none of it: not the orders, not the list, not the commands.
    bob = registered_customer(server, "bob")
    assert server.graphql(bob, op.ORDER, id=standard["orderId"]) == {"order": None}
    assert server.graphql(bob, op.MY_ORDERS)["orders"]["edges"] == []
    assert server.graphql(bob, op.COMMAND, id=urgent["commandId"]) == {"command": None}
    assert (
        server.graphql(bob, op.CANCEL, input={"orderId": urgent["orderId"]})["cancelOrder"][
            "__typename"
        ]
        == "NotFoundError"
    )
    mine = server.graphql(ann, op.MY_ORDERS)["orders"]["edges"]
    assert [edge["node"]["id"] for edge in mine] == [urgent["orderId"], standard["orderId"]]


PRICED = ("items", "subtotal", "deliveryFee", "total")


def test_a_quote_is_what_the_order_costs_and_the_command_brings_the_order(
    live_server: LiveServer,
) -> None:
    server = live_server
    ann = registered_customer(server, "ann")
    items = [{"sku": "CROISSANT", "quantity": 4}, {"sku": "COFFEE-1KG", "quantity": 1}]

    quote = server.graphql(ann, op.QUOTE, input={"items": items, "priority": "URGENT"})["quote"]
    accepted = server.graphql(ann, op.PLACE, input={"items": items, "priority": "URGENT"})
    command = server.graphql.wait_for_command(
        ann, accepted["placeOrder"]["commandId"], op.COMMAND_WITH_ORDER
    )

    assert quote["__typename"] == "Quote"
    assert command["state"] == "APPLIED"
    order = command["order"]
    assert order["id"] == command["orderId"] == accepted["placeOrder"]["orderId"]
    assert {key: order[key] for key in PRICED} == {key: quote[key] for key in PRICED}
    assert order["balance"] == {"amount": quote["total"]["amount"]}
    assert order["estimatedDelivery"] is not None
    assert quote["total"]["display"].startswith("$")

    unknown = server.graphql(
        ann, op.QUOTE, input={"items": [items[0], {"sku": "NO-SUCH-THING", "quantity": 1}]}
    )["quote"]
    assert (unknown["code"], unknown["field"]) == ("UNKNOWN_PRODUCT", "items.1.sku")


def test_balance_and_timeline_follow_the_order_to_its_cancellation(
    live_server: LiveServer,
) -> None:
    server = live_server
    ann = registered_customer(server, "ann")
    order_id = place(server, ann, items=[{"sku": "COFFEE-1KG", "quantity": 1}])["orderId"]
    modify = {"orderId": order_id, "items": [{"sku": "COFFEE-1KG", "quantity": 2}]}
    applied(server, ann, server.graphql(ann, op.MODIFY, input=modify)["modifyOrder"])
    live = read_order(server, ann, order_id)
    cancel = {"orderId": order_id, "reason": "moving house"}
    applied(server, ann, server.graphql(ann, op.CANCEL, input=cancel)["cancelOrder"])

    def settled() -> dict[str, Any] | None:
        order = read_order(server, ann, order_id)
        sent = [event for event in order["history"] if event["kind"] == "EMAIL_SENT"]
        return order if len(sent) == 5 else None  # two placing, one modifying, two cancelling

    cancelled = wait_for(settled, "the cancellation's emails")

    ledger = [t["amount"]["amount"] for t in live["transactions"]]
    assert live["balance"]["amount"] == sum(ledger) == live["total"]["amount"] > 0
    assert live["estimatedDelivery"] is not None
    assert cancelled["balance"] == {"amount": 0}
    assert sum(t["amount"]["amount"] for t in cancelled["transactions"]) == 0
    assert cancelled["estimatedDelivery"] is None
    timeline = [(e["version"], e["kind"], e["detail"]) for e in cancelled["history"]]
    assert [entry for entry in timeline if entry[1] in ORDER_CHANGES] == [
        (1, "PLACED", "Placed for standard delivery."),
        (2, "MODIFIED", "Items changed."),
        (3, "CANCELLED", "Cancelled: moving house"),
    ]
    emails = sorted((version, detail) for version, kind, detail in timeline if kind == "EMAIL_SENT")
    assert emails == [
        (1, "Email sent to the business."),
        (1, "Email sent to you."),
        (2, "Email sent to you."),
        (3, "Email sent to the business."),
        (3, "Email sent to you."),
    ]
    receipts = [(version, detail) for version, kind, detail in timeline if kind == "RECEIPT_ISSUED"]
    assert receipts == [
        (1, "Receipt issued."),
        (2, "Updated receipt issued."),
        (3, "Updated receipt issued."),
    ]


def test_replaying_an_idempotency_key_yields_one_order(live_server: LiveServer) -> None:
    server = live_server
    ann = registered_customer(server, "ann")
    order = {"items": [{"sku": "TEA-EARL-GREY", "quantity": 1}], "idempotencyKey": "checkout-42"}

    first = place(server, ann, **order)
    again = server.graphql(ann, op.PLACE, input=order)["placeOrder"]
    replayed = server.graphql.wait_for_command(ann, again["commandId"])
    conflict = server.graphql(
        ann, op.PLACE, input={**order, "items": [{"sku": "OAT-MILK", "quantity": 2}]}
    )["placeOrder"]
    refused = server.graphql.wait_for_command(ann, conflict["commandId"])

    # The replay is the very same command: one order, one charge, the same answer.
    assert (again["commandId"], again["orderId"]) == (first["commandId"], first["orderId"])
    assert replayed == {"state": "APPLIED", "orderId": first["orderId"], "error": None}
    assert conflict["orderId"] == first["orderId"]
    assert refused["state"] == "REJECTED"
    assert refused["error"]["code"] == "IDEMPOTENCY_CONFLICT"
    assert len(server.graphql(ann, op.MY_ORDERS)["orders"]["edges"]) == 1
    assert len(read_order(server, ann, first["orderId"])["transactions"]) == 1


def test_a_redelivered_queue_message_books_one_charge(live_server: LiveServer) -> None:
    server = live_server
    sub = unique("carol")
    token = server.token(sub)
    accepted = server.graphql(token, op.REGISTER, input={"name": "Carol", "defaultAddress": HOME})
    server.graphql.wait_for_command(token, accepted["registerCustomer"]["commandId"])
    command = PlaceOrder(
        command_id=command_id_for(sub),
        actor=Actor(sub),
        issued_at=utc_now(),
        order_id=order_id_for(sub, None),
        items=(LineRequest("CHOC-CAKE", 1),),
    )
    sqs = boto3.client(
        "sqs",
        endpoint_url=server.emulator_url,
        region_name=LOCAL_REGION,
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    queue_url = sqs.get_queue_url(QueueName=QUEUES[DeliveryPriority.STANDARD].name(LOCAL_PREFIX))[
        "QueueUrl"
    ]

    # The same message twice, past SQS's deduplication (as after a worker crash).
    for delivery in ("first", "second"):
        sqs.send_message(
            QueueUrl=queue_url,
            MessageBody=encode_command(command),
            MessageGroupId=command.message_group(),
            MessageDeduplicationId=f"{command.command_id}-{delivery}",
        )

    assert server.graphql.wait_for_command(token, command.command_id)["state"] == "APPLIED"
    _wait_until_queue_empty(sqs, queue_url)
    order = read_order(server, token, command.order_id)
    assert [t["kind"] for t in order["transactions"]] == ["CHARGE"]
    assert order_events(order) == ["PLACED"]


def _wait_until_queue_empty(sqs: Any, queue_url: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])[
            "Attributes"
        ]
        if (
            attributes["ApproximateNumberOfMessages"]
            == attributes["ApproximateNumberOfMessagesNotVisible"]
            == "0"
        ):
            return
        time.sleep(0.2)
    raise AssertionError("the queue did not drain: " + json.dumps(attributes))


def test_cancel_racing_dispatch_has_exactly_one_winner(live_server: LiveServer) -> None:
    server, staff = live_server, live_server.token("staff-race", staff=True)
    ann = registered_customer(server, "ann")
    order_id = place(server, ann, items=[{"sku": "OAT-MILK", "quantity": 1}])["orderId"]

    with ThreadPoolExecutor(2) as pool:
        # No expectedVersion: the loser must be refused for the order's status alone.
        cancel = pool.submit(server.graphql, ann, op.CANCEL, input={"orderId": order_id})
        dispatch = pool.submit(server.graphql, staff, op.DISPATCH, input={"orderId": order_id})
        results = [cancel.result()["cancelOrder"], dispatch.result()["dispatchOrder"]]

    outcomes = [
        server.graphql.wait_for_command(token, result["commandId"])
        if result["__typename"] == "CommandAccepted"
        else {"state": "REFUSED", "error": {"code": result["code"]}}
        for token, result in zip((ann, staff), results, strict=True)
    ]
    winners = [outcome for outcome in outcomes if outcome["state"] == "APPLIED"]
    losers = [outcome for outcome in outcomes if outcome["state"] != "APPLIED"]
    assert len(winners) == 1, outcomes
    assert losers[0]["error"]["code"] == "NOT_MODIFIABLE", outcomes
    final = read_order(server, ann, order_id)
    cancel_won = outcomes[0]["state"] == "APPLIED"
    assert final["status"] == ("CANCELLED" if cancel_won else "OUT_FOR_DELIVERY")
    assert final["version"] == 2
    owed = 0 if cancel_won else final["total"]["amount"]
    assert sum(t["amount"]["amount"] for t in final["transactions"]) == owed


def test_staff_manage_the_catalogue_and_customers_cannot(live_server: LiveServer) -> None:
    server, staff = live_server, live_server.token("staff-catalogue", staff=True)
    sku = unique("BAGEL").upper()
    ann = registered_customer(server, "ann")

    forbidden = server.graphql(
        ann, op.UPSERT_PRODUCT, input={"sku": sku, "name": "Bagel", "price": 150}
    )["upsertProduct"]
    added = applied(
        server,
        staff,
        server.graphql(staff, op.UPSERT_PRODUCT, input={"sku": sku, "name": "Bagel", "price": 150})[
            "upsertProduct"
        ],
    )
    listed = server.graphql(ann, op.PRODUCTS)["products"]["edges"]
    ordered = place(server, ann, items=[{"sku": sku, "quantity": 2}])
    applied(
        server,
        staff,
        server.graphql(
            staff,
            op.UPSERT_PRODUCT,
            input={"sku": sku, "name": "Bagel", "price": 150, "active": False},
        )["upsertProduct"],
    )
    withdrawn = server.graphql(ann, op.PLACE, input={"items": [{"sku": sku, "quantity": 1}]})

    assert forbidden["__typename"] == "ForbiddenError"
    assert added["state"] == "APPLIED"
    assert {"sku": sku, "name": "Bagel", "price": {"amount": 150}, "active": True} in [
        edge["node"] for edge in listed
    ]
    assert read_order(server, ann, ordered["orderId"])["subtotal"]["amount"] == 300
    refused = server.graphql.wait_for_command(ann, withdrawn["placeOrder"]["commandId"])
    assert refused["error"]["code"] == "UNKNOWN_PRODUCT"
    assert sku not in [
        edge["node"]["sku"] for edge in server.graphql(ann, op.PRODUCTS)["products"]["edges"]
    ]


def wait_for(predicate: Any, what: str, seconds: float = 20) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what} did not happen within {seconds}s")


def test_every_change_leaves_a_receipt_and_its_emails_in_the_outbox(
    live_server: LiveServer,
) -> None:
    server, staff = live_server, live_server.token("staff-outbox", staff=True)
    ann = registered_customer(server, "ann")
    order_id = place(server, ann, items=[{"sku": "CHOC-CAKE", "quantity": 1}])["orderId"]
    outbox_url = server.graphql_url.replace("/graphql", "/dev/outbox")

    def emails() -> list[dict[str, Any]]:
        sent = server.graphql.get(outbox_url).json()
        return [email for email in sent if email["orderId"] == order_id]

    receipt = wait_for(
        lambda: server.graphql(ann, op.RECEIPT, id=order_id)["order"]["receipt"], "a receipt"
    )
    pdf = server.graphql.get(receipt["url"])
    wait_for(lambda: len(emails()) == 2, "two emails")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert receipt["version"] == 1
    customer_email = server.graphql(ann, op.ME)["me"]["email"]
    assert {email["to"] for email in emails()} == {"orders@corner-bakery.example", customer_email}
    # The customer's email links to the order's page in the web app the server serves.
    order_page = server.graphql_url.replace("/graphql", f"/#/orders/{order_id}")
    (to_customer,) = (email for email in emails() if email["to"] == customer_email)
    assert order_page in to_customer["text"]
    assert f'href="{order_page}"' in to_customer["html"]

    for mutation, result in (
        (op.MODIFY, "modifyOrder"),
        (op.DISPATCH, "dispatchOrder"),
        (op.COMPLETE, "completeDelivery"),
    ):
        token = ann if mutation is op.MODIFY else staff
        order_input: dict[str, Any] = {"orderId": order_id}
        if mutation is op.MODIFY:
            order_input["items"] = [{"sku": "CHOC-CAKE", "quantity": 2}]
        assert (
            applied(server, token, server.graphql(token, mutation, input=order_input)[result])[
                "state"
            ]
            == "APPLIED"
        )

    wait_for(lambda: len(emails()) == 5, "an email for each change")
    latest = wait_for(
        lambda: (
            (server.graphql(ann, op.RECEIPT, id=order_id)["order"]["receipt"] or {}).get("version")
            == 4
        ),
        "the fourth receipt",
    )
    assert latest
    subjects = [email["subject"] for email in reversed(emails())]
    number = order_number(order_id)
    assert subjects[2:] == [
        f"Your order {number} was updated",
        f"Your order {number} is on its way",
        f"Your order {number} was delivered",
    ]
    page = server.graphql.get(outbox_url + ".html")
    assert f"/dev/receipts/{order_id}" in page.text
