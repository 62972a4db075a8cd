"""Every migration can be reverted: back to an empty file, one step at a time, and up again to
the same schema (what a deployment that must roll back a release relies on)."""

from __future__ import annotations

from pathlib import Path

from peewee import Database
from playhouse.migrations import Runner

from crous_desk.store.db import MIGRATIONS, connect, pending, upgrade
from crous_desk.store.models import db as proxy


def schema(database: Database) -> list[tuple[str, str, str]]:
    """Tables, indexes and triggers, as SQLite keeps them (the runner's own table aside)."""
    rows = database.execute_sql(
        "SELECT type, name, sql FROM sqlite_master "
        "WHERE name NOT LIKE 'sqlite_%' AND name NOT LIKE 'schema_migration%' ORDER BY type, name"
    ).fetchall()
    return [(kind, name, sql or "") for kind, name, sql in rows]


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
        database.close()
        proxy.initialize(None)
