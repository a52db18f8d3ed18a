"""Identifiers: time-ordered ULIDs, idempotent order ids, command ids tagged with their issuer."""

from __future__ import annotations

import re

import pytest

from domain.ids import (
    UlidGenerator,
    command_id_for,
    is_owned_command_id,
    new_ulid,
    order_id_for,
    owner_tag,
    request_fingerprint,
)
from tests.factories import CUSTOMER_SUB, OTHER_CUSTOMER_SUB

ULID = re.compile(r"[0-9A-HJKMNP-TV-Z]{26}")
MS = 1_741_944_413_589


def test_a_ulid_is_26_crockford_characters() -> None:
    assert ULID.fullmatch(new_ulid())


def test_ulids_made_in_the_same_millisecond_sort_in_the_order_they_were_made() -> None:
    ulids = UlidGenerator()

    made = [ulids.new(MS) for _ in range(500)]

    assert made == sorted(made)
    assert len(set(made)) == len(made)


def test_ulids_sort_by_time() -> None:
    ulids = UlidGenerator()

    earlier, later = ulids.new(MS), ulids.new(MS + 1)

    assert earlier < later
    assert earlier[:10] < later[:10]


def test_ulids_keep_increasing_when_the_clock_steps_back() -> None:
    ulids = UlidGenerator()

    before = ulids.new(MS)
    after = ulids.new(MS - 5_000)

    assert after > before


def test_fresh_ulids_never_repeat() -> None:
    made = {new_ulid() for _ in range(1000)}

    assert len(made) == 1000


def test_the_same_idempotency_key_gives_the_same_order_id() -> None:
    assert order_id_for(CUSTOMER_SUB, "checkout-1") == order_id_for(CUSTOMER_SUB, "checkout-1")
    assert ULID.fullmatch(order_id_for(CUSTOMER_SUB, "checkout-1"))


def test_customers_sharing_a_key_get_different_orders() -> None:
    assert order_id_for(CUSTOMER_SUB, "checkout-1") != order_id_for(
        OTHER_CUSTOMER_SUB, "checkout-1"
    )


def test_different_keys_give_different_orders() -> None:
    assert order_id_for(CUSTOMER_SUB, "checkout-1") != order_id_for(CUSTOMER_SUB, "checkout-2")


def test_without_a_key_every_order_is_new() -> None:
    assert order_id_for(CUSTOMER_SUB, None) != order_id_for(CUSTOMER_SUB, None)


def test_a_command_id_belongs_to_its_issuer_only() -> None:
    command_id = command_id_for(CUSTOMER_SUB)

    assert is_owned_command_id(command_id, CUSTOMER_SUB)
    assert not is_owned_command_id(command_id, OTHER_CUSTOMER_SUB)


def test_a_replayed_request_gets_the_same_command_id() -> None:
    first = command_id_for(CUSTOMER_SUB, replay_key="key\x1fprint")

    assert command_id_for(CUSTOMER_SUB, replay_key="key\x1fprint") == first
    assert command_id_for(CUSTOMER_SUB, replay_key="key\x1fother") != first
    assert command_id_for(OTHER_CUSTOMER_SUB, replay_key="key\x1fprint") != first
    assert is_owned_command_id(first, CUSTOMER_SUB)


def test_fresh_command_ids_differ() -> None:
    assert command_id_for(CUSTOMER_SUB) != command_id_for(CUSTOMER_SUB)


@pytest.mark.parametrize(
    "command_id",
    [
        "",
        "not-a-command-id",
        owner_tag(CUSTOMER_SUB),
        f"-{owner_tag(CUSTOMER_SUB)}",
        f"{new_ulid()[:-1]}-{owner_tag(CUSTOMER_SUB)}",
        f"{new_ulid()}-{owner_tag(CUSTOMER_SUB)[:-1]}",
        new_ulid(),
    ],
    ids=["empty", "words", "tag-only", "no-body", "short-body", "short-tag", "untagged"],
)
def test_ids_not_shaped_like_a_command_id_belong_to_no_one(command_id: str) -> None:
    assert not is_owned_command_id(command_id, CUSTOMER_SUB)


def test_request_fingerprints_are_stable_digests() -> None:
    assert request_fingerprint('{"a":1}') == request_fingerprint('{"a":1}')
    assert request_fingerprint('{"a":1}') != request_fingerprint('{"a":2}')
    assert re.fullmatch(r"[0-9a-f]{64}", request_fingerprint(""))
