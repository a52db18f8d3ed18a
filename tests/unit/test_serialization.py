"""Plain (JSON-shaped) forms of domain values and the timestamps they carry."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from domain.customers import Address
from domain.errors import MalformedCommandError
from domain.orders import Order
from domain.serialization import (
    format_timestamp,
    from_plain,
    parse_timestamp,
    to_plain,
    utc_now,
)
from tests.factories import NOW, an_address, an_order


def test_timestamps_are_utc_with_milliseconds_and_a_z() -> None:
    assert format_timestamp(NOW) == "2025-03-14T09:26:53.589Z"


def test_timestamps_in_other_zones_are_written_in_utc() -> None:
    in_paris = NOW.astimezone(timezone(timedelta(hours=1)))

    assert format_timestamp(in_paris) == format_timestamp(NOW)


def test_timestamps_sort_as_text_in_time_order() -> None:
    moments = [NOW + timedelta(milliseconds=step) for step in (0, 1, 999, 1000, 86_400_000)]

    texts = [format_timestamp(moment) for moment in moments]

    assert texts == sorted(texts)


def test_a_timestamp_reads_back_as_the_same_utc_moment() -> None:
    parsed = parse_timestamp(format_timestamp(NOW))

    assert parsed == NOW
    assert parsed.tzinfo is UTC


def test_a_timestamp_without_a_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        parse_timestamp("2025-03-14T09:26:53.589")


def test_now_has_the_precision_timestamps_are_stored_with() -> None:
    now = utc_now()

    assert now.microsecond % 1000 == 0
    assert now.tzinfo is UTC
    assert parse_timestamp(format_timestamp(now)) == now


def test_an_order_round_trips_through_json() -> None:
    order = an_order(notes="fragile", delivery_address=an_address(line2="Flat 3"))

    plain = json.loads(json.dumps(to_plain(order)))

    assert from_plain(Order, plain) == order


def test_enums_and_nested_values_become_plain_json() -> None:
    plain = to_plain(an_order())

    assert isinstance(plain, dict)
    assert plain["status"] == "PLACED"
    assert plain["created_at"] == "2025-03-14T09:26:53.589Z"
    assert isinstance(plain["lines"], list)
    assert isinstance(plain["delivery_address"], dict)


@pytest.mark.parametrize("value", [1.5, {1, 2}, b"bytes", datetime.now(UTC).date()])
def test_values_json_cannot_carry_are_refused(value: object) -> None:
    with pytest.raises(TypeError):
        to_plain(value)


def test_absent_optional_attributes_read_as_none() -> None:
    # Stored items leave out None-valued attributes.
    address = from_plain(
        Address, {"line1": "1 Road", "city": "Leeds", "postal_code": "LS1", "country": "GB"}
    )

    assert address.line2 is None


@pytest.mark.parametrize(
    "plain",
    [
        None,
        [],
        {"line1": "1 Road", "city": "Leeds", "postal_code": "LS1"},
        {"line1": "1 Road", "city": "Leeds", "postal_code": 1, "country": "GB"},
    ],
    ids=["none", "list", "missing-field", "wrong-type"],
)
def test_a_plain_value_of_the_wrong_shape_is_malformed(plain: object) -> None:
    with pytest.raises(MalformedCommandError):
        from_plain(Address, plain)
