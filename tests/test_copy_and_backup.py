"""Moving a residence between an SQLite file and a PostgreSQL server (all or nothing, the audit
chain intact), and backing a database up while desks write to it, then restoring it.

The suite's own database is an SQLite file, or a server's with CROUS_DESK_TEST_DB: each test
here runs on whichever it is, and copies to and from the other kind where it can."""

from __future__ import annotations

import multiprocessing as mp
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

import peewee
import pytest

from crous_desk.base.errors import Refused
from crous_desk.cli.main import main
from crous_desk.services import Desk
from crous_desk.store import audit
from crous_desk.store.backup import backup, restore
from crous_desk.store.db import close, open_migrated
from crous_desk.store.fields import instant_text
from crous_desk.store.models import AuditLog, Reservation
from crous_desk.store.moving import copy_database, data_tables
from tests import factories
from tests.factories import MONDAY_10H
from tests.server import SERVER


def fill() -> None:
    """A residence at work: files, documents verified, an inspection acknowledged, keys out."""
    from crous_desk.base.clock import FixedClock
    from tests.test_key_race import ready_reservation

    room = factories.room(kind="renovated", key_sets=2)
    tenant = ready_reservation(room, "Hélène")
    desk = Desk(factories.staff(), FixedClock(MONDAY_10H), factories.residence())
    desk.hand_over_keys(tenant.id)
    factories.reservation(first="Zoé", last="Martin", status="requested", documents="none")
    assert audit.verify_chain().intact


