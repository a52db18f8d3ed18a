"""DynamoDB's attribute-value wire format, and the items it would refuse whenever sent."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from storage.keys import Item

# DynamoDB's largest item: 400 KB, counting attribute names and values in UTF-8.
MAX_ITEM_BYTES = 400 * 1024


class UnstorableItemError(ValueError):
    """An item DynamoDB would refuse whenever it is sent: text that is not encodable as UTF-8
    (a lone surrogate), or more than 400 KB."""


def check_storable(item: Mapping[str, Any]) -> None:
    """Raise UnstorableItemError for an item no retry could ever write."""
    try:
        size = _size(item)
    except UnicodeEncodeError as error:
        raise UnstorableItemError("text that is not valid Unicode") from error
    if size > MAX_ITEM_BYTES:
        raise UnstorableItemError(f"an item of {size} bytes, over DynamoDB's {MAX_ITEM_BYTES}")


def _size(value: Any) -> int:
    """An upper bound of an attribute value's size as DynamoDB counts it."""
    if isinstance(value, str):
        return len(value.encode())
    if isinstance(value, bool) or value is None:
        return 1
    if isinstance(value, int):
        return len(str(value))
    if isinstance(value, list | tuple):
        return 3 + sum(1 + _size(element) for element in value)
    if isinstance(value, Mapping):
        return 3 + sum(1 + _size(str(name)) + _size(element) for name, element in value.items())
    raise TypeError(f"cannot store {type(value).__name__} in DynamoDB")


def marshal_item(item: Mapping[str, Any]) -> dict[str, Any]:
    """A plain item to DynamoDB's typed form; None-valued attributes are left out."""
    return {name: marshal_value(value) for name, value in item.items() if value is not None}


def marshal_value(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int):
        return {"N": str(value)}
    if isinstance(value, str):
        return {"S": value}
    if value is None:
        return {"NULL": True}
    if isinstance(value, list | tuple):
        return {"L": [marshal_value(element) for element in value]}
    if isinstance(value, dict):
        return {"M": marshal_item(value)}
    raise TypeError(f"cannot store {type(value).__name__} in DynamoDB")


def unmarshal_item(item: Mapping[str, Any]) -> Item:
    return {name: unmarshal_value(value) for name, value in item.items()}


def unmarshal_value(value: Mapping[str, Any]) -> Any:
    ((tag, payload),) = value.items()
    if tag == "S":
        return payload
    if tag == "N":
        return int(payload)
    if tag == "BOOL":
        return bool(payload)
    if tag == "NULL":
        return None
    if tag == "L":
        return [unmarshal_value(element) for element in payload]
    if tag == "M":
        return unmarshal_item(payload)
    raise TypeError(f"unsupported DynamoDB type {tag}")
