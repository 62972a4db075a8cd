"""Opening the database: bound at start-up, migrated to the current schema, safe to share.

SQLite runs in WAL mode with a busy timeout and foreign keys on, and every transaction begins
IMMEDIATE so that it holds the write lock from its first statement: several desk processes and
SSH sessions can share one file without a lost update or a "database is locked" half-way.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import platformdirs
from peewee import Database, SqliteDatabase
from playhouse.migrations import Runner

from crous_desk.store.models import db

MIGRATIONS = Path(__file__).parent / "migrations"
BUSY_TIMEOUT_MS = 15_000

# Set on every connection. WAL is set once per file, under the start-up lock (see connect):
# switching a file to WAL needs it to itself, and does not wait for a busy timeout.
PRAGMAS = {
    "busy_timeout": BUSY_TIMEOUT_MS,
    "foreign_keys": 1,
    "synchronous": "normal",
    # 64 MiB of page cache (2 MiB by default): the search index and the day's rows stay in
    # memory between keystrokes on a file of a million reservations; it grows only when used
    "cache_size": -65_536,
}


def default_path() -> Path:
    """The database file: ``CROUS_DESK_DB`` or the user's data directory."""
    env = os.environ.get("CROUS_DESK_DB")
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir("crous-desk", appauthor=False)) / "crous-desk.db"


def connect(path: str | os.PathLike[str], *, migrate: bool = True) -> Database:
    """Bind the models to the SQLite file at ``path`` (created if missing) and migrate it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    database = SqliteDatabase(
        str(path), pragmas=PRAGMAS, lock_type="IMMEDIATE", timeout=BUSY_TIMEOUT_MS / 1000
    )
    db.initialize(database)
    database.connect(reuse_if_open=True)
    with _start_up_lock(database):
        database.execute_sql("PRAGMA journal_mode=wal")
        if migrate:
            _apply(database)
    return database


def upgrade(database: Database) -> list[str]:
    """Apply the numbered migrations not yet applied; returns their names.

    Several desks may start together on a new or older file: one at a time checks what is
    pending and applies it, under an exclusive lock on a file beside the database (not a
    transaction, which would keep SQLite's table rebuilds from turning foreign keys off)."""
    with _start_up_lock(database):
        return _apply(database)


def _apply(database: Database) -> list[str]:
    return Runner(database, directory=str(MIGRATIONS), table_name="schema_migration").up()


@contextmanager
def _start_up_lock(database: Database) -> Iterator[None]:
    path = getattr(database, "database", None)
    if not isinstance(database, SqliteDatabase) or not path or path == ":memory:":
        yield
        return
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on POSIX: no sidecar lock
        yield
        return
    with open(f"{path}.migrate-lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def pending(database: Database) -> list[str]:
    runner = Runner(database, directory=str(MIGRATIONS), table_name="schema_migration")
    return [m.name for m in runner.status() if not m.applied]
