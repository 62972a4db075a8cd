"""Opening the database: bound at start-up, migrated to the current schema, safe to share.

One setting picks it: a file path (SQLite, the default, nothing to set up) or a
``postgresql://`` URL (a PostgreSQL server, through psycopg 3 and a connection pool). The same
numbered migrations build the same schema on both.

SQLite runs in WAL mode with a busy timeout and foreign keys on, and every transaction begins
IMMEDIATE so that it holds the write lock from its first statement: several desk processes and
SSH sessions can share one file without a lost update or a "database is locked" half-way.
PostgreSQL runs its transactions side by side (READ COMMITTED); the few checks that must not
race take a named lock of their own (:mod:`crous_desk.store.locks`).
"""

from __future__ import annotations

import atexit
import os
import random
import sqlite3
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import peewee
from peewee import Database, PostgresqlDatabase, SqliteDatabase

from crous_desk.base.errors import Problem, Refused
from crous_desk.base.files import protect
from crous_desk.base.i18n import _
from crous_desk.store.locks import lock_key
from crous_desk.store.models import db
from crous_desk.store.target import (  # noqa: F401  (said here too)
    SERVER_SCHEMES,
    Target,
    default_path,
    is_server,
    location,
    shown,
)

MIGRATIONS = Path(__file__).parent / "migrations"
BUSY_TIMEOUT_MS = 15_000
POOL_SIZE = 8  # connections one process keeps to the server (the UI thread and its workers)
CONNECT_TIMEOUT_S = 10  # a server that does not answer a new connection within this is down
POOL_TIMEOUT_S = 30  # waiting for a free connection of the pool longer than this is an error

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


class PooledPostgres(PostgresqlDatabase):
    """PostgreSQL through psycopg 3, each thread's connection lent by a psycopg_pool pool.

    Connections are in autocommit outside transactions (peewee begins each one itself), in
    UTC. Closing the database (``db.close()`` at the end of a worker) gives the connection
    back to the pool; :meth:`close_pool` closes them all."""

    def __init__(self, url: str, **kwargs: Any) -> None:
        self._pool: Any = None
        self._pool_size = kwargs.pop("pool_size", POOL_SIZE)
        peewee_driver()
        super().__init__(url, prefer_psycopg3=True, **kwargs)

    def _connect(self) -> Any:
        if self._pool is None or self._pool.closed:
            self._pool = _pool_for(self.database, self._pool_size)
        return self._pool.getconn(timeout=POOL_TIMEOUT_S)

    def _close(self, conn: Any) -> None:
        if self._pool is None:  # pragma: no cover - a connection always comes from the pool
            conn.close()
            return
        self._pool.putconn(conn)

    def close_pool(self) -> None:
        if not self.is_closed():
            self.close()
        if self._pool is not None:
            if _POOLS.get(self.database) is self._pool:
                del _POOLS[self.database]
            self._pool.close()
            self._pool = None


def peewee_driver() -> None:
    """Hand psycopg to peewee, which was imported without it (see ``crous_desk.__init__``):
    what peewee's own import would have set, done when a server is first opened."""
    import sys

    orm: Any = sys.modules["peewee"]  # what its import without the driver left unset
    if orm.psycopg is not None:
        return
    import psycopg
    from psycopg.pq import TransactionStatus
    from psycopg.types import TypeInfo
    from psycopg.types.hstore import register_hstore
    from psycopg.types.json import Json, Jsonb

    orm.psycopg = psycopg
    orm.TransactionStatus = TransactionStatus
    orm.Json_pg3, orm.Jsonb_pg3 = Json, Jsonb
    adapter = orm.Psycopg3Adapter
    adapter.txn_idle = TransactionStatus.IDLE
    adapter.txn_inerror = TransactionStatus.INERROR
    adapter.txn_unknown = TransactionStatus.UNKNOWN
    extensions: Any = sys.modules.get("playhouse.postgres_ext")  # the migrations' runner's
    if extensions is not None:
        extensions.TypeInfo = TypeInfo
        extensions.register_hstore_pg3 = register_hstore


# One pool per server URL in a process, however many times it is opened: a script (or a test)
# that opens the same database again and forgets to close it leaves no connection behind.
_POOLS: dict[str, Any] = {}


def _pool_for(url: str, size: int) -> Any:
    pool = _POOLS.get(url)
    if pool is None or pool.closed:
        pool = _POOLS[url] = _open_pool(url, size)
    return pool


