"""Input rules shared by the API (answer at once) and the worker (re-check what it dequeues).

Errors name the field as a dotted path of the public API's names (`items.2.quantity`, the form
libraries' own spelling), so a client can point at the input that is wrong.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Protocol

from domain.errors import InvalidInputError

MAX_ORDER_LINES = 100
MIN_QUANTITY = 1
MAX_QUANTITY = 1000
MAX_NAME_LENGTH = 120
MAX_DESCRIPTION_LENGTH = 500
MAX_NOTES_LENGTH = 1000
MAX_REASON_LENGTH = 500
MAX_ADDRESS_FIELD_LENGTH = 200
MAX_IDEMPOTENCY_KEY_LENGTH = 128
MAX_PRICE = 10_000_000  # minor units: 100,000.00 in the currency
_SKU = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}")
_PHONE = re.compile(r"\+?[0-9 ().-]{5,32}")


# Characters refused in every text field: they are not text a person reads. Lone surrogates
# cannot be encoded at all (DynamoDB, SQS and email all need UTF-8); bidirectional controls,
# zero-width and other invisible characters make a name or an address read differently from
# what is stored (a reversed file name in an email, a name that looks like another's); line
# and paragraph separators break a line where a receipt or an email header expects none.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})
# Unicode's Default_Ignorable_Code_Point (characters a renderer shows as nothing) beyond the
# categories above, and the braille blank, which prints as a space but is not one.
_IGNORABLE_RANGES = (
    (0x034F, 0x034F),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x2065, 0x2065),
    (0x2800, 0x2800),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0xE0000, 0xE0FFF),
)
_ZERO_WIDTH_JOINER = "\u200d"
_EMOJI_PRESENTATION = frozenset("\ufe0e\ufe0f")  # text or emoji style of the symbol before
_EMOJI_CATEGORIES = frozenset({"So", "Sk"})  # pictographs, and skin-tone modifiers
_KEYCAP_BASES = frozenset("0123456789#*")
_MULTILINE_ALLOWED = frozenset("\n\t")


def _is_noncharacter(code: int) -> bool:
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE


def _is_ignorable(code: int) -> bool:
    return any(low <= code <= high for low, high in _IGNORABLE_RANGES)


# The characters worth a look: printable ASCII holds none that is refused, so a name or an
# address in it is passed over at the regular expression engine's speed.
_UNUSUAL = re.compile(r"[^\x20-\x7e]")


def _refused_character(value: str, *, multiline: bool) -> str | None:
    """The first character a text field may not hold, or None."""
    for unusual in _UNUSUAL.finditer(value):
        index = unusual.start()
        char = value[index]
        if multiline and char in _MULTILINE_ALLOWED:
            continue
        if _is_part_of_emoji(value, index):
            continue  # an emoji sequence (a family, a keycap, a styled symbol): visible
        code = ord(char)
        if (
            unicodedata.category(char) in _REFUSED_CATEGORIES
            or _is_ignorable(code)
            or _is_noncharacter(code)
        ):
            return char
    return None


def _is_part_of_emoji(value: str, index: int) -> bool:
    """A joiner between two pictographs, or a presentation selector after one (or a keycap
    base): the only places an invisible character is part of what a person sees."""
    char = value[index]
    before = value[index - 1] if index else ""
    if char in _EMOJI_PRESENTATION:
        return bool(before) and (
            unicodedata.category(before) in _EMOJI_CATEGORIES or before in _KEYCAP_BASES
        )
    if char == _ZERO_WIDTH_JOINER:
        after = value[index + 1] if index + 1 < len(value) else ""
        pictograph_before = bool(before) and (
            unicodedata.category(before) in _EMOJI_CATEGORIES or before == "\ufe0f"
        )
        return pictograph_before and bool(after) and unicodedata.category(after) == "So"
    return False


def text(field: str, value: str, *, max_length: int, multiline: bool = False) -> str:
    """A required string: stripped, non-empty, at most `max_length` characters, all readable.

    Only multi-line fields (notes, reasons) may hold line breaks (CR LF and CR become LF) and
    tabs: a name or an address line ends up in email headers and on one line of a receipt.
    """
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    stripped = value.strip()
    if not stripped:
        raise InvalidInputError(field, f"{field} must not be empty.")
    if len(stripped) > max_length:
        raise InvalidInputError(field, f"{field} must be at most {max_length} characters.")
    refused = _refused_character(stripped, multiline=multiline)
    if refused is not None:
        category = unicodedata.category(refused)
        if category == "Cs":
            what = "unpaired surrogates, which are not text"
        elif category in {"Cc", "Zl", "Zp"} and not multiline:
            what = "line breaks or control characters"
        else:
            what = "control, invisible or direction-changing characters"
        raise InvalidInputError(
            field, f"{field} must not contain {what} (found U+{ord(refused):04X})."
        )
    return stripped


def optional_text(
    field: str, value: str | None, *, max_length: int, multiline: bool = False
) -> str | None:
    """An optional string: None, or blank, means absent."""
    if value is None or not value.strip():
        return None
    return text(field, value, max_length=max_length, multiline=multiline)


def email(field: str, value: str) -> str:
    address = text(field, value, max_length=254)
    if not _EMAIL.fullmatch(address):
        raise InvalidInputError(field, f"{field} is not an email address.")
    return address


def phone(field: str, value: str | None) -> str | None:
    number = optional_text(field, value, max_length=32)
    if number is not None and not _PHONE.fullmatch(number):
        raise InvalidInputError(field, f"{field} is not a phone number.")
    return number


def idempotency_key(field: str, value: str | None) -> str | None:
    """The key as it identifies a request: surrounding spaces are not part of it."""
    if value is None:
        return None
    return text(field, value, max_length=MAX_IDEMPOTENCY_KEY_LENGTH)


def is_sku(value: str) -> bool:
    """Whether a string has the shape of a SKU; anything else cannot name a product."""
    return _SKU.fullmatch(value) is not None


def sku(field: str, value: str) -> str:
    if not is_sku(value):
        raise InvalidInputError(
            field, f"{field} must be 1-64 letters, digits, '.', '_' or '-', starting alphanumeric."
        )
    return value


def quantity(field: str, value: int) -> int:
    if not MIN_QUANTITY <= value <= MAX_QUANTITY:
        raise InvalidInputError(field, f"{field} must be from {MIN_QUANTITY} to {MAX_QUANTITY}.")
    return value


def price(field: str, value: int) -> int:
    if not 0 <= value <= MAX_PRICE:
        raise InvalidInputError(field, f"{field} must be from 0 to {MAX_PRICE} (minor units).")
    return value


def version(field: str, value: int | None) -> int | None:
    if value is not None and value < 1:
        raise InvalidInputError(field, f"{field} must be 1 or more.")
    return value


class _HasSku(Protocol):
    @property
    def sku(self) -> str: ...


def order_lines(field: str, lines: Sequence[_HasSku]) -> None:
    """An order's lines as a whole: 1 to 100 of them, each SKU once."""
    if not lines:
        raise InvalidInputError(field, "An order needs at least one item.")
    if len(lines) > MAX_ORDER_LINES:
        raise InvalidInputError(field, f"An order has at most {MAX_ORDER_LINES} lines.")
    seen: set[str] = set()
    for index, line in enumerate(lines):
        if line.sku in seen:
            raise InvalidInputError(
                f"{field}.{index}.sku", f"SKU {line.sku!r} appears twice; give it once."
            )
        seen.add(line.sku)


@contextmanager
def within(prefix: str) -> Iterator[None]:
    """Name the fields of a nested input by their full path (`deliveryAddress.city`)."""
    try:
        yield
    except InvalidInputError as error:
        raise InvalidInputError(f"{prefix}.{error.field}", error.message) from None
