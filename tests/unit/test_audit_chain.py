"""The audit log is chained by hashes: an entry edited or deleted in the file (by someone who
first dropped the triggers, as anyone with write access to the file could) is found, and the
chain holds with several processes writing at once."""

from __future__ import annotations

import json
import multiprocessing as mp
from pathlib import Path
from typing import Any

import pytest
from peewee import SqliteDatabase
from playhouse.migrations import Runner

from crous_desk.store import audit
from crous_desk.store.audit import GENESIS, entry_hash, verify_chain
from crous_desk.store.db import MIGRATIONS, PRAGMAS, close, connect, upgrade
from crous_desk.store.fields import instant_text
from crous_desk.store.locks import on_server
from crous_desk.store.models import AuditLog
from crous_desk.store.models import db as proxy
from tests import factories
from tests.factories import MONDAY_10H


def write_some(n: int = 5) -> list[AuditLog]:
    return [
        audit.record(
            "accueil",
            MONDAY_10H,
            "test.change",
            "thing",
            i,
            before={"value": i},
            after={"value": i + 1, "name": "Hélène"},
        )
        for i in range(n)
    ]


def stored(database: Any, entry_id: int) -> list[Any]:
    """An entry's hashed values as stored (its instant as the SQLite file's text)."""
    row = list(
        database.execute_sql(
            "SELECT id, at, actor, action, entity, entity_id, reservation_id, before, after "
            f"FROM audit_log WHERE id = {database.param}",
            (entry_id,),
        ).fetchone()
    )
    row[1] = instant_text(row[1])
    return row


def test_each_entry_hashes_its_values_and_the_one_before(database) -> None:
    entries = write_some(3)
    assert entries[0].prev_hash == GENESIS
    assert [e.prev_hash for e in entries[1:]] == [e.hash for e in entries[:-1]]
    raw = stored(database, entries[1].id)
    assert entry_hash(tuple(raw), entries[0].hash) == entries[1].hash
    report = verify_chain()
    assert report.intact and report.entries == 3 and report.head == entries[-1].hash


def test_many_entries_at_once_are_the_entries_one_at_a_time(database) -> None:
    """An import appends thousands of entries in one go: the same ids, values, hashes and
    MACs as one call each, chained to the entries before."""
    write_some(2)
    entries = [
        audit.Entry("test.import", "student", 7, None, None, {"last_name": "Dupont", "n": 1}),
        audit.Entry("test.dates", "reservation", 8, 8, {"lease_end": "2027-01-31"}, {"n": 2}),
        audit.Entry("test.import", "student", None),
    ]

    def log() -> list[tuple[Any, ...]]:
        return [tuple(row) for row in proxy.execute_sql("SELECT * FROM audit_log ORDER BY id")]

    with proxy.atomic() as transaction:
        for entry in entries:
            audit.record(
                "accueil",
                MONDAY_10H,
                entry.action,
                entry.entity,
                entry.entity_id,
                reservation=entry.reservation_id,
                before=entry.before,
                after=entry.after,
            )
        one_at_a_time = log()
        transaction.rollback()
    assert len(log()) == 2
    assert audit.record_many("accueil", MONDAY_10H, entries) == 3
    assert log() == one_at_a_time
    assert verify_chain().intact


def test_an_empty_log_is_intact(database) -> None:
    report = verify_chain()
    assert report.intact and report.entries == 0 and report.head == GENESIS


def tamper(database: Any, sql: str, *params: object) -> None:
    """What an attacker with the file (or the server's superuser) does: drop or disable the
    triggers, then edit."""
    if on_server():  # off for this one change only (the run's database is shared)
        with database.atomic():
            database.execute_sql("ALTER TABLE audit_log DISABLE TRIGGER USER")
            database.execute_sql(sql.replace("?", database.param), params)
            database.execute_sql("ALTER TABLE audit_log ENABLE TRIGGER USER")
        return
    else:
        database.execute_sql("DROP TRIGGER IF EXISTS audit_log_no_update")
        database.execute_sql("DROP TRIGGER IF EXISTS audit_log_no_delete")
    database.execute_sql(sql.replace("?", database.param), params)


def test_the_triggers_refuse_edits(database) -> None:
    import peewee

    entry = write_some(1)[0]
    with pytest.raises(peewee.IntegrityError, match="append-only"):
        database.execute_sql(f"UPDATE audit_log SET actor = 'x' WHERE id = {entry.id}")
    with pytest.raises(peewee.IntegrityError, match="append-only"):
        database.execute_sql(f"DELETE FROM audit_log WHERE id = {entry.id}")


