"""Order mail goes only to an address the identity proved, through HTTP and the worker."""

from __future__ import annotations

import uuid

import pytest

from tests.e2e import operations as op
from tests.e2e.conftest import LiveServer
from tests.e2e.test_order_lifecycle import HOME, applied, place, wait_for

pytestmark = pytest.mark.e2e

BUSINESS = "orders@corner-bakery.example"


def _token(server: LiveServer, *, verified: bool = True) -> tuple[str, str]:
    sub = f"mail-{uuid.uuid4().hex[:8]}"
    email = f"{sub}@example.com"
    token = server.tokens.issue(sub, name="Ann", email=email, email_verified=verified)
    return token, email


REGISTER_FIELD = """
mutation($input: RegisterCustomerInput!) {
  registerCustomer(input: $input) {
    __typename ... on CommandAccepted { commandId } ... on ValidationError { field message }
  }
}"""


@pytest.mark.parametrize(
    "other",
    ["victim@example.org", "ANN+spam@example.com", "billing@corner-bakery.example"],
    ids=["stranger", "tagged", "the-business"],
)
def test_registering_another_address_is_refused_and_queues_nothing(
    live_server: LiveServer, other: str
) -> None:
    token, _ = _token(live_server)

    refusal = live_server.graphql(token, REGISTER_FIELD, input={"name": "Ann", "email": other})

    assert refusal["registerCustomer"]["__typename"] == "ValidationError"
    assert refusal["registerCustomer"]["field"] == "email"
    assert live_server.graphql(token, op.ME)["me"] is None


def test_a_sign_in_without_a_verified_email_cannot_register(live_server: LiveServer) -> None:
    token, email = _token(live_server, verified=False)

    for fields in ({}, {"email": email}):
        refusal = live_server.graphql(token, REGISTER_FIELD, input={"name": "Ann", **fields})
        assert refusal["registerCustomer"]["field"] == "email"


def test_order_mail_goes_to_the_verified_address_and_the_business_only(
    live_server: LiveServer,
) -> None:
    server = live_server
    token, email = _token(server)
    # The verified address, spelt in other case, is the same address: kept as the token has it.
    accepted = server.graphql(
        token,
        REGISTER_FIELD,
        input={"name": "Ann", "email": email.upper(), "defaultAddress": HOME},
    )["registerCustomer"]
    assert applied(server, token, accepted)["state"] == "APPLIED"
    assert server.graphql(token, op.ME)["me"]["email"] == email

    order_id = place(server, token, items=[{"sku": "CROISSANT", "quantity": 1}])["orderId"]
    outbox_url = server.graphql_url.replace("/graphql", "/dev/outbox")

    def recipients() -> list[str]:
        sent = server.graphql.get(outbox_url).json()
        return sorted(mail["to"] for mail in sent if mail["orderId"] == order_id)

    wait_for(lambda: len(recipients()) == 2, "the order's two emails")
    assert recipients() == sorted([email, BUSINESS])
