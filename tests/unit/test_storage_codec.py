"""DynamoDB's attribute-value wire format, and the items it would refuse whenever sent."""

from __future__ import annotations

from typing import Any

import pytest

from storage.codec import (
    MAX_ITEM_BYTES,
    UnstorableItemError,
    check_storable,
    marshal_item,
    marshal_value,
    unmarshal_value,
)

Item = dict[str, Any]

# --- DynamoDB's attribute values ---------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "marshalled"),
    [
        ("text", {"S": "text"}),
        ("", {"S": ""}),
        (42, {"N": "42"}),
        (-7, {"N": "-7"}),
        (True, {"BOOL": True}),
        (False, {"BOOL": False}),
        (None, {"NULL": True}),
        ([1, "a"], {"L": [{"N": "1"}, {"S": "a"}]}),
        ({"a": 1, "b": None}, {"M": {"a": {"N": "1"}}}),
    ],
    ids=["text", "empty-text", "int", "negative", "true", "false", "null", "list", "map"],
)
def test_values_marshal_to_their_attribute_types(value: Any, marshalled: Item) -> None:
    assert marshal_value(value) == marshalled


@pytest.mark.parametrize(
    "value",
    ["text", 0, -1, 10**15, True, False, None, [], [1, [2, {"x": "y"}]], {"nested": {"k": [True]}}],
)
def test_values_unmarshal_to_what_was_marshalled(value: Any) -> None:
    assert unmarshal_value(marshal_value(value)) == value


def test_none_valued_attributes_are_left_out_of_stored_items() -> None:
    assert marshal_item({"a": 1, "b": None}) == {"a": {"N": "1"}}


def test_values_dynamodb_cannot_hold_here_are_refused() -> None:
    with pytest.raises(TypeError):
        marshal_value(1.5)
    with pytest.raises(TypeError):
        unmarshal_value({"SS": ["a", "b"]})


# --- what no write could ever store --------------------------------------------------------


@pytest.mark.parametrize(
    "item",
    [
        {"PK": "X", "name": "Ann\ud800"},
        {"PK": "X", "lines": [{"name": "\udfff"}]},
        {"PK": "X", "\ud800": "a name that is not text"},
        {"PK": "X", "notes": "x" * MAX_ITEM_BYTES},
        {"PK": "X", "notes": "\u00e9" * (MAX_ITEM_BYTES // 2 + 1)},
    ],
    ids=["surrogate", "nested-surrogate", "surrogate-name", "too-large", "too-large-in-utf8"],
)
def test_an_item_no_write_could_store_is_refused_before_sending(item: dict[str, Any]) -> None:
    with pytest.raises(UnstorableItemError):
        check_storable(item)


def test_an_item_just_under_the_limit_is_storable() -> None:
    check_storable({"PK": "X", "notes": "x" * (MAX_ITEM_BYTES - 100)})
