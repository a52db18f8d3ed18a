"""The GraphQL schema against the emulator: what each operation reads, queues and reveals."""

from __future__ import annotations

from typing import Any

import pytest

from domain.orders import Actor
from schema import graphql_schema
from schema.graphql_schema import build_schema
from schema.query_cost import RememberedCosts
from tests.e2e.operations import MODIFY
from tests.integration.conftest import (
    Stack,
    cancel_command,
    dispatch_command,
    identity,
    place_command,
    register_command,
)

pytestmark = pytest.mark.integration

SCHEMA = build_schema()
PLACE = """
mutation($input: PlaceOrderInput!) {
  placeOrder(input: $input) {
    __typename
    ... on CommandAccepted { commandId orderId }
    ... on ValidationError { code field message }
  }
}"""
DISPATCH = """
mutation($id: ID!) {
  dispatchOrder(input: {orderId: $id}) { __typename ... on Error { code message } }
}"""
ORDER = "query($id: ID!) { order(id: $id) { id status version total { amount } } }"
ORDERS = """
query($status: OrderStatus, $first: Int, $after: String) {
  orders(status: $status, first: $first, after: $after) {
    edges { cursor node { id status } }
    pageInfo { hasNextPage endCursor }
  }
}"""
COMMAND = "query($id: ID!) { command(id: $id) { id state orderId error { code } } }"


async def run(stack: Stack, who: str, query: str, staff: bool = False, **variables: Any) -> Any:
    result = await SCHEMA.execute(
        query,
        variable_values=variables,
        context_value=await stack.context(identity(who, staff=staff)),
    )
    assert result.errors is None, result.errors
    return result.data


async def test_place_order_costs_one_send_and_no_table_access(stack: Stack) -> None:
    await stack.count_calls()

    data = await run(stack, "ann", PLACE, input={"items": [{"sku": "TEA", "quantity": 1}]})

    assert data["placeOrder"]["__typename"] == "CommandAccepted"
    assert dict(stack.calls) == {"sqs.SendMessage": 1}


async def test_modify_costs_one_read_and_one_send(stack: Stack) -> None:
    await stack.apply(register_command("ann"))
    placed = place_command("ann")
    await stack.apply(placed)
    await stack.count_calls()

    data = await run(
        stack, "ann", MODIFY, input={"orderId": placed.order_id, "notes": "ring twice"}
    )

    assert data["modifyOrder"]["__typename"] == "CommandAccepted"
    assert dict(stack.calls) == {"dynamodb.GetItem": 1, "sqs.SendMessage": 1}


async def test_bad_input_names_the_field_and_queues_nothing(stack: Stack) -> None:
    await stack.count_calls()

    data = await run(
        stack,
        "ann",
        PLACE,
        input={"items": [{"sku": "TEA", "quantity": 1}, {"sku": "CAKE", "quantity": 0}]},
    )

    assert data["placeOrder"] == {
        "__typename": "ValidationError",
        "code": "VALIDATION",
        "field": "items.1.quantity",
        "message": "items.1.quantity must be from 1 to 1000.",
    }
    assert not stack.calls


async def test_another_customers_order_answers_exactly_like_a_missing_one(stack: Stack) -> None:
    await stack.apply(register_command("ann"))
    placed = place_command("ann")
    await stack.apply(placed)
    await stack.count_calls()

    seen = await run(stack, "bob", ORDER, id=placed.order_id)
    theirs = await run(stack, "bob", MODIFY, input={"orderId": placed.order_id, "notes": "x"})
    missing = await run(stack, "bob", MODIFY, input={"orderId": "NO-SUCH-ORDER", "notes": "x"})

    assert seen == {"order": None}
    assert (
        theirs["modifyOrder"]["__typename"]
        == missing["modifyOrder"]["__typename"]
        == ("NotFoundError")
    )
    assert theirs["modifyOrder"]["message"].replace(placed.order_id, "ID") == missing[
        "modifyOrder"
    ]["message"].replace("NO-SUCH-ORDER", "ID")
    assert stack.calls["sqs.SendMessage"] == 0


async def test_staff_only_mutations_are_forbidden_to_customers(stack: Stack) -> None:
    await stack.apply(register_command("ann"))
    placed = place_command("ann")
    await stack.apply(placed)
    await stack.count_calls()

    data = await run(stack, "ann", DISPATCH, id=placed.order_id)

    assert data["dispatchOrder"]["__typename"] == "ForbiddenError"
    assert data["dispatchOrder"]["code"] == "FORBIDDEN"
    assert not stack.calls


async def test_customers_page_through_their_own_orders_newest_first(stack: Stack) -> None:
    await stack.apply(register_command("ann"))
    await stack.apply(register_command("bob"))
    placed = [place_command("ann") for _ in range(5)]
    for command in placed:
        await stack.apply(command)
    await stack.apply(place_command("bob"))

    first = await run(stack, "ann", ORDERS, first=3)
    cursor = first["orders"]["pageInfo"]["endCursor"]
    second = await run(stack, "ann", ORDERS, first=3, after=cursor)

    ids = [edge["node"]["id"] for page in (first, second) for edge in page["orders"]["edges"]]
    assert ids == [command.order_id for command in reversed(placed)]
    assert first["orders"]["pageInfo"]["hasNextPage"] is True
    assert second["orders"]["pageInfo"]["hasNextPage"] is False