def _open_pool(url: str, size: int) -> Any:
    import logging

    from psycopg_pool import ConnectionPool

    # the pool logs each failed attempt; the desk says it once, in its own words
    logging.getLogger("psycopg.pool").addHandler(logging.NullHandler())

    def configure(conn: Any) -> None:
        conn.autocommit = True
        conn.execute("SET TIME ZONE 'UTC'")
        # a lock (another desk's transaction, an advisory lock) awaited longer than SQLite's
        # busy timeout is the same "busy" refusal there, not a desk frozen for ever
        conn.execute(f"SET lock_timeout = {int(BUSY_TIMEOUT_MS)}")

    # one connection first, so that a server that is down, an unknown role or database, or a
    # wrong password is said at once and in the server's words, not after the pool's timeout
    import psycopg

    psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_S).close()
    pool = ConnectionPool(
        url, min_size=1, max_size=size, configure=configure, open=False, name="crous-desk"
    )
    pool.open(wait=True, timeout=POOL_TIMEOUT_S)
    atexit.register(pool.close)
    return pool


WAIT_CAP_S = 0.002  # a desk waiting for the write lock tries again at least this often


class DeskSqlite(SqliteDatabase):
    """An SQLite file whose write transactions wait for the write lock briskly and fairly.

    SQLite's own busy handler sleeps longer and longer while it waits (up to 100 ms between
    tries): with many desks writing, the lock is free most of that time, and a desk unlucky
    enough to find it taken at each try runs out of its busy timeout ("database is locked")
    while others come and go. So a write transaction tries ``BEGIN IMMEDIATE`` without
    waiting, then again after a short random pause (at most :data:`WAIT_CAP_S`), until the
    busy timeout has passed — then it fails the usual way."""

    def begin(self, lock_type: str | None = None) -> None:
        lock_type = lock_type or self._lock_type  # type: ignore[attr-defined]
        if lock_type not in ("IMMEDIATE", "EXCLUSIVE"):
            super().begin(lock_type)
            return
        connection = self.connection()
        statement = f"BEGIN {lock_type}"
        with peewee.__exception_wrapper__:  # type: ignore[attr-defined]  # as peewee says them
            try:
                connection.execute(statement)  # the lock is free: the common case
                return
            except sqlite3.OperationalError as error:
                if not _busy(error):
                    raise
            (waits_ms,) = connection.execute("PRAGMA busy_timeout").fetchone()
            deadline = time.monotonic() + waits_ms / 1000
            pause = 0.0001
            connection.execute("PRAGMA busy_timeout = 0")
            try:
                while time.monotonic() < deadline:
                    time.sleep(random.uniform(0, pause))
                    pause = min(pause * 2, WAIT_CAP_S)
                    try:
                        connection.execute(statement)
                        return
                    except sqlite3.OperationalError as error:
                        if not _busy(error):
                            raise
                connection.execute(statement)  # once more: "database is locked" if still taken
            finally:
                connection.execute(f"PRAGMA busy_timeout = {int(waits_ms)}")


def _busy(error: sqlite3.OperationalError) -> bool:
    return "locked" in str(error) or "busy" in str(error)


def open_database(target: Target) -> Database:
    """An unbound database for ``target``: a pooled PostgreSQL server or an SQLite file."""
    if is_server(target):
        return PooledPostgres(str(target))
    path = Path(target)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    private_file(path)
    database = DeskSqlite(
        str(path), pragmas=PRAGMAS, lock_type="IMMEDIATE", timeout=BUSY_TIMEOUT_MS / 1000
    )
    protect(path)  # no export, slip or log is ever written over the database's own files
    return database


def connect(target: Target, *, migrate: bool = True) -> Database:
    """Bind the models to ``target`` (an SQLite file, created if missing, or a PostgreSQL
    URL) and migrate it."""
    previous = db.obj
    if isinstance(previous, PooledPostgres):
        previous.close_pool()
    database = open_database(target)
    db.initialize(database)
    database.connect(reuse_if_open=True)
    with _start_up_lock(database):
        if isinstance(database, SqliteDatabase):
            database.execute_sql("PRAGMA journal_mode=wal")
        if migrate:
            _apply(database)
    return database


def open_migrated(target: Target) -> Database:
    """``target`` opened and migrated, without binding the models to it (for a copy, which
    reads one database and writes another)."""
    database = open_database(target)
    database.connect()
    with _start_up_lock(database):
        if isinstance(database, SqliteDatabase):
            database.execute_sql("PRAGMA journal_mode=wal")
        _apply(database)
    return database


