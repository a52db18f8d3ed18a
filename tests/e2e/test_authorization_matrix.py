"""The authorization matrix: every operation of the contract against every kind of caller.

Each cell is its own test (`modifyOrder-customer_B`). A customer reaching for another's order,
command or profile must get exactly what a missing id gets, and a refused mutation must leave
nothing behind: no commandId in the answer, nothing queued, nothing applied.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import boto3
import httpx
import pytest

from app.local.dev_tokens import DevTokens
from app.local.server import LOCAL_PREFIX, LOCAL_REGION
from domain.ids import new_ulid, order_id_for, owner_tag
from domain.resources import QUEUES
from tests.e2e import operations as op
from tests.e2e.conftest import LiveServer
from tests.e2e.test_order_lifecycle import HOME, order_events, place, unique

pytestmark = pytest.mark.e2e

SETTLE_SECONDS = 1.0
ITEMS = [{"sku": "CROISSANT", "quantity": 2}]


class Caller(StrEnum):
    NO_TOKEN = "no_token"
    FORGED = "forged_token"  # claims staff, signed with another secret
    EXPIRED = "expired_token"  # customer A's own token, expired
    A = "customer_A"
    B = "customer_B"
    STAFF = "staff"


class Outcome(StrEnum):
    UNAUTHENTICATED = "HTTP 401, code UNAUTHENTICATED, no data"
    OWN_PROFILE = "the caller's own profile"
    A_PROFILE = "A's profile, A's order among its orders"
    A_ORDER = "A's order"
    OWN_ORDERS = "only the caller's own orders (so A's order for A only)"
    ALL_ORDERS = "everyone's orders, A's order among them"
    ACTIVE_PRODUCTS = "the active catalogue, no withdrawn product"
    ALL_PRODUCTS = "the catalogue with its withdrawn products"
    A_COMMAND = "A's command, APPLIED"
    AS_IF_MISSING = "exactly what a well-formed missing id gets, nothing queued"
    FORBIDDEN = "ForbiddenError, nothing queued"
    APPLIED = "CommandAccepted, then APPLIED by the worker"


U = Outcome.UNAUTHENTICATED
Gets = Outcome  # reads as the table: customer_B Gets.AS_IF_MISSING

# fmt: off
# One row per operation; columns: no token, forged token, expired token, customer A, customer B,
# staff. A's things are A's order, A's profile and A's command; see each outcome's description.
MATRIX: dict[str, tuple[Outcome, Outcome, Outcome, Outcome, Outcome, Outcome]] = {
    "me":               (U, U, U, Gets.OWN_PROFILE,     Gets.OWN_PROFILE,     Gets.OWN_PROFILE),
    "order":            (U, U, U, Gets.A_ORDER,         Gets.AS_IF_MISSING,   Gets.A_ORDER),
    "orders":           (U, U, U, Gets.OWN_ORDERS,      Gets.OWN_ORDERS,      Gets.ALL_ORDERS),
    "customer":         (U, U, U, Gets.A_PROFILE,       Gets.AS_IF_MISSING,   Gets.A_PROFILE),
    "products":         (U, U, U, Gets.ACTIVE_PRODUCTS, Gets.ACTIVE_PRODUCTS, Gets.ALL_PRODUCTS),
    "command":          (U, U, U, Gets.A_COMMAND,       Gets.AS_IF_MISSING,   Gets.A_COMMAND),
    "registerCustomer": (U, U, U, Gets.APPLIED,         Gets.APPLIED,         Gets.APPLIED),
    "placeOrder":       (U, U, U, Gets.APPLIED,         Gets.APPLIED,         Gets.APPLIED),
    "modifyOrder":      (U, U, U, Gets.APPLIED,         Gets.AS_IF_MISSING,   Gets.APPLIED),
    "cancelOrder":      (U, U, U, Gets.APPLIED,         Gets.AS_IF_MISSING,   Gets.APPLIED),
    "dispatchOrder":    (U, U, U, Gets.FORBIDDEN,       Gets.FORBIDDEN,       Gets.APPLIED),
    "completeDelivery": (U, U, U, Gets.FORBIDDEN,       Gets.FORBIDDEN,       Gets.APPLIED),
    "upsertProduct":    (U, U, U, Gets.FORBIDDEN,       Gets.FORBIDDEN,       Gets.APPLIED),
}
# fmt: on

# Cells that reveal an authorization bug: (operation, caller) -> "BUG: ...".
KNOWN_BUGS: dict[tuple[str, Caller], str] = {}

QUERIES = {
    "me": op.ME,
    "order": op.ORDER_OWNER,
    "orders": op.PLACED_ORDERS_WITH_OWNER,
    "customer": op.CUSTOMER,
    "products": op.PRODUCTS,
    "command": op.COMMAND,
}
MUTATIONS = {
    "registerCustomer": op.REGISTER,
    "placeOrder": op.PLACE,
    "modifyOrder": op.MODIFY,
    "cancelOrder": op.CANCEL,
    "dispatchOrder": op.DISPATCH,
    "completeDelivery": op.COMPLETE,
    "upsertProduct": op.UPSERT_PRODUCT,
}
ORDER_MUTATIONS = {"modifyOrder", "cancelOrder", "dispatchOrder", "completeDelivery"}
REFUSALS = {
    Outcome.FORBIDDEN: ("ForbiddenError", "FORBIDDEN"),
    Outcome.AS_IF_MISSING: ("NotFoundError", "NOT_FOUND"),
}


def cells(operations: dict[str, str]) -> list[Any]:
    """One test per (operation, caller), as `modifyOrder-customer_B`; known bugs xfail strictly."""
    params = []
    for operation in operations:
        for caller, outcome in zip(Caller, MATRIX[operation], strict=True):
            bug = KNOWN_BUGS.get((operation, caller))
            marks = [pytest.mark.xfail(strict=True, reason=bug)] if bug else []
            params.append(
                pytest.param(operation, caller, outcome, id=f"{operation}-{caller}", marks=marks)
            )
    return params


@dataclass(frozen=True)
class World:
    """Customers A and B, staff, A's placed order and its command: set up once per module."""

    server: LiveServer
    tokens: dict[Caller, str | None]
    subs: dict[Caller, str]  # the subject each token claims
    a_order_id: str
    a_command_id: str
    withdrawn_sku: str
    sqs: Any

    def post(self, caller: Caller, query: str, **variables: Any) -> httpx.Response:
        return self.server.graphql.post(self.tokens[caller], query, **variables)

    def answer(self, caller: Caller, query: str, **variables: Any) -> Any:
        token = self.tokens[caller]
        assert token is not None
        return self.server.graphql(token, query, **variables)

    def wait_applied(self, caller: Caller, accepted: dict[str, Any]) -> dict[str, Any]:
        assert accepted["__typename"] == "CommandAccepted", accepted
        token = self.tokens[caller]
        assert token is not None
        return self.server.graphql.wait_for_command(token, accepted["commandId"])

    def fresh_order(self, *, dispatched: bool = False) -> str:
        """A new PLACED order of A's (or OUT_FOR_DELIVERY), for a cell that changes one."""
        token = self.tokens[Caller.A]
        assert token is not None
        order_id = str(place(self.server, token, items=ITEMS)["orderId"])
        if dispatched:
            dispatch = self.answer(Caller.STAFF, op.DISPATCH, input={"orderId": order_id})
            assert self.wait_applied(Caller.STAFF, dispatch["dispatchOrder"])["state"] == "APPLIED"
        return order_id

    def a_id(self, operation: str) -> str:
        """The id of A's own thing that the operation names."""
        if operation == "customer":
            return self.subs[Caller.A]
        if operation == "command":
            return self.a_command_id
        return self.a_order_id

    def missing_id(self, operation: str) -> str:
        """A well-formed id of the same shape as `a_id(operation)`, naming nothing."""
        if operation == "customer":
            return unique("ann")
        if operation == "command":
            return f"{new_ulid()}-{owner_tag(self.subs[Caller.A])}"
        return new_ulid()

    def settle(self) -> None:
        """Give the worker the time to apply whatever a call may have queued.

        Until both command queues are empty (a queued message stays counted until the worker
        has applied and deleted it), or SETTLE_SECONDS at most, so that a message another test
        left in flight cannot stall the matrix.
        """
        urls = [
            self.sqs.get_queue_url(QueueName=queue.name(LOCAL_PREFIX))["QueueUrl"]
            for queue in QUEUES.values()
        ]
        counts = ("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible")
        deadline = time.monotonic() + SETTLE_SECONDS
        while time.monotonic() < deadline:
            attributes = [
                self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=list(counts))
                for url in urls
            ]
            if all(queue["Attributes"][name] == "0" for queue in attributes for name in counts):
                return
            time.sleep(0.05)

    def witnesses(self) -> dict[str, Any]:
        """What no refused call may change, read by staff."""
        seen = self.answer(
            Caller.STAFF,
            op.AUTHORIZATION_WITNESSES,
            orderId=self.a_order_id,
            customerA=self.subs[Caller.A],
            intruder=self.subs[Caller.FORGED],
        )
        order = seen["order"]
        return {
            "order": {**order, "history": order_events(order)},
            "customerA": seen["customerA"],
            "intruder": seen["intruder"],
            "skus": sorted(edge["node"]["sku"] for edge in seen["products"]["edges"]),
        }


