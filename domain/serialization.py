"""Plain (JSON-shaped) forms of domain dataclasses, for queue messages and stored items."""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import UTC, datetime
from enum import Enum
from functools import cache
from typing import Any, TypeVar

from domain.errors import MalformedCommandError

T = TypeVar("T")
JsonValue = str | int | bool | None | list["JsonValue"] | dict[str, "JsonValue"]


def utc_now() -> datetime:
    """Now, to the millisecond: the precision timestamps are stored with."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def format_timestamp(moment: datetime) -> str:
    """ISO-8601 in UTC with milliseconds; sorts as text in time order."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_timestamp(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"timestamp without a time zone: {text!r}")
    return moment.astimezone(UTC)


def to_plain(value: object) -> JsonValue:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            field.name: to_plain(getattr(value, field.name)) for field in dataclasses.fields(value)
        }
    if isinstance(value, Enum):
        return typing.cast(str, value.value)
    if isinstance(value, datetime):
        return format_timestamp(value)
    if isinstance(value, tuple | list):
        return [to_plain(item) for item in value]
    if value is None or isinstance(value, str | int | bool):
        return value
    raise TypeError(f"cannot serialize {type(value).__name__}")


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def from_plain(cls: type[T], plain: object) -> T:
    """Rebuild a dataclass from its plain form; raises MalformedCommandError on any mismatch.

    The dataclass's own `__post_init__` validation runs, so a rebuilt value obeys the same
    rules as one built from API input.
    """
    try:
        return typing.cast(T, _convert(cls, plain, cls.__name__))
    except (TypeError, ValueError, KeyError) as error:
        raise MalformedCommandError(str(error)) from error


def _convert(tp: Any, plain: object, where: str) -> object:
    origin = typing.get_origin(tp)
    if origin is types.UnionType or origin is typing.Union:
        options = [arg for arg in typing.get_args(tp) if arg is not type(None)]
        if plain is None:
            return None
        return _convert(options[0], plain, where)
    if origin is tuple:
        if not isinstance(plain, list):
            raise TypeError(f"{where}: expected a list")
        (item_type, _ellipsis) = typing.get_args(tp)
        return tuple(_convert(item_type, item, f"{where}[]") for item in plain)
    if dataclasses.is_dataclass(tp):
        if not isinstance(plain, dict):
            raise TypeError(f"{where}: expected an object")
        hints = _hints(typing.cast(type, tp))
        values = {}
        for field in dataclasses.fields(tp):
            if field.name in plain:
                value = plain[field.name]
            elif field.default is dataclasses.MISSING:
                value = None  # stored items leave out None-valued attributes
            else:
                continue
            values[field.name] = _convert(hints[field.name], value, f"{where}.{field.name}")
        return typing.cast(Any, tp)(**values)
    if isinstance(tp, type) and issubclass(tp, Enum):
        return tp(plain)
    if tp is datetime:
        if not isinstance(plain, str):
            raise TypeError(f"{where}: expected a timestamp")
        return parse_timestamp(plain)
    if plain is None:
        raise TypeError(f"{where}: missing")
    if tp is int and (isinstance(plain, bool) or not isinstance(plain, int)):
        raise TypeError(f"{where}: expected an integer")
    if tp in (str, bool) and not isinstance(plain, tp):
        raise TypeError(f"{where}: expected {tp.__name__}")
    return plain