def close(database: Database) -> None:
    """Close ``database`` (a server's pool too)."""
    if isinstance(database, PooledPostgres):
        database.close_pool()
    elif not database.is_closed():
        database.close()


def file_mode(directory: Path) -> int:
    """The mode of the database and of every file SQLite keeps beside it (its WAL and shared
    memory copy the database's mode): the owner's only, or the group's too in a directory
    shared by a group (the set-group-id bit, e.g. ``2770``); never anyone else's."""
    try:
        shared = bool(directory.stat().st_mode & stat.S_ISGID)
    except OSError:
        shared = False
    return 0o660 if shared else 0o600


def private_file(path: Path) -> None:
    """Create the database file with :func:`file_mode` before SQLite does (it would follow the
    umask, 0644: any local user reading every student's data), and take back what others may
    read of a file this account owns."""
    mode = file_mode(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
    except FileExistsError:
        for side in ("", "-wal", "-shm"):
            _no_others(Path(f"{path}{side}"))
        return
    except OSError:
        return  # SQLite says why it cannot open it
    try:
        os.fchmod(fd, mode)  # whatever the umask: the group must write in a shared directory
    finally:
        os.close(fd)


def _no_others(path: Path) -> None:
    try:
        found = path.stat()
        if found.st_uid == os.geteuid() and found.st_mode & 0o007:
            os.chmod(path, stat.S_IMODE(found.st_mode) & ~0o007)
    except OSError:
        pass


def database_owner() -> int | None:
    """The uid owning the database file the models are bound to (None: not a file)."""
    path = getattr(db.obj, "database", None)
    if not isinstance(db.obj, SqliteDatabase) or not isinstance(path, str) or path == ":memory:":
        return None
    try:
        return os.stat(path).st_uid
    except OSError:
        return None


def upgrade(database: Database) -> list[str]:
    """Apply the numbered migrations not yet applied; returns their names.

    Several desks may start together on a new or older database: one at a time checks what
    is pending and applies it, under an exclusive lock — on SQLite a lock on a file beside the
    database (not a transaction, which would keep SQLite's table rebuilds from turning foreign
    keys off), on PostgreSQL a session-level advisory lock."""
    with _start_up_lock(database):
        return _apply(database)


def _apply(database: Database) -> list[str]:
    if _up_to_date(database):
        return []
    runner = _runner(database)
    newer = sorted(m.name for m in runner.status() if m.path is None)
    if newer:  # applied by a crous-desk that knows migrations this one does not
        raise Refused(
            Problem(
                "newer_schema",
                _(
                    "{path} was made by a newer crous-desk (its schema has {names}): open it "
                    "with that version, this one would misread it"
                ).format(path=shown(getattr(database, "database", "")), names=", ".join(newer)),
            )
        )
    return runner.up()


MIGRATION_LOCK = lock_key("crous-desk/migrations")


@contextmanager
def _start_up_lock(database: Database) -> Iterator[None]:
    if isinstance(database, PostgresqlDatabase):
        # a desk starting while another migrates waits for it, however long it takes
        database.execute_sql("SET lock_timeout = 0")
        database.execute_sql("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
        try:
            yield
        finally:
            database.execute_sql("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))
            database.execute_sql(f"SET lock_timeout = {int(BUSY_TIMEOUT_MS)}")
        return
    path = getattr(database, "database", None)
    if not isinstance(database, SqliteDatabase) or not path or path == ":memory:":
        yield
        return
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on POSIX: no sidecar lock
        yield
        return
    # Opened for reading (flock needs no more): every member of a shared group can take the
    # lock that the first one created, with the database's own mode.
    mode = file_mode(Path(path).parent)
    fd = os.open(f"{path}.migrate-lock", os.O_RDONLY | os.O_CREAT | os.O_NOFOLLOW, mode)
    try:
        if os.fstat(fd).st_uid == os.geteuid():
            os.fchmod(fd, mode)
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _runner(database: Database) -> Any:
    from playhouse.migrations import Runner

    return Runner(database, directory=str(MIGRATIONS), table_name="schema_migration")


def _up_to_date(database: Database) -> bool:
    """Every migration file applied, and no other: what the runner would find at every start
    but the first after an upgrade, read without loading it (playhouse's migrator: 2 MiB)."""
    if not database.table_exists("schema_migration"):
        return False
    applied = {name for (name,) in database.execute_sql("SELECT name FROM schema_migration")}
    return applied == {path.stem for path in MIGRATIONS.glob("[0-9]*.py")}


def pending(database: Database) -> list[str]:
    runner = _runner(database)
    return [m.name for m in runner.status() if not m.applied]
