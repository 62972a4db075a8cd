"""Moving a residence's data from one database to another (an SQLite file onto a PostgreSQL
server, or back): every table, every row, the same ids, all or nothing.

The target must be empty (migrated to the same schema, no row anywhere). The source is read
in one transaction, so a desk still writing to it meanwhile cannot give a copy half before and
half after its change. The rows go in, in an order that satisfies the foreign keys, inside one
transaction of the target; before it commits, every table's row count is compared with the
source's and the audit chain is verified on the target, head hash included. Anything wrong,
and the transaction rolls back: the target is as empty as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from peewee import Database, PostgresqlDatabase

from crous_desk.base.errors import Problem, Refused
from crous_desk.base.i18n import _
from crous_desk.store.db import Target, close, is_server, open_migrated, shown
from crous_desk.store.fields import instant_text
from crous_desk.store.models import db

BATCH = 1000
# tables that are not data: the migration runner's, and SQLite's own FTS5 shadow tables (the
# search index is made again from the reservations on the target)
_NOT_DATA = ("schema_migration", "sqlite_", "search_index")

Progress = Callable[[int, int], None]


@dataclass
class CopyReport:
    rows: dict[str, int] = field(default_factory=dict)  # table → rows copied
    audit_entries: int = 0
    audit_head: str = ""
    indexed: int = 0  # reservations indexed for the search box on the target

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def data_tables(database: Database) -> list[str]:
    """The tables holding data, parents before children (foreign keys)."""
    names = [t for t in database.get_tables() if not t.startswith(_NOT_DATA)]
    parents = {
        t: {fk.dest_table for fk in database.get_foreign_keys(t) if fk.dest_table != t}
        for t in names
    }
    ordered: list[str] = []
    placed: set[str] = set()
    while len(ordered) < len(names):
        ready = [t for t in names if t not in placed and parents[t] <= placed | {t}]
        if not ready:  # a cycle (none in this schema): the rest in name order
            ready = [t for t in names if t not in placed]
        for t in sorted(ready):
            ordered.append(t)
            placed.add(t)
    return ordered


def row_counts(database: Database, tables: list[str]) -> dict[str, int]:
    return {t: database.execute_sql(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def refuse_unless_empty(database: Database, what: str) -> None:
    full = {t: n for t, n in row_counts(database, data_tables(database)).items() if n}
    if full:
        rows = sum(full.values())
        raise Refused(
            Problem(
                "target_not_empty",
                _(
                    "{target} is not empty ({rows} rows, e.g. in {table}): name a new, "
                    "empty database"
                ).format(target=what, rows=rows, table=sorted(full)[0]),
            )
        )


def _columns(database: Database, table: str) -> dict[str, str]:
    """Column name → its type, lower case."""
    return {c.name: c.data_type.lower() for c in database.get_columns(table)}


def _converter(source: Database, target: Database, kind: str) -> Callable[[Any], Any]:
    """How one value of a column of type ``kind`` (on the target) is written there."""
    if isinstance(target, PostgresqlDatabase) and kind == "boolean":
        return lambda v: None if v is None else bool(v)

    def plain(value: Any) -> Any:
        if isinstance(value, datetime):  # a timestamptz read from a server: the file's text
            return instant_text(value)
        if isinstance(value, date):
            return value.isoformat()
        return value

    return plain


@contextmanager
def _reading(database: Database) -> Iterator[None]:
    """One consistent view of the source for the whole copy."""
    if isinstance(database, PostgresqlDatabase):
        with database.atomic(isolation_level="REPEATABLE READ"):
            yield
    else:  # WAL: the first read fixes the snapshot, and desks may go on writing
        with database.atomic(lock_type="DEFERRED"):
            yield


def _rows(database: Database, table: str, columns: list[str]) -> Iterator[list[tuple[Any, ...]]]:
    names = ", ".join(f'"{c}"' for c in columns)
    order = ' ORDER BY "id"' if "id" in columns else ""
    cursor = database.execute_sql(f'SELECT {names} FROM "{table}"{order}')
    while True:
        batch = cursor.fetchmany(BATCH)
        if not batch:
            return
        yield batch


# Columns set once a row is locked (an inspection is acknowledged): the row goes in without
# them, the rows that belong to it follow (the triggers refuse parts of a locked inspection),
# and they are set last.
LOCKING_COLUMNS = {"inspection": ("acknowledged_at", "acknowledged_by_id", "tenant_name")}


def copy_rows(
    source: Database, target: Database, progress: Progress | None = None
) -> dict[str, int]:
    """Copy every data table's rows from ``source`` into ``target`` (same schema; call it
    inside a transaction of each). Returns the rows copied per table."""
    tables = data_tables(source)
    missing = [t for t in tables if t not in set(target.get_tables())]
    if missing:
        raise Refused(
            Problem(
                "schema_differs",
                _("the target has no table {table}: both must be at the same version").format(
                    table=missing[0]
                ),
            )
        )
    expected = row_counts(source, tables)
    total = sum(expected.values())
    done = 0
    copied: dict[str, int] = {}
    locking: list[tuple[str, list[str], list[tuple[Any, ...]]]] = []
    for table in tables:
        kinds = _columns(target, table)
        columns = [c for c in _columns(source, table) if c in kinds]
        convert = [_converter(source, target, kinds[c]) for c in columns]
        later = [c for c in LOCKING_COLUMNS.get(table, ()) if c in columns and "id" in columns]
        marks = ", ".join("NULL" if c in later else target.param for c in columns)
        names = ", ".join(f'"{c}"' for c in columns)
        insert = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'
        copied[table] = 0
        for batch in _rows(source, table, columns):
            rows = [tuple(f(v) for f, v in zip(convert, row, strict=True)) for row in batch]
            if later:
                at = [columns.index(c) for c in later]
                ident = columns.index("id")
                locked = [(*(r[i] for i in at), r[ident]) for r in rows if r[at[0]] is not None]
                locking.append((table, later, locked))
                rows = [tuple(v for i, v in enumerate(r) if i not in at) for r in rows]
            cursor = target.cursor()
            cursor.executemany(insert, rows)
            copied[table] += len(rows)
            done += len(rows)
            if progress:
                progress(done, total)
        if isinstance(target, PostgresqlDatabase) and "id" in columns:
            # explicit ids went in: the next one made on the server follows them
            target.execute_sql(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'COALESCE((SELECT max("id") FROM "{table}"), 0) + 1, false) '
                f"WHERE pg_get_serial_sequence('\"{table}\"', 'id') IS NOT NULL"
            )
    for table, later, locked in locking:
        sets = ", ".join(f'"{c}" = {target.param}' for c in later)
        target.cursor().executemany(
            f'UPDATE "{table}" SET {sets} WHERE "id" = {target.param}', locked
        )
    if progress and not total:
        progress(0, 0)
    return copied


def check_copy(source: Database, target: Database, copied: dict[str, int]) -> None:
    """Refuse (so the caller rolls back) unless every table has as many rows on the target as
    on the source, and the audit chain verifies on the target with the source's head."""
    from crous_desk.store.audit import verify_chain

    tables = data_tables(source)
    on_source = row_counts(source, tables)
    on_target = row_counts(target, tables)
    for table in tables:
        if not on_source[table] == on_target[table] == copied.get(table, 0):
            raise Refused(
                Problem(
                    "copy_count_differs",
                    _(
                        "{table}: {source} rows in the source, {target} in the copy: "
                        "nothing was copied"
                    ).format(table=table, source=on_source[table], target=on_target[table]),
                )
            )
    with bound(source):
        before = verify_chain()
    with bound(target):
        after = verify_chain()
    if not after.intact or (after.entries, after.head) != (before.entries, before.head):
        raise Refused(
            Problem(
                "copy_chain_broken",
                _(
                    "the audit chain does not verify on the copy ({reason}): nothing was copied"
                ).format(reason=after.reason or _("its head differs from the source's")),
            )
        )


