"""Patches to moto that keep the embedded emulator's memory and time per request flat."""

from __future__ import annotations

import copy
import inspect
import threading
import weakref
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, cast

from moto import backends
from moto.core.common_models import BaseModel
from moto.dynamodb import models as dynamodb_models
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table
from moto.dynamodb.responses import DynamoHandler

_DYNAMODB_LOCK = threading.Lock()
_WRITES = frozenset({"Put", "Update", "Delete"})


def apply_moto_patches() -> None:
    """Idempotent: each patch is applied once per process."""
    _serialize_dynamodb()
    _list_moto_services_once()
    _track_model_instances_weakly()
    _back_up_transactions_item_by_item()
    _query_only_the_partition()


def _serialize_dynamodb() -> None:
    """Make the emulated DynamoDB apply one request at a time, as the real one appears to.

    moto's server answers on many threads, and its TransactWriteItems reads and writes a table
    while other threads write to it. Real DynamoDB has no such race; serializing the
    emulator's DynamoDB calls removes it (and the patches below rely on it).
    """
    if getattr(DynamoHandler.call_action, "_serialized", False):
        return
    original = DynamoHandler.call_action

    def call_action(self: DynamoHandler) -> Any:
        with _DYNAMODB_LOCK:
            return original(self)

    call_action._serialized = True  # type: ignore[attr-defined]
    DynamoHandler.call_action = call_action  # type: ignore[method-assign]


def _list_moto_services_once() -> None:
    """moto's server lists its package's directory on every request, under a lock that all
    requests share, to tell which service a request is for: list it once."""
    if getattr(backends.list_of_moto_modules, "_listed_once", False):
        return
    services = tuple(backends.list_of_moto_modules())

    def list_of_moto_modules() -> tuple[str, ...]:
        return services

    list_of_moto_modules._listed_once = True  # type: ignore[attr-defined]
    backends.list_of_moto_modules = list_of_moto_modules


class WeaklyTrackedInstances:
    """Stands in for a moto model's `instances_tracked` list, holding each instance weakly.

    moto appends every model object it ever makes to its class's list, for its dashboard
    (/moto-api/data.json), and never removes one. That kept every deep copy alive: each table
    copied as a transaction's backup, each item copied for a query's answer, each message.
    """

    def __init__(self, instances: Iterable[Any] = ()) -> None:
        # By id: moto's models define __eq__ without __hash__, so a WeakSet cannot hold them.
        self._by_id: weakref.WeakValueDictionary[int, Any] = weakref.WeakValueDictionary()
        for instance in instances:
            self.append(instance)

    def append(self, instance: Any) -> None:
        self._by_id[id(instance)] = instance

    def __iter__(self) -> Iterator[Any]:
        # valuerefs() copies in one step: moto's threads may add instances meanwhile.
        alive = (reference() for reference in self._by_id.valuerefs())
        return iter([instance for instance in alive if instance is not None])

    def __len__(self) -> int:
        return len(self._by_id)


def _track_model_instances_weakly() -> None:
    if getattr(BaseModel.__new__, "_weak", False):
        return

    def new(cls: type[Any], *_args: Any, **_kwargs: Any) -> Any:
        instance = object.__new__(cls)
        tracked = cls.__dict__.get("instances_tracked")
        if not isinstance(tracked, WeaklyTrackedInstances):
            # moto's reset puts a plain list back; its former entries stay listed, weakly.
            tracked = WeaklyTrackedInstances(tracked or ())
            cls.instances_tracked = tracked
        tracked.append(instance)
        return instance

    new._weak = True  # type: ignore[attr-defined]
    BaseModel.__new__ = staticmethod(new)  # type: ignore[method-assign]


@dataclass(frozen=True, slots=True)
class _SavedItem:
    table: Any
    hash_key: Any
    range_key: Any
    item: Any  # None: the item did not exist


