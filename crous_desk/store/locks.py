"""Named locks held until the end of the current transaction, for the few checks that must not
race between desks (the audit chain, a slot's capacity, a room's promise, a room's key sets).

On SQLite every write transaction already holds the database's one write lock from its first
statement (it begins IMMEDIATE), so these cost nothing there. On PostgreSQL, whose READ
COMMITTED transactions run side by side, each name is a transaction-level advisory lock: a
second desk asking for the same name waits until the first commits or rolls back, and then
reads what the first wrote (each statement of a READ COMMITTED transaction sees every commit
made before it began).
"""

from __future__ import annotations

import hashlib

from peewee import PostgresqlDatabase

from crous_desk.store.models import db


def on_server() -> bool:
    """The models are bound to a PostgreSQL server (not an SQLite file)."""
    return isinstance(db.obj, PostgresqlDatabase)


def lock_key(name: str, *parts: object) -> int:
    """A signed 64-bit number for ``name`` and ``parts`` (what pg_advisory_xact_lock takes)."""
    text = "/".join([name, *(str(p) for p in parts)])
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


# PostgreSQL's codes for a transaction that lost a race it could not wait out: a unique key
# taken meanwhile, a deadlock, a serialization failure, a lock not granted in time
_RACES = {"23505", "40P01", "40001", "55P03"}


def raced(error: BaseException) -> bool:
    """``error`` (as peewee raises it) says another transaction was first, on a server."""
    cause = getattr(error, "orig", None)  # peewee keeps the driver's error there
    return getattr(cause, "sqlstate", None) in _RACES or getattr(error, "sqlstate", None) in _RACES


def hold(name: str, *parts: object) -> None:
    """Hold the lock ``name`` (with ``parts``: one per slot, room…) until the transaction ends.

    Call it inside the transaction, before reading what the check depends on."""
    if not on_server():
        return
    if not db.in_transaction():
        raise RuntimeError(f"the lock {name!r} is held by a transaction: call it inside one")
    db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (lock_key(name, *parts),))