@contextmanager
def bound(database: Database) -> Iterator[None]:
    """The models read from ``database`` inside (the database they were bound to after)."""
    previous = db.obj
    db.initialize(database)
    try:
        yield
    finally:
        db.initialize(previous)


def copy_database(source: Target, target: Target, progress: Progress | None = None) -> CopyReport:
    """Copy everything from ``source`` into the empty ``target`` (file paths or URLs), all or
    nothing; a target file that did not exist before is removed again when refused."""
    from crous_desk.store.audit import verify_chain
    from crous_desk.store.search_index import rebuild_index

    if not is_server(source) and not Path(source).is_file():
        raise Refused(
            Problem("no_database", _("{path}: no such database file").format(path=source))
        )
    if shown(source) == shown(target) or (
        not is_server(source)
        and not is_server(target)
        and Path(source).resolve() == Path(target).resolve()
    ):
        raise Refused(Problem("copy_onto_itself", _("--from and --to name the same database")))
    new_file = not is_server(target) and not Path(target).exists()
    if not is_server(target) and Path(target).is_dir():
        raise Refused(
            Problem(
                "not_a_database",
                _("{path} is a directory, not a database file").format(path=target),
            )
        )
    reading = open_migrated(source)
    writing: Database | None = None
    try:
        writing = open_migrated(target)
        refuse_unless_empty(writing, shown(target))
        report = CopyReport()
        with _reading(reading), writing.atomic():
            report.rows = copy_rows(reading, writing, progress)
            check_copy(reading, writing, report.rows)
            with bound(writing):
                report.indexed = rebuild_index()
                chain = verify_chain()
            report.audit_entries, report.audit_head = chain.entries, chain.head
        return report
    except BaseException:
        if writing is not None:
            close(writing)
            writing = None
        if new_file:
            for suffix in ("", "-wal", "-shm", ".migrate-lock"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
        raise
    finally:
        close(reading)
        if writing is not None:
            close(writing)