class _TransactionBackup:
    """What a transaction's writes would overwrite, item by item, to put back if it fails."""

    def __init__(self, backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        self.saved: list[_SavedItem] = []
        for entry in transact_items:
            for operation_type, operation in entry.items():
                if operation_type in _WRITES and isinstance(operation, dict):
                    self._save(backend, operation)

    def _save(self, backend: DynamoDBBackend, operation: dict[str, Any]) -> None:
        table = backend.tables.get(str(operation.get("TableName")))
        attributes = operation.get("Item") if "Item" in operation else operation.get("Key")
        if table is None or not isinstance(attributes, dict):
            return  # moto rejects the operation without writing anything
        try:
            hash_key = DynamoType(attributes[table.hash_key_attr])
            range_key = (
                DynamoType(attributes[table.range_key_attr]) if table.range_key_attr else None
            )
        except (KeyError, TypeError, AttributeError):
            return  # no key, so moto writes nothing for it either
        current = _stored_item(table, hash_key, range_key)
        # Copied: moto's UpdateItem changes the stored item in place.
        self.saved.append(_SavedItem(table, hash_key, range_key, copy.deepcopy(current)))

    def restore(self) -> None:
        # Newest first, so an item saved twice ends as it was before the transaction.
        for saved in reversed(self.saved):
            if saved.item is None:
                saved.table.delete_item(saved.hash_key, saved.range_key)
            elif saved.range_key is None:
                saved.table.items[saved.hash_key] = saved.item
            else:
                saved.table.items[saved.hash_key][saved.range_key] = saved.item


def _stored_item(table: Table, hash_key: DynamoType, range_key: DynamoType | None) -> Item | None:
    """The item under a key, without adding an empty partition as moto's get_item does."""
    stored: Any = table.items.get(hash_key)  # the item, or the partition's items by range key
    if range_key is None or stored is None:
        return cast(Item | None, stored)
    return cast(Item | None, stored.get(range_key))


class _CopyKeepingTablesInTransactions:
    """moto.dynamodb.models' `copy` module, except that during TransactWriteItems a table is
    not copied: moto's only deep copy of a table there is the transaction's backup, made of
    every table the transaction writes to, whatever its size. _TransactionBackup saves the
    items the transaction writes instead, so a transaction's cost no longer grows with the table.
    """

    def __init__(self) -> None:
        self.in_transaction = False

    def deepcopy(self, value: Any, memo: Any = None) -> Any:
        if self.in_transaction and isinstance(value, Table):
            return value  # moto's rollback puts the same table back; _TransactionBackup restores it
        return copy.deepcopy(value, memo)

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


def _back_up_transactions_item_by_item() -> None:
    if isinstance(getattr(dynamodb_models, "copy", None), _CopyKeepingTablesInTransactions):
        return
    tables_kept = _CopyKeepingTablesInTransactions()
    original = DynamoDBBackend.transact_write_items

    def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> Any:
        backup = _TransactionBackup(self, transact_items)
        tables_kept.in_transaction = True
        try:
            return original(self, transact_items)
        except Exception:
            backup.restore()  # all or nothing, as moto's whole-table backup guaranteed
            raise
        finally:
            tables_kept.in_transaction = False

    # Safe because the emulator applies one DynamoDB request at a time (_serialize_dynamodb).
    setattr(dynamodb_models, "copy", tables_kept)  # noqa: B010 (moto's module global, by name)
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


_QUERY_PARAMETERS = inspect.signature(Table.query)


def _query_only_the_partition() -> None:
    """moto answers a Query on the table by sorting every item of the table, then keeping the
    partition's: a query's cost grew with the table. Hand it the partition alone instead."""
    if getattr(Table.query, "_one_partition", False):
        return
    original = Table.query

    def query(self: Table, *args: Any, **kwargs: Any) -> Any:
        arguments = _QUERY_PARAMETERS.bind(self, *args, **kwargs).arguments
        hash_key = arguments.get("hash_key")
        if arguments.get("index_name") or hash_key is None:
            return original(self, *args, **kwargs)  # an index or a scan-like query: as moto does
        partition = copy.copy(self)  # shares everything but `items`, which it only reads
        partition.items = defaultdict(dict)
        if hash_key in self.items:
            partition.items[hash_key] = self.items[hash_key]
        return original(partition, *args, **kwargs)

    query._one_partition = True  # type: ignore[attr-defined]
    Table.query = query  # type: ignore[method-assign]
