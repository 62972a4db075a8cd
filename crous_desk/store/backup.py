"""Backing a database up while desks work, and restoring it.

- An SQLite file is copied with SQLite's online backup (one step: a consistent snapshot, the
  desks keep writing), then the copy is checked (``PRAGMA integrity_check``) and its audit
  chain verified before it takes the name asked for.
- A PostgreSQL database is dumped by ``pg_dump`` in its custom format (a consistent snapshot
  too), then read back by ``pg_restore --list``.

A restore goes into a new place only (a file that does not exist yet, or a database with no
row): a backup is checked again before it is restored, and the restored database's audit
chain verified.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from peewee import Database, SqliteDatabase

from crous_desk.base.errors import Problem, Refused
from crous_desk.base.i18n import _
from crous_desk.store.db import BUSY_TIMEOUT_MS, Target, close, is_server, open_migrated, shown
from crous_desk.store.moving import bound, refuse_unless_empty

SQLITE_HEADER = b"SQLite format 3\x00"
PG_DUMP_HEADER = b"PGDMP"


@dataclass(frozen=True)
class BackupReport:
    path: Path
    kind: str  # "sqlite" | "pg_dump"
    size: int
    audit_entries: int | None = None  # verified in the copy (SQLite)
    audit_head: str | None = None


def _problem(code: str, text: str) -> Refused:
    return Refused(Problem(code, text))


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise _problem(
            "tool_missing",
            _("{tool} is not installed (Debian: apt-get install postgresql-client)").format(
                tool=name
            ),
        )
    return found


def _part(out: Path) -> Path:
    return out.with_name(f".{out.name}.part")


def backup(database: Target, out: Path) -> BackupReport:
    """Back ``database`` up into ``out`` (replaced only once the new copy is checked)."""
    out = Path(out)
    if out.is_dir():
        raise _problem("output_is_directory", _("{out} is a directory").format(out=out))
    if not is_server(database):
        source = Path(database)
        if not source.is_file():
            raise _problem("no_database", _("{path}: no such database file").format(path=database))
        if out.resolve() == source.resolve():
            raise _problem(
                "output_is_database",
                _("{out} is the database: name another file for the backup").format(out=out),
            )
    part = _part(out)
    part.unlink(missing_ok=True)
    try:
        if is_server(database):
            report = _dump(str(database), part)
        else:
            report = _sqlite_backup(Path(database), part)
        os.replace(part, out)
    finally:
        part.unlink(missing_ok=True)
    return BackupReport(
        out, report.kind, out.stat().st_size, report.audit_entries, report.audit_head
    )


def _sqlite_backup(source: Path, part: Path) -> BackupReport:
    reading = sqlite3.connect(source, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        writing = sqlite3.connect(part)
        try:
            reading.backup(writing)  # pages=-1: one step, one consistent snapshot
        except sqlite3.DatabaseError as error:
            raise _problem(
                "not_a_database",
                _("{path}: cannot open as a crous-desk database ({error})").format(
                    path=source, error=error
                ),
            ) from None
        finally:
            writing.close()
    finally:
        reading.close()
    entries, head = check_sqlite_file(part)
    return BackupReport(part, "sqlite", part.stat().st_size, entries, head)


def check_sqlite_file(path: Path) -> tuple[int, str]:
    """Refuse unless ``path`` is a sound SQLite file whose audit chain verifies; returns the
    chain's entries and head."""
    from crous_desk.store.audit import verify_chain

    with open(path, "rb") as handle:
        if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise _problem(
                "not_a_backup", _("{path} is not an SQLite database file").format(path=path)
            )
    copy = SqliteDatabase(str(path), pragmas={"query_only": 1})
    try:
        (result,) = copy.execute_sql("PRAGMA integrity_check").fetchone()
        if result != "ok":
            raise _problem(
                "backup_damaged",
                _("{path} is damaged: {result}").format(path=path, result=result),
            )
        with bound(copy):
            chain = verify_chain()
    finally:
        copy.close()
    if not chain.intact:
        raise _problem(
            "backup_chain_broken",
            _("the audit chain does not verify in {path}: {reason}").format(
                path=path, reason=chain.reason
            ),
        )
    return chain.entries, chain.head