def register(server: LiveServer, token: str, name: str) -> None:
    accepted = server.graphql(token, op.REGISTER, input={"name": name, "defaultAddress": HOME})
    settled = server.graphql.wait_for_command(token, accepted["registerCustomer"]["commandId"])
    assert settled["state"] == "APPLIED", settled


@pytest.fixture(scope="module")
def world(live_server: LiveServer) -> World:
    server = live_server
    subs = {
        Caller.A: unique("ann"),
        Caller.B: unique("bob"),
        Caller.STAFF: unique("stella"),
        Caller.FORGED: unique("mallory"),
    }
    subs[Caller.EXPIRED] = subs[Caller.A]
    forger = DevTokens(f"not-the-servers-secret-{uuid.uuid4().hex}")
    tokens: dict[Caller, str | None] = {
        Caller.NO_TOKEN: None,
        Caller.FORGED: forger.issue(
            subs[Caller.FORGED], name="Mallory", email="mallory@example.com", staff=True
        ),
        Caller.EXPIRED: server.tokens.issue(
            subs[Caller.A], name="Ann", email="ann@example.com", ttl_seconds=-60
        ),
        Caller.A: server.token(subs[Caller.A]),
        Caller.B: server.token(subs[Caller.B]),
        Caller.STAFF: server.token(subs[Caller.STAFF], staff=True),
    }
    for caller, name in ((Caller.A, "Ann"), (Caller.B, "Bob"), (Caller.STAFF, "Stella")):
        token = tokens[caller]
        assert token is not None
        register(server, token, name)
    a_token = tokens[Caller.A]
    assert a_token is not None
    placed = place(server, a_token, items=ITEMS)
    seeded = World(
        server=server,
        tokens=tokens,
        subs=subs,
        a_order_id=placed["orderId"],
        a_command_id=placed["commandId"],
        withdrawn_sku=unique("WITHDRAWN").upper(),
        sqs=boto3.client(
            "sqs",
            endpoint_url=server.emulator_url,
            region_name=LOCAL_REGION,
            aws_access_key_id="local",
            aws_secret_access_key="local",
        ),
    )
    withdrawn = seeded.answer(
        Caller.STAFF,
        op.UPSERT_PRODUCT,
        input={"sku": seeded.withdrawn_sku, "name": "Withdrawn", "price": 100, "active": False},
    )
    assert seeded.wait_applied(Caller.STAFF, withdrawn["upsertProduct"])["state"] == "APPLIED"
    return seeded


