"""When the database fails under an action: one clear line, never a traceback.

A desk shares its file with other desks, backups and the disk it lives on. What can go wrong
there is not a bug of crous-desk but a state of the file, and the person at the desk (or the
script) needs to know which: another desk holds the write lock longer than the busy timeout,
the file may not be written by this account, the disk is full, the file is damaged, or it was
made by a newer crous-desk. On a PostgreSQL server the same states have other names (a lock
or statement timeout, a serialization failure, a permission refused, the server down or
restarting): they are read from the error's SQLSTATE. :func:`database_refusal` turns such an
error (wherever it was raised: SQLite, psycopg, peewee, the file system) into a
:class:`Refused` with a stable code; anything else is left to the caller as the unexpected.
"""

from __future__ import annotations

import errno
import traceback
from collections.abc import Iterator

from crous_desk.base.errors import Problem, Refused
from crous_desk.base.i18n import _
from crous_desk.store.models import db

_BUSY = ("database is locked", "database table is locked", "database is busy")
_READ_ONLY = ("readonly database", "read-only", "attempt to write a readonly")
_FULL = ("database or disk is full", "disk is full")
_DAMAGED = (
    "malformed",
    "file is not a database",
    "disk i/o error",
    "database corrupt",
    "could not decode to utf-8",
)
_UNREACHABLE = ("unable to open database file",)

# PostgreSQL's SQLSTATEs (psycopg's ``sqlstate``) for the same states
_PG_BUSY = {
    "55P03",  # lock_not_available: lock_timeout, NOWAIT
    "40P01",  # deadlock_detected
    "40001",  # serialization_failure
    "57014",  # query_canceled: statement_timeout
}
_PG_READ_ONLY = {"25006", "42501"}  # read_only_sql_transaction, insufficient_privilege
_PG_FULL = {"53100"}  # disk_full
_PG_DAMAGED = {"XX001", "XX002"}  # data_corrupted, index_corrupted
_PG_UNREACHABLE = {"57P01", "57P02", "57P03", "53300"}  # shut down, restarting, too many


def _sqlstate(error: BaseException) -> str | None:
    state = getattr(error, "sqlstate", None)
    return state if isinstance(state, str) else None


def _lost_server(error: BaseException) -> bool:
    """The server went away or never answered: a connection error of psycopg (SQLSTATE class
    08, or none at all when the socket closed) or a pool that could lend no connection."""
    kind = type(error)
    if not kind.__module__.startswith("psycopg"):
        return False
    state = _sqlstate(error)
    if state is not None:
        return state.startswith("08") or state in _PG_UNREACHABLE
    return kind.__name__ in ("OperationalError", "PoolTimeout", "TooManyRequests")


def database_path() -> str:
    """The file the models are bound to ("the database" when it is not a file; a server's URL
    without its password)."""
    from crous_desk.store.db import shown

    bound = db.obj
    path = getattr(bound, "database", None)
    if isinstance(path, str) and path and path != ":memory:":
        return shown(path)
    return _("the database")


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _from_the_database(error: BaseException) -> bool:
    frames = traceback.extract_tb(error.__traceback__)
    return any("peewee" in f.filename or "sqlite" in f.filename for f in frames)


def database_refusal(error: BaseException) -> Refused | None:
    """The refusal to show for a failure of the database file, or None when ``error`` is
    something else (the unexpected, for the crash log)."""
    if isinstance(error, Refused):
        return error
    path = database_path()
    for cause in _chain(error):
        said = str(cause).lower()
        state = _sqlstate(cause)
        if _lost_server(cause):
            return Refused(
                Problem(
                    "database_unreachable",
                    _(
                        "the database server {path} cannot be reached ({detail}); try again in "
                        "a moment, or ask the administrator"
                    ).format(path=path, detail=_short(cause)),
                )
            )
        if (
            (isinstance(cause, OSError) and cause.errno == errno.ENOSPC)
            or state in _PG_FULL
            or any(s in said for s in _FULL)
        ):
            return Refused(
                Problem(
                    "disk_full",
                    _(
                        "the disk holding {path} is full: nothing was changed; free some space "
                        "and try again"
                    ).format(path=path),
                )
            )
        if state in _PG_BUSY or any(s in said for s in _BUSY):
            return Refused(
                Problem(
                    "database_busy",
                    _(
                        "the desk is busy: another desk or a backup is writing to {path}; "
                        "nothing was changed, try again in a moment"
                    ).format(path=path),
                )
            )
        if state in _PG_READ_ONLY or any(s in said for s in _READ_ONLY):
            return Refused(
                Problem(
                    "database_read_only",
                    _(
                        "{path} cannot be written by this account (read-only): nothing was "
                        "changed; ask the administrator for access"
                    ).format(path=path),
                )
            )
        if (
            state in _PG_DAMAGED
            or any(s in said for s in _DAMAGED)
            or (isinstance(cause, UnicodeDecodeError) and _from_the_database(cause))
        ):
            return Refused(
                Problem(
                    "database_damaged",
                    _(
                        "the database file {path} is damaged ({detail}): stop the desks and "
                        "restore it from a backup"
                    ).format(path=path, detail=_short(cause)),
                )
            )
        if any(s in said for s in _UNREACHABLE):
            return Refused(
                Problem(
                    "database_unreachable",
                    _(
                        "cannot open {path}: the file or its folder cannot be reached or "
                        "written by this account"
                    ).format(path=path),
                )
            )
    return None


def _short(error: BaseException) -> str:
    if isinstance(error, UnicodeDecodeError):
        return _("a text that is not UTF-8 at byte {at}").format(at=error.start)
    said = str(error).splitlines()[0] if str(error) else type(error).__name__
    return said.split(" with text ")[0][:80]  # never the damaged bytes themselves
