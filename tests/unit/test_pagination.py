"""Opaque page cursors, page sizes, and the page info a Relay client reads."""

from __future__ import annotations

import base64

import pytest

from domain.errors import InvalidInputError
from resolvers.pagination import MAX_PAGE_SIZE, Page, decode_cursor, encode_cursor, page_size
from schema.common import PageInfo

POSITION = "2025-03-14T09:26:53.589Z#01JQ4Y5Z8R3T6V9W2X4Y6Z8A0B"


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize("position", [POSITION, "TEA-001", "a", "c1:nested", "naïve ☕", "x" * 500])
def test_a_cursor_leads_back_to_its_position(position: str) -> None:
    assert decode_cursor(encode_cursor(position)) == position


def test_a_cursor_is_opaque_and_url_safe() -> None:
    cursor = encode_cursor(POSITION)

    assert POSITION not in cursor
    assert not set(cursor) & set("+/=#: ")


def test_no_cursor_means_the_first_page() -> None:
    assert decode_cursor(None) is None


@pytest.mark.parametrize(
    "cursor",
    [
        pytest.param("", id="empty"),
        pytest.param("not a cursor!", id="garbage"),
        pytest.param(POSITION, id="raw-position"),
        pytest.param(_b64(POSITION), id="unprefixed-position"),
        pytest.param(_b64("c2:" + POSITION), id="other-cursor-version"),
        pytest.param("X" + encode_cursor(POSITION)[1:], id="tampered-prefix"),
        pytest.param(encode_cursor(POSITION)[:2], id="truncated"),
        pytest.param(_b64("c1:" + "x" * 600), id="too-long"),
        pytest.param(base64.urlsafe_b64encode(b"c1:\xff\xfe").decode(), id="not-utf8"),
    ],
)
def test_a_cursor_this_api_did_not_give_out_is_refused_on_after(cursor: str) -> None:
    with pytest.raises(InvalidInputError) as refusal:
        decode_cursor(cursor)

    assert refusal.value.field == "after"


@pytest.mark.parametrize("first", [1, 20, MAX_PAGE_SIZE])
def test_a_page_holds_1_to_100_entries(first: int) -> None:
    assert page_size(first) == first


@pytest.mark.parametrize("first", [-1, 0, MAX_PAGE_SIZE + 1])
def test_a_page_size_outside_1_to_100_is_refused_on_first(first: int) -> None:
    with pytest.raises(InvalidInputError) as refusal:
        page_size(first)

    assert refusal.value.field == "first"


def test_a_page_ends_at_its_last_entrys_cursor() -> None:
    page = Page(entries=(("cursor-1", "a"), ("cursor-2", "b")), has_next_page=True)

    assert page.end_cursor == "cursor-2"
    assert Page(entries=(), has_next_page=False).end_cursor is None


def test_a_page_cut_short_by_its_reads_ends_where_they_stopped() -> None:
    # A filter passed one item of those read: the next page resumes after the last item read.
    short = Page(entries=(("cursor-1", "a"),), has_next_page=True, resume_cursor="cursor-9")
    empty = Page(entries=(), has_next_page=True, resume_cursor="cursor-9")

    assert short.end_cursor == empty.end_cursor == "cursor-9"


# Pages of every shape, each with the cursors its two ends should have.
PAGES = [
    pytest.param(Page(entries=(), has_next_page=False), None, None, id="empty-last"),
    pytest.param(
        Page(entries=(("cursor-1", "a"),), has_next_page=False), "cursor-1", "cursor-1", id="one"
    ),
    pytest.param(
        Page(entries=(("cursor-1", "a"), ("cursor-2", "b")), has_next_page=True),
        "cursor-1",
        "cursor-2",
        id="full",
    ),
    pytest.param(
        Page(entries=(("cursor-1", "a"),), has_next_page=True, resume_cursor="cursor-9"),
        "cursor-1",
        "cursor-9",
        id="cut-short",
    ),
    pytest.param(
        Page(entries=(), has_next_page=True, resume_cursor="cursor-9"),
        None,
        "cursor-9",
        id="empty-short",
    ),
]


@pytest.mark.parametrize(("page", "start", "end"), PAGES)
def test_page_info_gives_a_relay_client_both_ends_of_a_forward_page(
    page: Page[str], start: str | None, end: str | None
) -> None:
    info = PageInfo.of(page)

    # The start is the first edge's own cursor, never the resume point past every edge.
    assert (info.start_cursor, info.end_cursor) == (start, end)
    assert info.has_next_page is page.has_next_page
    # Forward paging only: Relay allows false rather than a read back before `after`.
    assert info.has_previous_page is False