def assert_unauthenticated(response: httpx.Response) -> None:
    body = response.json()
    assert response.status_code == 401, response.text
    assert "data" not in body, body
    assert [error["extensions"]["code"] for error in body["errors"]] == ["UNAUTHENTICATED"]
    assert response.headers["www-authenticate"].startswith("Bearer")


def without_id(response: httpx.Response, id_: str) -> tuple[int, Any]:
    """The response as a client sees it, with the id it names masked."""
    return response.status_code, json.loads(response.text.replace(id_, "<id>"))


def assert_same_as_missing(
    world: World, caller: Caller, operation: str, response: httpx.Response, sent: dict[str, Any]
) -> None:
    """The answer about A's id equals the answer about a missing id, apart from the id."""
    missing_id = world.missing_id(operation)
    document = QUERIES.get(operation) or MUTATIONS[operation]
    variables = json.loads(json.dumps(sent).replace(world.a_id(operation), missing_id))
    on_missing = world.post(caller, document, **variables)
    assert without_id(response, world.a_id(operation)) == without_id(on_missing, missing_id)


def query_variables(world: World, operation: str) -> dict[str, Any]:
    return {"id": world.a_id(operation)} if operation in {"order", "customer", "command"} else {}


@pytest.mark.parametrize(("operation", "caller", "outcome"), cells(QUERIES))
def test_query(world: World, operation: str, caller: Caller, outcome: Outcome) -> None:
    variables = query_variables(world, operation)
    response = world.post(caller, QUERIES[operation], **variables)

    if outcome is Outcome.UNAUTHENTICATED:
        assert_unauthenticated(response)
        return
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    answer = body["data"][operation]
    a_sub, a_order = world.subs[Caller.A], world.a_order_id
    match outcome:
        case Outcome.OWN_PROFILE:
            assert answer["id"] == world.subs[caller]
        case Outcome.A_PROFILE:
            assert answer["id"] == a_sub
            assert a_order in [edge["node"]["id"] for edge in answer["orders"]["edges"]]
        case Outcome.A_ORDER:
            assert answer == {
                "id": a_order,
                "status": "PLACED",
                "version": 1,
                "customer": {"id": a_sub},
            }
        case Outcome.OWN_ORDERS:
            nodes = [edge["node"] for edge in answer["edges"]]
            assert {node["customer"]["id"] for node in nodes} <= {world.subs[caller]}
            assert (a_order in [node["id"] for node in nodes]) is (caller is Caller.A)
        case Outcome.ALL_ORDERS:
            assert a_order in [edge["node"]["id"] for edge in answer["edges"]]
        case Outcome.ACTIVE_PRODUCTS | Outcome.ALL_PRODUCTS:
            products = {edge["node"]["sku"]: edge["node"]["active"] for edge in answer["edges"]}
            assert products.get("CROISSANT") is True
            if outcome is Outcome.ACTIVE_PRODUCTS:
                assert all(products.values()), products
            else:
                assert products[world.withdrawn_sku] is False
        case Outcome.A_COMMAND:
            assert answer == {"state": "APPLIED", "orderId": a_order, "error": None}
        case Outcome.AS_IF_MISSING:
            assert answer is None
            assert_same_as_missing(world, caller, operation, response, variables)
        case _:
            pytest.fail(f"no check for {outcome!r} on a query")