def _dump(url: str, part: Path) -> BackupReport:
    done = subprocess.run(
        [_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={part}", f"--dbname={url}"],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise _problem(
            "backup_failed",
            _("pg_dump failed: {error}").format(error=_last_line(done.stderr)),
        )
    check_dump(part)
    return BackupReport(part, "pg_dump", part.stat().st_size)


def check_dump(path: Path) -> None:
    """Refuse unless ``path`` is a readable pg_dump archive (custom format)."""
    with open(path, "rb") as handle:
        if handle.read(len(PG_DUMP_HEADER)) != PG_DUMP_HEADER:
            raise _problem(
                "not_a_backup",
                _("{path} is not a pg_dump archive (custom format)").format(path=path),
            )
    listed = subprocess.run(
        [_tool("pg_restore"), "--list", str(path)], capture_output=True, text=True, check=False
    )
    if listed.returncode != 0 or "TABLE DATA" not in listed.stdout:
        raise _problem(
            "backup_damaged",
            _("{path} is damaged: {result}").format(
                path=path, result=_last_line(listed.stderr) or _("no table data")
            ),
        )


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def backup_kind(path: Path) -> str:
    """ "sqlite" or "pg_dump", from the file's first bytes; refused for anything else."""
    path = Path(path)
    if not path.is_file():
        raise _problem("no_backup", _("{path}: no such backup file").format(path=path))
    with open(path, "rb") as handle:
        head = handle.read(len(SQLITE_HEADER))
    if head == SQLITE_HEADER:
        return "sqlite"
    if head.startswith(PG_DUMP_HEADER):
        return "pg_dump"
    raise _problem(
        "not_a_backup",
        _("{path} is neither an SQLite backup nor a pg_dump archive").format(path=path),
    )


def restore(backup_file: Path, target: Target) -> tuple[int, str]:
    """Restore ``backup_file`` into ``target``: a file that does not exist yet (an SQLite
    backup), or a database of a server with no row in it (a pg_dump archive). Returns the
    restored audit chain's entries and head."""
    from crous_desk.store.audit import verify_chain

    kind = backup_kind(Path(backup_file))
    if kind == "sqlite" and is_server(target):
        raise _problem(
            "restore_needs_copy",
            _(
                "{path} is an SQLite backup: move it onto the server with crous-desk copy "
                "--from {path} --to URL"
            ).format(path=backup_file),
        )
    if kind == "pg_dump" and not is_server(target):
        raise _problem(
            "restore_needs_server",
            _("{path} is a pg_dump archive: restore it into a postgresql:// database").format(
                path=backup_file
            ),
        )
    if kind == "sqlite":
        path = Path(target)
        if path.exists():
            raise _problem(
                "target_exists",
                _("{path} already exists: restore into a new file").format(path=path),
            )
        check_sqlite_file(Path(backup_file))
        part = _part(path)
        shutil.copyfile(backup_file, part)
        os.replace(part, path)
    else:
        check_dump(Path(backup_file))
        _pg_restore(Path(backup_file), str(target))
    restored: Database = open_migrated(target)  # an older backup is brought up to date
    try:
        with bound(restored):
            chain = verify_chain()
    finally:
        close(restored)
    if not chain.intact:  # pragma: no cover - checked in the backup before
        raise _problem(
            "backup_chain_broken",
            _("the audit chain does not verify in {path}: {reason}").format(
                path=shown(target), reason=chain.reason
            ),
        )
    return chain.entries, chain.head


def _pg_restore(archive: Path, url: str) -> None:
    import psycopg

    try:
        with psycopg.connect(url, autocommit=True) as conn:
            tables = conn.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"
            ).fetchone()
    except psycopg.Error as error:
        raise _problem(
            "no_server",
            _("{url}: cannot reach the database server ({error})").format(
                url=shown(url), error=_last_line(str(error))
            ),
        ) from None
    if tables and tables[0]:
        existing = open_migrated(url)
        try:
            refuse_unless_empty(existing, shown(url))
        finally:
            close(existing)
    done = subprocess.run(
        [
            _tool("pg_restore"),
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            *(["--clean", "--if-exists"] if tables and tables[0] else []),
            f"--dbname={url}",
            str(archive),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise _problem(
            "restore_failed",
            _("pg_restore failed, nothing was restored: {error}").format(
                error=_last_line(done.stderr)
            ),
        )