async def test_staff_list_every_customers_orders_by_status(stack: Stack) -> None:
    for sub in ("ann", "bob"):
        await stack.apply(register_command(sub))
    ann, bob, cancelled = place_command("ann"), place_command("bob"), place_command("bob")
    for command in (ann, bob, cancelled):
        await stack.apply(command)
    await stack.apply(dispatch_command(ann.order_id))
    await stack.apply(cancel_command(Actor("bob"), cancelled.order_id))

    placed = await run(stack, "boss", ORDERS, staff=True, status="PLACED")
    everything = await run(stack, "boss", ORDERS, staff=True, first=2)
    rest = await run(
        stack,
        "boss",
        ORDERS,
        staff=True,
        first=2,
        after=everything["orders"]["pageInfo"]["endCursor"],
    )

    assert [edge["node"]["id"] for edge in placed["orders"]["edges"]] == [bob.order_id]
    all_ids = [
        edge["node"]["id"] for page in (everything, rest) for edge in page["orders"]["edges"]
    ]
    assert all_ids == [cancelled.order_id, bob.order_id, ann.order_id]


async def test_a_command_is_pending_to_its_issuer_and_invisible_to_others(stack: Stack) -> None:
    data = await run(stack, "ann", PLACE, input={"items": [{"sku": "TEA", "quantity": 1}]})
    command_id = data["placeOrder"]["commandId"]

    pending = await run(stack, "ann", COMMAND, id=command_id)
    foreign_pending = await run(stack, "bob", COMMAND, id=command_id)
    await stack.drain()
    rejected = await run(stack, "ann", COMMAND, id=command_id)
    foreign_done = await run(stack, "bob", COMMAND, id=command_id)
    for_staff = await run(stack, "boss", COMMAND, staff=True, id=command_id)

    assert pending["command"]["state"] == "PENDING"
    # ann never registered: the worker refuses the order for want of a profile.
    assert rejected["command"]["state"] == "REJECTED"
    assert rejected["command"]["error"] == {"code": "PROFILE_REQUIRED"}
    assert foreign_pending == foreign_done == {"command": None}
    assert for_staff == rejected


async def test_staff_see_anyones_pending_command(stack: Stack) -> None:
    data = await run(stack, "ann", PLACE, input={"items": [{"sku": "TEA", "quantity": 1}]})

    seen = await run(stack, "boss", COMMAND, staff=True, id=data["placeOrder"]["commandId"])

    assert seen["command"]["state"] == "PENDING"


@pytest.mark.parametrize("bad_id", ["", "x" * 3000, "01ARZ3NDEKTSV4RRFFQ69G5FA!", "'; DROP"])
async def test_an_id_of_the_wrong_shape_answers_as_missing_without_a_read(
    stack: Stack, bad_id: str
) -> None:
    await stack.count_calls()

    order = await run(stack, "ann", ORDER, id=bad_id)
    command = await run(stack, "ann", COMMAND, id=bad_id)
    modify = await run(stack, "ann", MODIFY, input={"orderId": bad_id, "notes": "x"})

    assert order == {"order": None}
    assert command == {"command": None}
    assert modify["modifyOrder"]["__typename"] == "NotFoundError"
    assert not stack.calls


async def test_an_unexpected_failure_is_masked_with_the_requests_correlation_id(
    stack: Stack, caplog: pytest.LogCaptureFixture
) -> None:
    context = await stack.context(identity("ann"))

    async def broken(_order_id: str) -> None:
        raise RuntimeError("secret table detail")

    object.__setattr__(context.reads, "order", broken)
    result = await SCHEMA.execute(
        MODIFY,
        variable_values={"input": {"orderId": "01ARZ3NDEKTSV4RRFFQ69G5FAV", "notes": "x"}},
        context_value=context,
    )

    assert result.errors is not None
    (error,) = result.errors
    assert "secret" not in error.message
    assert error.message == f"Unexpected error. Reference: {context.correlation_id}"
    assert error.extensions == {"code": "INTERNAL", "correlationId": context.correlation_id}
    logged = [record for record in caplog.records if context.correlation_id in record.getMessage()]
    assert logged
    assert logged[0].exc_info is not None


@pytest.mark.parametrize("stage", ["parse", "validate", "price"])
async def test_an_unexpected_failure_before_execution_is_masked_too(
    stack: Stack, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, stage: str
) -> None:
    """A failure in an extension's hook (Strawberry words it as the exception's message)."""

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("secret /var/task/internals")

    owner, name = {
        "parse": (graphql_schema, "parse"),
        "validate": (graphql_schema, "validate_document"),
        "price": (RememberedCosts, "cost"),
    }[stage]
    monkeypatch.setattr(owner, name, broken)
    schema = build_schema()  # the parser is taken when the schema is built
    context = await stack.context(identity("ann"))

    result = await schema.execute("{ me { id } }", context_value=context)

    assert result.errors is not None
    (error,) = result.errors
    assert error.message == f"Unexpected error. Reference: {context.correlation_id}"
    assert error.extensions == {"code": "INTERNAL", "correlationId": context.correlation_id}
    logged = [record for record in caplog.records if context.correlation_id in record.getMessage()]
    assert logged
    assert logged[0].exc_info is not None


async def test_a_query_nested_too_deep_is_refused_before_any_read(stack: Stack) -> None:
    await stack.count_calls()
    deep = """{ orders { edges { node { customer { orders { edges { node {
        customer { orders { edges { node { id } } } } } } } } } } } }"""

    result = await SCHEMA.execute(deep, context_value=await stack.context(identity("ann")))

    assert result.errors is not None
    assert "exceeds maximum operation depth" in result.errors[0].message
    assert not stack.calls
