"""Writing many rows at once (an import of thousands): ids taken in one statement, rows written
by one prepared statement, instead of one generated statement per row.

The same on both databases: on SQLite the write transaction holds the file's write lock, so
the ids after the largest are free (the ids SQLite itself would give); on PostgreSQL they are
taken from the table's sequence, as the rows' own inserts would take them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

from peewee import Model

from crous_desk.store.locks import on_server
from crous_desk.store.models import db

CHUNK = 500  # values in one IN (...): far below SQLite's and PostgreSQL's limits

T = TypeVar("T")


def chunks(values: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def placeholders(n: int) -> str:
    return ", ".join([db.param] * n)


def new_ids(model: type[Model], n: int) -> list[int]:
    """``n`` ids for new rows of ``model``, in increasing order; call it inside the writing
    transaction."""
    if n <= 0:
        return []
    table = model._meta.table_name  # type: ignore[attr-defined]
    if on_server():
        found = db.execute_sql(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            (table, n),
        ).fetchall()
        return sorted(row[0] for row in found)
    (last,) = db.execute_sql(f"SELECT MAX(id) FROM {table}").fetchone()
    first = (last or 0) + 1
    return list(range(first, first + n))


def insert(model: type[Model], rows: Iterable[dict[str, Any]]) -> None:
    """Insert ``rows`` (field name to Python value, every row the same fields, ``id``
    included), each value converted as the model's field converts it."""
    rows = list(rows)
    if not rows:
        return
    fields = model._meta.fields  # type: ignore[attr-defined]
    names = list(rows[0])
    columns = ", ".join(f'"{fields[name].column_name}"' for name in names)
    converters = [fields[name].db_value for name in names]
    sql = (
        f'INSERT INTO "{model._meta.table_name}" ({columns}) '  # type: ignore[attr-defined]
        f"VALUES ({placeholders(len(names))})"
    )
    values = [
        tuple(convert(row[name]) for convert, name in zip(converters, names, strict=True))
        for row in rows
    ]
    db.cursor().executemany(sql, values)
