"""moto_server for the local stack, with two fixes to TransactWriteItems.

1. Speed and memory: before applying a transaction, moto (5.2.x) deep-copies the whole
   table, every stream record included, once per *item* of the transaction, so it can
   roll back. Booking writes hold 10 to 20 items and the table and stream only grow, so
   every transaction cost more than the last: seeding the demo data took minutes and
   moto grew to gigabytes. Here only the items the transaction names are backed up,
   and restored if it fails: the same rollback, at the cost of the transaction itself.
2. Streams after a rollback: moto restored the backed-up table, stream shard included,
   so every open shard iterator kept pointing at the replaced shard and stream
   consumers never saw another record; they also saw records of the rolled-back writes.
   Here the live shard is kept and trimmed back to before the failed transaction.

Everything else is moto as installed. Run as: python moto_server.py -H 127.0.0.1 -p PORT
"""

import copy
import sys
import threading

import moto.dynamodb.models as dynamodb_models
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table
from moto.server import main

_real_deepcopy = copy.deepcopy
_in_transaction = threading.local()


class _NoTableCopies:
    """Stands in for the `copy` module inside moto.dynamodb.models: within
    transact_write_items, "copying" a table returns the live table, which makes moto's
    own rollback a no-op; _transact_write_items restores the touched items instead."""

    def deepcopy(self, obj, memo=None):
        if getattr(_in_transaction, "active", False) and isinstance(obj, Table):
            return obj
        return _real_deepcopy(obj, memo)

    def __getattr__(self, name):
        return getattr(copy, name)


def _key(table, attrs):
    hash_value = DynamoType(attrs[table.hash_key_attr])
    range_value = DynamoType(attrs[table.range_key_attr]) if table.range_key_attr else None
    return hash_value, range_value


def _current(table, hash_value, range_value):
    if range_value is None:
        return table.items.get(hash_value)
    return table.items.get(hash_value, {}).get(range_value)


def _restore(table, hash_value, range_value, item):
    if range_value is None:
        if item is None:
            table.items.pop(hash_value, None)
        else:
            table.items[hash_value] = item
        return
    if item is None:
        table.items.get(hash_value, {}).pop(range_value, None)
        if hash_value in table.items and not table.items[hash_value]:
            del table.items[hash_value]
    else:
        table.items[hash_value][range_value] = item


_original_transact = dynamodb_models.DynamoDBBackend.transact_write_items


def _transact_write_items(self, transact_items):
    backups = []
    shards = {}
    for op in transact_items:
        kind, body = next(iter(op.items()))
        table = self.tables.get(body.get("TableName"))
        if table is None or kind == "ConditionCheck":
            continue
        try:
            hash_value, range_value = _key(table, body["Item"] if kind == "Put" else body["Key"])
        except (KeyError, TypeError):
            continue  # moto reports the malformed request itself
        item = _current(table, hash_value, range_value)
        backups.append((table, hash_value, range_value, _real_deepcopy(item) if item is not None else None))
        if table.stream_shard is not None:
            shards.setdefault(id(table), (table.stream_shard, len(table.stream_shard.items)))
    _in_transaction.active = True
    try:
        return _original_transact(self, transact_items)
    except Exception:
        for table, hash_value, range_value, item in reversed(backups):
            _restore(table, hash_value, range_value, item)
        for shard, length in shards.values():
            del shard.items[length:]
        raise
    finally:
        _in_transaction.active = False


dynamodb_models.copy = _NoTableCopies()
dynamodb_models.DynamoDBBackend.transact_write_items = _transact_write_items

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