def test_an_edited_entry_is_found(database) -> None:
    entries = write_some(5)
    tamper(database, "UPDATE audit_log SET after = ? WHERE id = ?", '{"value":99}', entries[2].id)
    report = verify_chain()
    assert report.broken_id == entries[2].id
    assert "changed after it was written" in report.reason


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link(database) -> None:
    entries = write_some(5)
    row = stored(database, entries[2].id)
    row[2] = "someone-else"
    forged = entry_hash(tuple(row), entries[1].hash)
    tamper(
        database,
        "UPDATE audit_log SET actor = ?, hash = ? WHERE id = ?",
        "someone-else",
        forged,
        entries[2].id,
    )
    report = verify_chain()
    # the rewritten entry has no valid MAC under the installation's key (issue 13, point 6)
    assert report.broken_id == entries[2].id and "not signed" in report.reason


def test_a_deleted_entry_is_found(database) -> None:
    entries = write_some(5)
    tamper(database, "DELETE FROM audit_log WHERE id = ?", entries[1].id)
    report = verify_chain()
    assert report.broken_id == entries[2].id
    assert "missing" in report.reason


def test_the_first_entry_deleted_is_found(database) -> None:
    entries = write_some(3)
    tamper(database, "DELETE FROM audit_log WHERE id = ?", entries[0].id)
    assert verify_chain().broken_id == entries[1].id


def test_real_actions_are_chained(database) -> None:
    from crous_desk.base.clock import FixedClock
    from crous_desk.services import Desk

    r = factories.reservation(documents="received")
    desk = Desk(factories.staff(), FixedClock(MONDAY_10H), factories.residence())
    desk.verify_document(r.id, "info_form")
    desk.unverify_document(r.id, "info_form")
    last = AuditLog.select().order_by(AuditLog.id.desc()).get()
    assert last.action == "document.unverify"
    assert json.loads(last.before)["verified_at"] is not None
    assert verify_chain().intact


@pytest.mark.empty_database
def test_the_migration_chains_the_entries_written_before_it(db_path: Path) -> None:
    database = (
        SqliteDatabase(str(db_path), pragmas=PRAGMAS)
        if isinstance(db_path, Path)
        else connect(db_path, migrate=False)  # a new, empty database on the server
    )
    proxy.initialize(database)
    try:
        Runner(database, directory=str(MIGRATIONS), table_name="schema_migration").up("0004_stay")
        p = database.param
        for i in range(4):
            database.execute_sql(
                "INSERT INTO audit_log (at, actor, action, entity, entity_id, before, after) "
                f"VALUES ({p}, 'accueil', 'old.change', 'thing', {p}, NULL, {p})",
                (f"2026-11-2{i}T09:00:00.000000+00:00", i, json.dumps({"n": i})),
            )
        database.execute_sql(
            "INSERT INTO staff (username, display_name, role, active, created_at) "
            "VALUES ('accueil', 'Accueil', 'receptionist', TRUE, "
            "'2026-11-20T09:00:00.000000+00:00')"
        )
        assert upgrade(database)[0] == "0005_staff_accounts_and_audit_chain"  # and any later
        report = verify_chain()
        assert report.intact and report.entries == 4
        # the old account keeps working where it did: every residence
        scope = database.execute_sql("SELECT kind, value FROM staff_scope").fetchall()
        assert scope == [("residence", "*")]
        # the triggers are back after the migration
        import peewee

        with pytest.raises(peewee.IntegrityError):
            database.execute_sql("UPDATE audit_log SET actor = 'x' WHERE id = 1")
        # and new entries follow the old ones
        entry = audit.record("accueil", MONDAY_10H, "new.change", "thing", 9)
        assert entry.id == 5 and verify_chain().intact
    finally:
        close(database)
        proxy.initialize(None)


def _writer(db_path: str, name: str, count: int, barrier: Any) -> None:
    from crous_desk.store import audit
    from crous_desk.store.db import connect
    from crous_desk.store.models import db

    connect(db_path)
    barrier.wait(timeout=30)
    for i in range(count):
        with db.atomic():
            audit.record(name, MONDAY_10H, "race.change", "thing", i, after={"i": i})


@pytest.mark.slow
def test_the_chain_holds_with_several_writers(database, db_path: Path) -> None:
    write_some(1)
    context = mp.get_context("spawn")
    barrier = context.Barrier(3)
    workers = [
        context.Process(target=_writer, args=(str(db_path), f"desk{i}", 40, barrier))
        for i in range(3)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=60)
        assert w.exitcode == 0
    report = verify_chain()
    assert report.intact, report.reason
    assert report.entries == 1 + 3 * 40