def accepted_input(world: World, operation: str, caller: Caller) -> dict[str, Any]:
    """An input the caller may send; a cell that changes an order gets a fresh one of A's."""
    match operation:
        case "registerCustomer":
            return {"name": {Caller.A: "Ann", Caller.B: "Bob"}.get(caller, "Stella")}
        case "placeOrder":
            return {"items": ITEMS}
        case "modifyOrder":
            return {"orderId": world.fresh_order(), "notes": f"by {caller}"}
        case "cancelOrder":
            return {"orderId": world.fresh_order(), "reason": f"by {caller}"}
        case "dispatchOrder":
            return {"orderId": world.fresh_order()}
        case "completeDelivery":
            return {"orderId": world.fresh_order(dispatched=True)}
        case "upsertProduct":
            return {"sku": unique("AUTHZ").upper(), "name": "Scone", "price": 250, "active": False}
    raise AssertionError(operation)


def refused_input(world: World, operation: str, caller: Caller) -> dict[str, Any]:
    """An input aimed at A's order or A's identity, or at the catalogue."""
    match operation:
        case "registerCustomer":
            return {"name": "Mallory", "email": "mallory@example.com"}
        case "placeOrder":
            return {"items": ITEMS, "idempotencyKey": f"refused-{caller}"}
        case "modifyOrder":
            return {"orderId": world.a_order_id, "notes": f"by {caller}"}
        case "cancelOrder":
            return {"orderId": world.a_order_id, "reason": f"by {caller}"}
        case "dispatchOrder" | "completeDelivery":
            return {"orderId": world.a_order_id}
        case "upsertProduct":
            return {"sku": f"REFUSED-{caller}".upper(), "name": "Free lunch", "price": 1}
    raise AssertionError(operation)


@pytest.mark.parametrize(("operation", "caller", "outcome"), cells(MUTATIONS))
def test_mutation(world: World, operation: str, caller: Caller, outcome: Outcome) -> None:
    if outcome is Outcome.APPLIED:
        mutation_input = accepted_input(world, operation, caller)
        accepted = world.answer(caller, MUTATIONS[operation], input=mutation_input)[operation]
        settled = world.wait_applied(caller, accepted)
        assert settled["state"] == "APPLIED", settled
        if operation in ORDER_MUTATIONS:
            assert settled["orderId"] == mutation_input["orderId"]
        return

    before = world.witnesses()
    mutation_input = refused_input(world, operation, caller)
    response = world.post(caller, MUTATIONS[operation], input=mutation_input)

    if outcome is Outcome.UNAUTHENTICATED:
        assert_unauthenticated(response)
    else:
        assert response.status_code == 200, response.text
        answer = response.json()["data"][operation]
        assert "commandId" not in answer, answer
        assert (answer["__typename"], answer["code"]) == REFUSALS[outcome]
        if operation in ORDER_MUTATIONS:
            assert_same_as_missing(world, caller, operation, response, {"input": mutation_input})

    # Nothing queued, nothing applied: once a worker had the time, A's order, A's profile, the
    # forger's (absent) profile and the catalogue are as they were.
    world.settle()
    after = world.witnesses()
    assert after == before
    assert (after["order"]["status"], after["order"]["version"]) == ("PLACED", 1)
    assert after["customerA"] == {"name": "Ann"}
    assert after["intruder"] is None
    assert mutation_input.get("sku") not in after["skus"]
    if operation == "placeOrder" and caller in world.subs:
        would_be = order_id_for(world.subs[caller], mutation_input["idempotencyKey"])
        assert world.answer(Caller.STAFF, op.ORDER_OWNER, id=would_be) == {"order": None}
