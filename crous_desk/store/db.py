"""Opening the database: bound at start-up, migrated to the current schema, safe to share.

SQLite runs in WAL mode with a busy timeout and foreign keys on, and every transaction begins
IMMEDIATE so that it holds the write lock from its first statement: several desk processes and
SSH sessions can share one file without a lost update or a "database is locked" half-way.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import platformdirs
from peewee import Database, SqliteDatabase
from playhouse.migrations import Runner

from crous_desk.base.errors import Problem, Refused
from crous_desk.base.files import protect
from crous_desk.base.i18n import _
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
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    private_file(path)
    database = SqliteDatabase(
        str(path), pragmas=PRAGMAS, lock_type="IMMEDIATE", timeout=BUSY_TIMEOUT_MS / 1000
    )
    protect(path)  # no export, slip or log is ever written over the database's own files
    db.initialize(database)
    database.connect(reuse_if_open=True)
    with _start_up_lock(database):
        database.execute_sql("PRAGMA journal_mode=wal")
        if migrate:
            _apply(database)
    return database


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

    Several desks may start together on a new or older file: one at a time checks what is
    pending and applies it, under an exclusive lock on a file beside the database (not a
    transaction, which would keep SQLite's table rebuilds from turning foreign keys off)."""
    with _start_up_lock(database):
        return _apply(database)


def _apply(database: Database) -> list[str]:
    runner = Runner(database, directory=str(MIGRATIONS), table_name="schema_migration")
    newer = sorted(m.name for m in runner.status() if m.path is None)
    if newer:  # applied by a crous-desk that knows migrations this one does not
        raise Refused(
            Problem(
                "newer_schema",
                _(
                    "{path} was made by a newer crous-desk (its schema has {names}): open it "
                    "with that version, this one would misread it"
                ).format(path=getattr(database, "database", ""), names=", ".join(newer)),
            )
        )
    return runner.up()


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


def pending(database: Database) -> list[str]:
    runner = Runner(database, directory=str(MIGRATIONS), table_name="schema_migration")
    return [m.name for m in runner.status() if not m.applied]
