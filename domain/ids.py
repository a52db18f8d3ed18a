"""Identifiers: time-ordered ULIDs, deterministic order ids and owner-tagged command ids."""

from __future__ import annotations

import hashlib
import os
import re
import threading
import time

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_ULID_LENGTH = 26
_OWNER_TAG_LENGTH = 10


def _base32(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        value, digit = divmod(value, 32)
        chars.append(_CROCKFORD[digit])
    return "".join(reversed(chars))


class UlidGenerator:
    """Monotonic ULIDs: ids made in the same millisecond still sort in the order they were made."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_ms = -1
        self._last_random = 0

    def new(self, now_ms: int | None = None) -> str:
        with self._lock:
            ms = int(time.time() * 1000) if now_ms is None else now_ms
            if ms <= self._last_ms:
                ms = self._last_ms
                self._last_random += 1
            else:
                self._last_ms = ms
                self._last_random = int.from_bytes(os.urandom(10), "big") >> 1
            return _base32(ms, 10) + _base32(self._last_random, 16)


_ulids = UlidGenerator()


def new_ulid() -> str:
    return _ulids.new()


def _digest_id(*parts: str) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return _base32(int.from_bytes(digest[:17], "big") >> 6, _ULID_LENGTH)


def order_id_for(customer_id: str, idempotency_key: str | None) -> str:
    """A new order id; with an idempotency key, the same id for the same (customer, key)."""
    if idempotency_key is None:
        return new_ulid()
    return _digest_id("order", customer_id, idempotency_key)


def owner_tag(sub: str) -> str:
    """A short tag of the identity that issued a command, embedded in its id.

    It lets `command(id)` answer PENDING only for the caller's own ids before the worker has
    recorded anything, without a write on the API side and without revealing others' commands.
    """
    return _digest_id("owner", sub)[:_OWNER_TAG_LENGTH]


def command_id_for(sub: str, *, replay_key: str | None = None) -> str:
    """A command id tagged with its issuer; with a replay key, the same id for the same request."""
    body = new_ulid() if replay_key is None else _digest_id("command", sub, replay_key)
    return f"{body}-{owner_tag(sub)}"


# A subject (the identity's id) becomes part of table keys and of SQS message group ids
# (`customer-<sub>`, at most 128 printable ASCII characters): Cognito's are 36-character UUIDs.
_SUBJECT = re.compile(r"[\x21-\x7e]{1,100}")


def is_subject(value: str) -> bool:
    """Whether a string can be an identity's subject: 1-100 printable ASCII characters."""
    return _SUBJECT.fullmatch(value) is not None


def is_order_id(value: str) -> bool:
    """Whether a string has the shape of an order id; anything else cannot name an order."""
    return len(value) == _ULID_LENGTH and all(char in _CROCKFORD for char in value)


def is_command_id(value: str) -> bool:
    body, _, tag = value.rpartition("-")
    return is_order_id(body) and len(tag) == _OWNER_TAG_LENGTH and all(c in _CROCKFORD for c in tag)


def is_owned_command_id(command_id: str, sub: str) -> bool:
    return is_command_id(command_id) and command_id.rpartition("-")[2] == owner_tag(sub)


def request_fingerprint(canonical_request: str) -> str:
    """A stable digest of a request, to tell a replay from a different request with the same key."""
    return hashlib.sha256(canonical_request.encode()).hexdigest()
