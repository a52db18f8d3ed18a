"""Commands as queue messages: a versioned JSON envelope, re-validated when decoded."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from domain.commands import (
    MESSAGE_SCHEMA_VERSION,
    Command,
    CommandReference,
    PlaceOrder,
    command_reference,
    decode_command,
    encode_command,
)
from domain.errors import MalformedCommandError
from domain.orders import DeliveryPriority
from tests.factories import (
    KETTLE,
    MUG,
    OTHER_CUSTOMER_SUB,
    TEA,
    a_cancel_order_command,
    a_complete_delivery_command,
    a_customer,
    a_dispatch_order_command,
    a_line,
    a_modify_order_command,
    a_place_order_command,
    a_register_customer_command,
    an_address,
    an_upsert_product_command,
)

EVERY_COMMAND = [
    pytest.param(a_register_customer_command(), id="RegisterCustomer"),
    pytest.param(
        a_register_customer_command(phone="+1 555 0100", default_address=None),
        id="RegisterCustomer-no-address",
    ),
    pytest.param(a_place_order_command(), id="PlaceOrder-minimal"),
    pytest.param(
        a_place_order_command(
            items=(a_line(TEA, 3), a_line(MUG, 1)),
            priority=DeliveryPriority.URGENT,
            delivery_address=an_address(line2="Flat 3"),
            notes="ring twice\nthen wait",
            idempotency_key="checkout-7f3a",
        ),
        id="PlaceOrder-full",
    ),
    pytest.param(a_modify_order_command(), id="ModifyOrder-items"),
    pytest.param(
        a_modify_order_command(
            expected_version=3,
            items=None,
            delivery_address=an_address(city="Leeds"),
            notes="",
        ),
        id="ModifyOrder-address-and-cleared-notes",
    ),
    pytest.param(a_cancel_order_command(), id="CancelOrder"),
    pytest.param(
        a_cancel_order_command(expected_version=2, reason="changed my mind"),
        id="CancelOrder-with-reason",
    ),
    pytest.param(a_dispatch_order_command(expected_version=1), id="DispatchOrder"),
    pytest.param(a_complete_delivery_command(), id="CompleteDelivery"),
    pytest.param(an_upsert_product_command(active=False, price=0), id="UpsertProduct"),
    pytest.param(
        an_upsert_product_command(description="Loose-leaf sencha.\nSteep at 80 °C."),
        id="UpsertProduct-described",
    ),
]


@pytest.mark.parametrize("command", EVERY_COMMAND)
def test_every_command_survives_encoding_and_decoding(command: Command) -> None:
    decoded = decode_command(encode_command(command))

    assert type(decoded) is type(command)
    assert decoded == command


@pytest.mark.parametrize("command", EVERY_COMMAND)
def test_the_envelope_names_its_schema_and_command_type(command: Command) -> None:
    envelope = json.loads(encode_command(command))

    assert envelope["schema"] == MESSAGE_SCHEMA_VERSION
    assert envelope["type"] == type(command).__name__
    assert envelope["command"]["command_id"] == command.command_id


def _envelope(**overrides: Any) -> dict[str, Any]:
    envelope: dict[str, Any] = json.loads(encode_command(a_place_order_command()))
    return envelope | overrides


def _with_command_fields(**fields: Any) -> str:
    envelope = _envelope()
    return json.dumps(envelope | {"command": envelope["command"] | fields})


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("", id="empty"),
        pytest.param("not json at all", id="not-json"),
        pytest.param("[1, 2, 3]", id="a-list"),
        pytest.param("null", id="null"),
        pytest.param(json.dumps(_envelope(schema=2)), id="future-schema"),
        pytest.param(json.dumps(_envelope(schema="1")), id="schema-as-text"),
        pytest.param(
            json.dumps({k: v for k, v in _envelope().items() if k != "schema"}), id="no-schema"
        ),
        pytest.param(json.dumps(_envelope(type="DropTables")), id="unknown-type"),
        pytest.param(json.dumps(_envelope(type="Command")), id="abstract-type"),
        pytest.param(json.dumps(_envelope(type=None)), id="no-type"),
        pytest.param(json.dumps(_envelope(command=None)), id="no-command"),
        pytest.param(json.dumps(_envelope(command=["PlaceOrder"])), id="command-not-an-object"),
        pytest.param(_with_command_fields(items=None), id="missing-items"),
        pytest.param(_with_command_fields(order_id=None), id="missing-order-id"),
        pytest.param(_with_command_fields(items={"sku": TEA}), id="items-not-a-list"),
        pytest.param(_with_command_fields(items=["TEA-001"]), id="line-not-an-object"),
        pytest.param(
            _with_command_fields(items=[{"sku": TEA, "quantity": "2"}]), id="quantity-as-text"
        ),
        pytest.param(
            _with_command_fields(items=[{"sku": TEA, "quantity": 1.5}]), id="quantity-fraction"
        ),
        pytest.param(
            _with_command_fields(items=[{"sku": TEA, "quantity": True}]), id="quantity-boolean"
        ),
        pytest.param(_with_command_fields(notes=42), id="notes-not-text"),
        pytest.param(_with_command_fields(actor={"sub": 7}), id="actor-sub-not-text"),
        pytest.param(
            _with_command_fields(actor={"sub": "x", "is_staff": "yes"}), id="is-staff-not-bool"
        ),
        pytest.param(_with_command_fields(priority="ASAP"), id="unknown-priority"),
        pytest.param(_with_command_fields(issued_at="yesterday"), id="bad-timestamp"),
        pytest.param(
            _with_command_fields(issued_at="2025-03-14T09:26:53"), id="timestamp-without-zone"
        ),
        pytest.param(_with_command_fields(issued_at=1741944413), id="timestamp-as-number"),
        pytest.param(_with_command_fields(items=[{"sku": TEA, "quantity": 0}]), id="quantity-zero"),
        pytest.param(_with_command_fields(items=[]), id="no-lines"),
        pytest.param(
            _with_command_fields(items=[{"sku": TEA, "quantity": 1}, {"sku": TEA, "quantity": 1}]),
            id="duplicate-sku",
        ),
        pytest.param(_with_command_fields(notes="x" * 1001), id="notes-too-long"),
        pytest.param(
            _with_command_fields(
                delivery_address={"line1": "", "city": "c", "postal_code": "p", "country": "GB"}
            ),
            id="blank-address-line",
        ),
    ],
)
def test_a_message_that_is_not_a_valid_command_is_malformed(body: str) -> None:
    with pytest.raises(MalformedCommandError):
        decode_command(body)


def test_decoding_revalidates_and_normalises_like_the_api() -> None:
    body = _with_command_fields(notes="  leave at the door  ")

    command = decode_command(body)

    assert isinstance(command, PlaceOrder)
    assert command.notes == "leave at the door"


def test_a_product_message_queued_before_descriptions_decodes_without_one() -> None:
    command = an_upsert_product_command(description="Loose-leaf sencha.")
    envelope = json.loads(encode_command(command))
    del envelope["command"]["description"]

    decoded = decode_command(json.dumps(envelope))

    assert decoded == replace(command, description=None)


@pytest.mark.parametrize(
    ("description", "why"),
    [("x" * 501, "at most 500"), ("sencha\u202e", "U+202E"), (7, "expected str")],
    ids=["too-long", "direction-changing", "not-text"],
)
def test_a_product_message_with_a_bad_description_is_refused(description: object, why: str) -> None:
    envelope = json.loads(encode_command(an_upsert_product_command()))
    envelope["command"]["description"] = description

    with pytest.raises(MalformedCommandError) as refusal:
        decode_command(json.dumps(envelope))

    assert why in str(refusal.value)


def test_fields_a_newer_producer_adds_are_ignored() -> None:
    command = a_cancel_order_command()
    envelope = json.loads(encode_command(command))
    envelope["command"]["refund_to"] = "gift card"

    assert decode_command(json.dumps(envelope)) == command


# --- fingerprints ------------------------------------------------------------------------


def _a_request(**overrides: Any) -> PlaceOrder:
    fields: dict[str, Any] = {
        "items": (a_line(TEA, 2), a_line(MUG, 1)),
        "priority": DeliveryPriority.STANDARD,
        "delivery_address": an_address(),
        "notes": "fragile",
    }
    return a_place_order_command(**(fields | overrides))


def test_the_same_request_has_the_same_fingerprint_whatever_its_envelope() -> None:
    first = _a_request(idempotency_key="key-1")
    retry = _a_request(idempotency_key="key-2")

    assert first.command_id != retry.command_id
    assert first.order_id != retry.order_id
    assert first.fingerprint == retry.fingerprint
    assert len(first.fingerprint) == 64


@pytest.mark.parametrize(
    "different",
    [
        pytest.param({"items": (a_line(TEA, 3), a_line(MUG, 1))}, id="quantity"),
        pytest.param({"items": (a_line(TEA, 2), a_line(KETTLE, 1))}, id="sku"),
        pytest.param({"priority": DeliveryPriority.URGENT}, id="priority"),
        pytest.param({"delivery_address": an_address(city="Leeds")}, id="address"),
        pytest.param({"delivery_address": None}, id="default-address"),
        pytest.param({"notes": None}, id="notes"),
        pytest.param({"actor": a_customer(OTHER_CUSTOMER_SUB)}, id="customer"),
    ],
)
def test_a_different_request_has_a_different_fingerprint(different: dict[str, Any]) -> None:
    assert _a_request(**different).fingerprint != _a_request().fingerprint


def test_the_fingerprint_travels_with_the_command() -> None:
    command = _a_request()

    decoded = decode_command(encode_command(command))

    assert isinstance(decoded, PlaceOrder)
    assert decoded.fingerprint == command.fingerprint


def test_a_given_fingerprint_is_kept() -> None:
    command = a_place_order_command(fingerprint="given")

    assert command.fingerprint == "given"
    assert replace(command, command_id="another").fingerprint == "given"


# --- message groups ----------------------------------------------------------------------


def test_all_commands_about_one_order_share_its_message_group() -> None:
    order_id = "01JORDER0000000000000000000"
    commands: list[Command] = [
        a_place_order_command(order_id=order_id),
        a_modify_order_command(order_id=order_id),
        a_cancel_order_command(order_id=order_id),
        a_dispatch_order_command(order_id=order_id),
        a_complete_delivery_command(order_id=order_id),
    ]

    assert {command.message_group() for command in commands} == {f"order-{order_id}"}


def test_other_commands_are_grouped_by_what_they_change() -> None:
    register = a_register_customer_command(actor=a_customer("customer-7"))
    upsert = an_upsert_product_command(sku="MUG-9")

    assert register.message_group() == "customer-customer-7"
    assert upsert.message_group() == "product-MUG-9"
    assert a_place_order_command(order_id="A").message_group() != (
        a_place_order_command(order_id="B").message_group()
    )


# --- naming the command of a message that cannot be decoded ------------------------------


def test_an_undecodable_message_still_names_its_command_issuer_and_order() -> None:
    command = a_place_order_command()
    envelope = json.loads(encode_command(command))
    envelope["command"]["notes"] = "\ud800"

    reference = command_reference(json.dumps(envelope))

    assert reference == CommandReference(command.command_id, command.actor.sub, command.order_id)


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[]",
        '{"command": []}',
        '{"command": {"command_id": 7, "actor": {"sub": "ada"}}}',
        '{"command": {"command_id": "01M8PT6BP624SDNV6NQSXBK42Y-PTPPQCJHXP", "actor": "ada"}}',
        '{"command": {"command_id": "01M8PT6BP624SDNV6NQSXBK42Y-PTPPQCJHXP",'
        ' "actor": {"sub": "not-its-issuer"}}}',
    ],
    ids=["not-json", "array", "command-not-object", "id-not-string", "actor-not-object", "forged"],
)
def test_a_message_whose_id_and_issuer_do_not_agree_names_nothing(body: str) -> None:
    assert command_reference(body) is None
