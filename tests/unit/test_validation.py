"""Input rules: each refusal names the field as the public API spells it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from domain import validation
from domain.customers import Address
from domain.errors import ErrorCode, InvalidInputError
from tests.factories import (
    MUG,
    TEA,
    a_cancel_order_command,
    a_complete_delivery_command,
    a_dispatch_order_command,
    a_line,
    a_modify_order_command,
    a_place_order_command,
    a_register_customer_command,
    an_address,
    an_upsert_product_command,
)


def refused_field(build: Callable[[], object]) -> str:
    """The field an InvalidInputError names; fails the test if nothing is refused."""
    with pytest.raises(InvalidInputError) as refusal:
        build()
    assert refusal.value.code is ErrorCode.VALIDATION
    return refusal.value.field


def many_lines(count: int) -> tuple[Any, ...]:
    return tuple(a_line(f"SKU-{index}", 1) for index in range(count))


# --- order lines -------------------------------------------------------------------------


@pytest.mark.parametrize("quantity", [1, 2, 999, 1000])
def test_quantities_from_1_to_1000_are_accepted(quantity: int) -> None:
    command = a_place_order_command(items=(a_line(TEA, quantity),))

    assert command.items[0].quantity == quantity


@pytest.mark.parametrize("quantity", [-1, 0, 1001, 10**9])
def test_a_quantity_outside_1_to_1000_is_refused_on_its_line(quantity: int) -> None:
    items = (a_line(TEA, 1), a_line(MUG, quantity))

    assert refused_field(lambda: a_place_order_command(items=items)) == "items.1.quantity"
    assert refused_field(lambda: a_modify_order_command(items=items)) == "items.1.quantity"


@pytest.mark.parametrize("count", [1, 100])
def test_an_order_has_1_to_100_lines(count: int) -> None:
    assert len(a_place_order_command(items=many_lines(count)).items) == count


@pytest.mark.parametrize("count", [0, 101])
def test_an_order_with_no_lines_or_more_than_100_is_refused(count: int) -> None:
    assert refused_field(lambda: a_place_order_command(items=many_lines(count))) == "items"
    assert refused_field(lambda: a_modify_order_command(items=many_lines(count))) == "items"


def test_a_sku_given_twice_is_refused_where_it_repeats() -> None:
    items = (a_line(TEA, 1), a_line(MUG, 1), a_line(TEA, 2))

    assert refused_field(lambda: a_place_order_command(items=items)) == "items.2.sku"


@pytest.mark.parametrize(
    "sku",
    ["", "-TEA", ".TEA", "TEA 001", "TÉA", "TEA/001", "A" * 65],
    ids=["empty", "leading-dash", "leading-dot", "space", "accent", "slash", "65-chars"],
)
def test_a_malformed_sku_is_refused_on_its_line(sku: str) -> None:
    items = (a_line(TEA, 1), a_line(sku, 1))

    assert refused_field(lambda: a_place_order_command(items=items)) == "items.1.sku"
    assert not validation.is_sku(sku)


@pytest.mark.parametrize("sku", ["A", "tea-001", "TEA_001.v2", "9" * 64])
def test_a_well_formed_sku_is_accepted(sku: str) -> None:
    assert validation.sku("sku", sku) == sku
    assert validation.is_sku(sku)


# --- text --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: a_register_customer_command(name="   "), "name"),
        (lambda: a_register_customer_command(name="x" * 121), "name"),
        (lambda: an_upsert_product_command(name=""), "name"),
        (lambda: a_place_order_command(notes="x" * 1001), "notes"),
        (lambda: a_modify_order_command(notes="x" * 1001), "notes"),
        (lambda: a_cancel_order_command(reason="x" * 501), "reason"),
        (lambda: an_upsert_product_command(description="x" * 501), "description"),
        (lambda: a_place_order_command(idempotency_key=" "), "idempotencyKey"),
        (lambda: a_place_order_command(idempotency_key="k" * 129), "idempotencyKey"),
        (lambda: an_address(line1=" "), "line1"),
        (lambda: an_address(line2="x" * 201), "line2"),
        (lambda: an_address(city=""), "city"),
        (lambda: an_address(postal_code="1" * 21), "postalCode"),
        (lambda: an_address(country="x" * 57), "country"),
    ],
    ids=[
        "blank-name",
        "long-name",
        "empty-product-name",
        "long-notes",
        "long-modified-notes",
        "long-reason",
        "long-description",
        "blank-idempotency-key",
        "long-idempotency-key",
        "blank-line1",
        "long-line2",
        "empty-city",
        "long-postal-code",
        "long-country",
    ],
)
def test_blank_or_too_long_text_is_refused(build: Callable[[], object], field: str) -> None:
    assert refused_field(build) == field


def test_text_at_its_limit_is_accepted_and_stripped() -> None:
    command = a_register_customer_command(name=f"  {'x' * 120}  ")
    product = an_upsert_product_command(description=f"\n {'x' * 500} \n")

    assert command.name == "x" * 120
    assert product.description == "x" * 500


def test_blank_optional_text_means_absent() -> None:
    assert a_place_order_command(notes="   ").notes is None
    assert a_cancel_order_command(reason="").reason is None
    assert a_register_customer_command(phone=" ").phone is None
    assert an_address(line2="  ").line2 is None
    assert an_upsert_product_command(description=" \r\n\t ").description is None


@pytest.mark.parametrize(
    "text",
    ["Ada\x00", "\x1b[31mAda", "Ada\rLovelace", "Ada\x08"],
    ids=["nul", "escape", "carriage-return", "backspace"],
)
def test_control_characters_are_refused(text: str) -> None:
    assert refused_field(lambda: a_register_customer_command(name=text)) == "name"


@pytest.mark.parametrize("text", ["Ada\x7f", "Ada\x9b31m"], ids=["delete", "c1-csi"])
def test_control_characters_beyond_ascii_32_are_refused(text: str) -> None:
    assert refused_field(lambda: a_register_customer_command(name=text)) == "name"


def test_every_printable_ascii_character_is_accepted_anywhere_in_a_name() -> None:
    printable = "".join(chr(code) for code in range(0x21, 0x7F))
    for value in (printable, f"a {printable} z", printable[::-1]):
        assert validation.text("name", value, max_length=400) == value


@pytest.mark.parametrize("code", [*range(0x20), 0x7F, *range(0x80, 0xA0), 0xAD, 0x200B])
def test_each_control_or_invisible_character_is_refused_after_plain_ascii(code: int) -> None:
    with pytest.raises(InvalidInputError):
        validation.text("name", f"Ada Lovelace{chr(code)}x", max_length=100)


def test_newlines_and_tabs_are_allowed_in_notes() -> None:
    assert a_place_order_command(notes="ring\ttwice\nthen wait").notes == "ring\ttwice\nthen wait"


# --- emails, phones, prices, versions ----------------------------------------------------


@pytest.mark.parametrize(
    "email",
    [
        "ada",
        "ada@",
        "@example.com",
        "ada@example",
        "ada@example.c",
        "ada lovelace@example.com",
        "ada@@example.com",
        "a" * 65 + "@example.com",
    ],
)
def test_a_malformed_email_is_refused(email: str) -> None:
    assert refused_field(lambda: a_register_customer_command(email=email)) == "email"


@pytest.mark.parametrize("email", ["ada@example.com", "a.b+tag@mail.example.co.uk"])
def test_a_plausible_email_is_accepted(email: str) -> None:
    assert a_register_customer_command(email=f" {email} ").email == email


@pytest.mark.parametrize("phone", ["call me", "12", "+44 (0)20 ext. 5"])
def test_a_malformed_phone_number_is_refused(phone: str) -> None:
    assert refused_field(lambda: a_register_customer_command(phone=phone)) == "phone"


def test_a_phone_number_with_usual_punctuation_is_accepted() -> None:
    assert a_register_customer_command(phone="+44 (20) 7946-0958").phone == "+44 (20) 7946-0958"


@pytest.mark.parametrize("price", [-1, validation.MAX_PRICE + 1])
def test_a_price_outside_0_to_the_maximum_is_refused(price: int) -> None:
    assert refused_field(lambda: an_upsert_product_command(price=price)) == "price"


@pytest.mark.parametrize("price", [0, validation.MAX_PRICE])
def test_a_free_or_maximum_price_is_accepted(price: int) -> None:
    assert an_upsert_product_command(price=price).price == price


@pytest.mark.parametrize(
    "build",
    [
        a_modify_order_command,
        a_cancel_order_command,
        a_dispatch_order_command,
        a_complete_delivery_command,
    ],
)
@pytest.mark.parametrize("version", [0, -1])
def test_an_expected_version_below_1_is_refused(build: Callable[..., object], version: int) -> None:
    assert refused_field(lambda: build(expected_version=version)) == "expectedVersion"


def test_a_modification_must_change_something() -> None:
    field = refused_field(
        lambda: a_modify_order_command(items=None, delivery_address=None, notes=None)
    )

    assert field == "input"


def test_blank_notes_on_a_modification_clear_them() -> None:
    command = a_modify_order_command(items=None, notes="   ")

    assert command.notes == ""


def test_nested_fields_are_named_by_their_full_path() -> None:
    def an_address_input() -> Address:
        with validation.within("deliveryAddress"):
            return an_address(city=" ")

    assert refused_field(an_address_input) == "deliveryAddress.city"


@pytest.mark.parametrize("name", ["Zoë\nAdams", "Zoë\tAdams", "Zoë\rAdams"])
def test_a_name_must_be_one_line(name: str) -> None:
    with pytest.raises(InvalidInputError) as refusal:
        validation.text("name", name, max_length=120)

    assert refusal.value.field == "name"


def test_notes_may_span_lines() -> None:
    assert validation.text("notes", "ring twice\nleave at the door", max_length=100, multiline=True)


# --- characters that are not readable text -----------------------------------------------

# Every text field a command carries, by the name its refusal gives.
ONE_LINE_FIELDS: dict[str, Callable[[str], object]] = {
    "name": lambda value: a_register_customer_command(name=value),
    "email": lambda value: a_register_customer_command(email=value),
    "product name": lambda value: an_upsert_product_command(name=value),
    "idempotencyKey": lambda value: a_place_order_command(idempotency_key=value),
    "line1": lambda value: an_address(line1=value),
    "line2": lambda value: an_address(line2=value),
    "city": lambda value: an_address(city=value),
    "postalCode": lambda value: an_address(postal_code=value),
    "country": lambda value: an_address(country=value),
}
MULTILINE_FIELDS: dict[str, Callable[[str], object]] = {
    "notes": lambda value: a_place_order_command(notes=value),
    "modified notes": lambda value: a_modify_order_command(notes=value),
    "reason": lambda value: a_cancel_order_command(reason=value),
    "description": lambda value: an_upsert_product_command(description=value),
}
LONE_SURROGATES = ["\ud800", "\udbff", "\udc00", "\udfff"]
BIDI_CONTROLS = [chr(code) for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]
INVISIBLE = [
    "\u200b",
    "\u200c",
    "\u200e",
    "\u2060",
    "\ufeff",
    "\u00ad",
    "\u3164",
    "\u115f",
    "\u17b4",
    "\u17b5",
    "\u180b",
    "\u180d",
    "\ufe00",
    "\ufe0f",
    "\U000e0041",
    "\U000e0100",
    "\u2800",
]
SEPARATORS = ["\u2028", "\u2029", "\x85"]
NONCHARACTERS = ["\ufffe", "\uffff", "\ufdd0", "\U0010ffff", "\ue000"]
UNREADABLE = LONE_SURROGATES + BIDI_CONTROLS + INVISIBLE + SEPARATORS + NONCHARACTERS


def _codepoint(char: str) -> str:
    return f"U+{ord(char):04X}"


@pytest.mark.parametrize("char", UNREADABLE, ids=_codepoint)
@pytest.mark.parametrize("field", [*ONE_LINE_FIELDS, *MULTILINE_FIELDS])
def test_unreadable_characters_are_refused_in_every_text_field(field: str, char: str) -> None:
    build = ONE_LINE_FIELDS.get(field) or MULTILINE_FIELDS[field]
    value = f"ada{char}lovelace@example.com" if field == "email" else f"Ada{char}Lovelace"

    with pytest.raises(InvalidInputError) as refusal:
        build(value)

    assert refusal.value.field == field.split()[-1]
    assert _codepoint(char) in refusal.value.message


@pytest.mark.parametrize("field", MULTILINE_FIELDS)
def test_multiline_fields_keep_line_breaks_and_tabs_with_crlf_made_lf(field: str) -> None:
    command = MULTILINE_FIELDS[field]("ring twice\r\nthen\twait\rplease")

    assert getattr(command, field.split()[-1]) == "ring twice\nthen\twait\nplease"


@pytest.mark.parametrize(
    "value",
    [
        "Zoë Ådams",
        "José Núñez",
        "王小明",
        "Сергей",
        "محمد",
        "עברית",
        "👨\u200d👩\u200d👧 home",
        "Nguyễn",
    ],
)
def test_names_in_any_script_and_emoji_sequences_are_accepted(value: str) -> None:
    assert a_register_customer_command(name=value).name == value


def test_a_lone_surrogate_is_named_as_not_text() -> None:
    with pytest.raises(InvalidInputError) as refusal:
        a_place_order_command(notes="fine\ud800")

    assert "surrogate" in refusal.value.message


@pytest.mark.parametrize(
    "value",
    ["a\u0301\u200d\u0301b", "Ann\u200d", "\u200dAnn", "A\u200dB", "Ann\ufe0f", "Ann\ufe0e"],
    ids=[
        "joiner-between-marks",
        "trailing-joiner",
        "leading-joiner",
        "joiner-in-a-word",
        "vs16-on-a-letter",
        "vs15-on-a-letter",
    ],
)
def test_joiners_and_presentation_selectors_outside_emoji_are_refused(value: str) -> None:
    assert refused_field(lambda: a_register_customer_command(name=value)) == "name"