def normal(value: Any) -> Any:
    if isinstance(value, datetime):
        return instant_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def everything(target: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every data table's rows, by id, values as the SQLite file holds them."""
    database = open_migrated(target)
    try:
        out = {}
        for table in data_tables(database):
            columns = [c.name for c in database.get_columns(table)]
            order = ' ORDER BY "id"' if "id" in columns else ""
            names = ", ".join(f'"{c}"' for c in sorted(columns))
            rows = database.execute_sql(f'SELECT {names} FROM "{table}"{order}').fetchall()
            out[table] = [tuple(normal(v) for v in row) for row in rows]
            if not order:  # a table without ids (the search words): as a set
                out[table].sort()
        return out
    finally:
        close(database)


def another(tmp_path: Path, name: str) -> Any:
    """A new, empty database of the other kind than the suite's, when there is a server."""
    return SERVER.create() if SERVER is not None else tmp_path / name


def test_a_residence_moves_out_and_back_row_for_row(
    database: peewee.Database, db_path: Any, tmp_path: Path
) -> None:
    fill()
    before = everything(db_path)
    file = tmp_path / "moved.db"
    report = copy_database(db_path, file)
    assert report.total == sum(len(rows) for rows in before.values())
    assert report.audit_entries == AuditLog.select().count()
    assert report.audit_head == audit.verify_chain().head
    assert everything(file) == before
    back = another(tmp_path, "back.db")
    again = copy_database(file, back)
    assert (again.total, again.audit_head) == (report.total, report.audit_head)
    assert everything(back) == before
    # the copy goes on where the source stopped: new ids follow the copied ones
    moved = open_migrated(back)
    try:
        with moved.atomic():
            from crous_desk.store.moving import bound

            with bound(moved):
                entry = audit.record("accueil", MONDAY_10H, "after.move", "thing", 1)
                student = factories.reservation(first="Après", documents="none")
                assert entry.id == report.audit_entries + 1
                assert student.id == max(r.id for r in Reservation.select())
                assert audit.verify_chain().intact
    finally:
        close(moved)


def test_the_command_copies_and_says_what(
    database: peewee.Database, db_path: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fill()
    target = tmp_path / "copy.db"
    assert main(["copy", "--from", str(db_path), "--to", str(target)]) == 0
    out = capsys.readouterr().out
    assert "rows copied in" in out and "chain intact" in out
    # a target with rows is refused, and stays as it was
    kept = everything(target)
    assert main(["copy", "--from", str(db_path), "--to", str(target)]) == 1
    assert "is not empty" in capsys.readouterr().err
    assert everything(target) == kept


def test_a_copy_that_fails_leaves_nothing(
    database: peewee.Database, db_path: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from crous_desk.store import moving

    fill()
    real = moving.copy_rows

    def short(source: Any, target: Any, progress: Any = None) -> dict[str, int]:
        copied = real(source, target, progress)
        target.execute_sql("DELETE FROM room_status_change")  # lose nothing… but say so
        target.execute_sql("DELETE FROM staff_scope")
        return copied

    monkeypatch.setattr(moving, "copy_rows", short)
    new_file = tmp_path / "never.db"
    with pytest.raises(Refused, match=r"staff_scope: \d+ rows in the source, 0 in the copy"):
        copy_database(db_path, new_file)
    assert not new_file.exists()  # made for the copy, removed with it
    server = another(tmp_path, "empty.db")
    if isinstance(server, Path):
        close(open_migrated(server))
    with pytest.raises(Refused, match="nothing was copied"):
        copy_database(db_path, server)
    assert all(not rows for rows in everything(server).values())


def test_bad_copies_are_refused_with_a_reason(
    database: peewee.Database, db_path: Any, tmp_path: Path
) -> None:
    with pytest.raises(Refused, match="no such database file"):
        copy_database(tmp_path / "nowhere.db", tmp_path / "x.db")
    with pytest.raises(Refused, match="the same database"):
        copy_database(db_path, db_path)
    with pytest.raises(Refused, match="is a directory"):
        copy_database(db_path, tmp_path)
    assert not (tmp_path / "x.db").exists()


# -- backup and restore ----------------------------------------------------------------------


def _writer(db_path: str, name: str, committed: Any, stop: Any) -> None:
    from crous_desk.store import audit
    from crous_desk.store.db import connect
    from crous_desk.store.models import db

    connect(db_path)
    i = 0
    while not stop.is_set() and i < 2000:
        with db.atomic():
            entry = audit.record(name, MONDAY_10H, "busy.change", "thing", i)
        committed.put(entry.id)  # after the commit
        i += 1


@pytest.mark.slow
def test_a_backup_taken_while_desks_write_holds_every_change_committed_before_it(
    database: peewee.Database, db_path: Any, tmp_path: Path
) -> None:
    fill()
    context = mp.get_context("spawn")
    committed, stop = context.Queue(), context.Event()
    writers = [
        context.Process(target=_writer, args=(str(db_path), f"desk{i}", committed, stop))
        for i in range(3)
    ]
    for w in writers:
        w.start()
    seen: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while len(seen) < 60 and time.monotonic() < deadline:
            seen.add(committed.get(timeout=30))
        before_backup = set(seen)
        report = backup(db_path, tmp_path / "nightly.backup")
        while len(seen) < len(before_backup) + 30 and time.monotonic() < deadline:
            seen.add(committed.get(timeout=30))  # they went on writing meanwhile
    finally:
        stop.set()
        for w in writers:
            w.join(timeout=30)
    assert len(before_backup) >= 60
    assert report.kind == ("pg_dump" if SERVER is not None else "sqlite")
    restored = another(tmp_path, "restored.db") if SERVER is not None else tmp_path / "r.db"
    entries, head = restore(tmp_path / "nightly.backup", restored)
    ids = audit_ids(restored)
    assert before_backup <= ids  # every change committed before the backup began
    assert entries == len(ids) and ids == set(range(1, len(ids) + 1))  # one unbroken chain
    assert verify_on(restored).head == head


def audit_ids(target: Any) -> set[int]:
    database = open_migrated(target)
    try:
        return {i for (i,) in database.execute_sql("SELECT id FROM audit_log").fetchall()}
    finally:
        close(database)


def verify_on(target: Any) -> audit.ChainReport:
    from crous_desk.store.moving import bound

    database = open_migrated(target)
    try:
        with bound(database):
            return audit.verify_chain()
    finally:
        close(database)


def test_the_backup_commands(
    database: peewee.Database,
    db_path: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fill()
    out = tmp_path / "b.backup"
    assert main(["backup", "--db", str(db_path), "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert ("audit chain intact" in said) or ("pg_dump archive written" in said)
    target = SERVER.create() if SERVER is not None else str(tmp_path / "restored.db")
    assert main(["restore", str(out), "--db", str(target)]) == 0
    assert "restored into" in capsys.readouterr().out
    assert everything(target) == everything(db_path)
    # again into the same place: refused, nothing changes
    assert main(["restore", str(out), "--db", str(target)]) == 1
    err = capsys.readouterr().err
    assert "already exists" in err or "is not empty" in err


def test_bad_backups_and_restores_are_refused(
    database: peewee.Database, db_path: Any, tmp_path: Path
) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(Refused, match="cannot open as a crous-desk database"):
        backup(junk, tmp_path / "out.db")
    assert not (tmp_path / "out.db").exists()
    with pytest.raises(Refused, match="neither an SQLite backup nor a pg_dump archive"):
        restore(junk, tmp_path / "r.db")
    with pytest.raises(Refused, match="no such backup file"):
        restore(tmp_path / "nothing", tmp_path / "r.db")
    with pytest.raises(Refused, match="is a directory"):
        backup(db_path, tmp_path)
    with pytest.raises(Refused, match="no such database file"):
        backup(tmp_path / "nowhere.db", tmp_path / "out.db")
    if SERVER is None:
        with pytest.raises(Refused, match="is the database"):
            backup(db_path, db_path)
        good = tmp_path / "good.backup"
        backup(db_path, good)
        with pytest.raises(Refused, match="move it onto the server with crous-desk copy"):
            restore(good, "postgresql://nobody@127.0.0.1:1/none")
        # a backup whose audit chain was tampered with is not restored
        import sqlite3

        plain = sqlite3.connect(good)
        plain.execute("DROP TRIGGER audit_log_no_update")
        plain.execute("UPDATE audit_log SET actor = 'mallory'")
        plain.commit()
        plain.close()
        if AuditLog.select().count():
            with pytest.raises(Refused, match="audit chain does not verify"):
                restore(good, tmp_path / "r.db")
        assert not (tmp_path / "r.db").exists()
