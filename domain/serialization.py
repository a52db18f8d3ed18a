"""Plain (JSON-shaped) forms of domain dataclasses, for queue messages and stored items."""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
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


def from_plain(cls: type[T], plain: object) -> T:
    """Rebuild a dataclass from its plain form; raises MalformedCommandError on any mismatch.

    The dataclass's own `__post_init__` validation runs, so a rebuilt value obeys the same
    rules as one built from API input. Each type's reading is worked out once per process
    (`_reader`): rebuilding is then plain calls, with no type introspection per value.
    """
    try:
        return typing.cast(T, _reader(typing.cast(Any, cls))(plain))
    except _MismatchError as mismatch:
        raise MalformedCommandError(f"{cls.__name__}{mismatch.path}: {mismatch}") from mismatch
    except (TypeError, ValueError, KeyError) as error:
        raise MalformedCommandError(str(error)) from error


class _MismatchError(TypeError):
    """A plain value not of its type's shape; `path` (".lines[].sku") grows as it propagates
    up, so naming where costs nothing until something is wrong."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.path = ""

    def within(self, step: str) -> _MismatchError:
        self.path = step + self.path
        return self


Reader = Callable[[object], object]


@cache
def _reader(tp: Any) -> Reader:
    """How to read a plain value as `tp`: a function built once per type."""
    origin = typing.get_origin(tp)
    if origin is types.UnionType or origin is typing.Union:
        option = _reader(next(arg for arg in typing.get_args(tp) if arg is not type(None)))
        return lambda plain: None if plain is None else option(plain)
    if origin is tuple:
        (item_type, _ellipsis) = typing.get_args(tp)
        return _tuple_reader(_reader(item_type))
    if dataclasses.is_dataclass(tp):
        return _dataclass_reader(typing.cast(type, tp))
    if isinstance(tp, type) and issubclass(tp, Enum):
        return tp
    if tp is datetime:
        return _read_timestamp
    if tp is int:
        return _read_int
    if tp is str or tp is bool:
        return _exact_reader(tp)
    raise TypeError(f"cannot read {tp!r} from a plain value")


def _tuple_reader(item: Reader) -> Reader:
    def read(plain: object) -> object:
        if not isinstance(plain, list):
            raise _MismatchError("expected a list")
        try:
            return tuple(item(element) for element in plain)
        except _MismatchError as mismatch:
            raise mismatch.within("[]") from None

    return read


def _dataclass_reader(cls: type) -> Reader:
    hints = typing.get_type_hints(cls)
    # (name, reader, required): a field with a default may be absent; one without reads an
    # absent attribute as None (stored items leave out None-valued attributes), which only an
    # optional field accepts.
    fields = [
        (field.name, _reader(hints[field.name]), field.default is dataclasses.MISSING)
        for field in dataclasses.fields(cls)
    ]

    def read(plain: object) -> object:
        if not isinstance(plain, dict):
            raise _MismatchError("expected an object")
        values = {}
        for name, reader, required in fields:
            if name in plain:
                value = plain[name]
            elif required:
                value = None
            else:
                continue
            try:
                values[name] = reader(value)
            except _MismatchError as mismatch:
                raise mismatch.within(f".{name}") from None
        return cls(**values)

    return read


def _read_timestamp(plain: object) -> datetime:
    if not isinstance(plain, str):
        raise _MismatchError("expected a timestamp")
    return parse_timestamp(plain)


def _read_int(plain: object) -> int:
    if plain is None:
        raise _MismatchError("missing")
    if isinstance(plain, bool) or not isinstance(plain, int):
        raise _MismatchError("expected an integer")
    return plain


def _exact_reader(tp: type) -> Reader:
    def read(plain: object) -> object:
        if plain is None:
            raise _MismatchError("missing")
        if not isinstance(plain, tp):
            raise _MismatchError(f"expected {tp.__name__}")
        return plain

    return read
