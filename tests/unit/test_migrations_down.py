"""Every migration can be reverted: back to an empty file, one step at a time, and up again to
the same schema (what a deployment that must roll back a release relies on)."""

from __future__ import annotations

from pathlib import Path

import pytest
from peewee import Database, PostgresqlDatabase
from playhouse.migrations import Runner

from crous_desk.store.db import MIGRATIONS, close, connect, pending, upgrade
from crous_desk.store.models import db as proxy

PG_SCHEMA = """
SELECT 'column', table_name || '.' || column_name, data_type || ' ' || is_nullable
    FROM information_schema.columns
    WHERE table_schema = current_schema() AND table_name NOT LIKE 'schema_migration%%'
UNION ALL SELECT 'index', indexname, indexdef FROM pg_indexes
    WHERE schemaname = current_schema() AND tablename NOT LIKE 'schema_migration%%'
UNION ALL SELECT 'trigger', t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t
    JOIN pg_class c ON c.oid = t.tgrelid
    WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace
UNION ALL SELECT 'function', p.proname, pg_get_functiondef(p.oid) FROM pg_proc p
    WHERE p.pronamespace = current_schema()::regnamespace
ORDER BY 1, 2
"""


def schema(database: Database) -> list[tuple[str, str, str]]:
    """Tables, indexes and triggers, as SQLite keeps them (the runner's own table aside); on
    PostgreSQL, columns with their types, indexes, triggers and functions."""
    if isinstance(database, PostgresqlDatabase):
        return [tuple(row) for row in database.execute_sql(PG_SCHEMA).fetchall()]
    rows = database.execute_sql(
        "SELECT type, name, sql FROM sqlite_master "
        "WHERE name NOT LIKE 'sqlite_%' AND name NOT LIKE 'schema_migration%' ORDER BY type, name"
    ).fetchall()
    return [(kind, name, sql or "") for kind, name, sql in rows]


@pytest.mark.empty_database
def test_every_migration_reverts_and_applies_again(db_path: Path) -> None:
    database = connect(db_path)
    try:
        migrated = schema(database)
        runner = Runner(database, directory=str(MIGRATIONS), table_name="schema_migration")
        applied = [m.name for m in runner.status() if m.applied]
        reverted = []
        for _ in applied:
            reverted += runner.down()  # the latest one each time
            assert pending(database) == reverted[::-1]
        assert reverted == applied[::-1]
        assert schema(database) == []  # nothing is left behind
        assert upgrade(database) == applied
        assert schema(database) == migrated
    finally:
        close(database)
        proxy.initialize(None)
