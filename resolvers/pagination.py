"""Opaque Relay cursors and page-size rules."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Generic, TypeVar

from domain.errors import InvalidInputError

MAX_PAGE_SIZE = 100
_CURSOR_PREFIX = "c1:"

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page: each node with the cursor that resumes after it.

    A page can end short of `first`, even empty, and still have a next page: a listing reads at
    most the store requests its cost is priced at, so when a filter rejects most of what they
    read, the page stops there and `resume_cursor` continues after the last item read (past the
    last entry, which the client could not otherwise skip).
    """

    entries: tuple[tuple[str, T], ...]
    has_next_page: bool
    resume_cursor: str | None = None

    @property
    def start_cursor(self) -> str | None:
        return self.entries[0][0] if self.entries else None

    @property
    def end_cursor(self) -> str | None:
        if self.resume_cursor is not None:
            return self.resume_cursor
        return self.entries[-1][0] if self.entries else None


def encode_cursor(position: str) -> str:
    return base64.urlsafe_b64encode((_CURSOR_PREFIX + position).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> str | None:
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text = base64.urlsafe_b64decode(padded.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    if not text.startswith(_CURSOR_PREFIX) or len(text) > 512:
        raise InvalidInputError("after", "after is not a cursor this API gave out.")
    return text.removeprefix(_CURSOR_PREFIX)


def page_size(first: int) -> int:
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise InvalidInputError("first", f"first must be from 1 to {MAX_PAGE_SIZE}.")
    return first
