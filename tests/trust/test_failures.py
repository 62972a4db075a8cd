"""Issue 13, points 7 and 8: what goes wrong with the database file is one clear line and a
non-zero exit on the command line, a reasons box at the desk — never a traceback: another desk
holding the write lock past the busy timeout, a read-only file, a full disk, a file made by a
newer crous-desk, a damaged file. And an action the rules refuse anyway says so at once, without
waiting for the lock another desk holds."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from peewee import Database

from crous_desk.base.errors import Refused
from crous_desk.keys import hand_over_keys
from crous_desk.store import db as store_db
from crous_desk.store.failures import database_refusal
from crous_desk.store.models import db as proxy
from tests import factories
from tests.tenants import SATURDAY_10H, desk_at, ready
from tests.trust.helpers import run


def one_line(err: str) -> str:
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "desk.db"
    assert run("migrate", "--db", path) == 0
    return path


@pytest.fixture
def short_busy(monkeypatch: pytest.MonkeyPatch) -> None:
    """A busy timeout of a third of a second, so that a test waits that long, not 15 s."""
    monkeypatch.setitem(store_db.PRAGMAS, "busy_timeout", 300)
    monkeypatch.setattr(store_db, "BUSY_TIMEOUT_MS", 300)


@pytest.fixture
def other_desk(db: Path) -> Iterator[sqlite3.Connection]:
    """Another desk holding the write lock."""
    connection = sqlite3.connect(db, isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    yield connection
    connection.execute("ROLLBACK")
    connection.close()


# -- 7. the write lock held by another desk -------------------------------------------------------


def test_an_export_while_the_lock_is_held_writes_nothing_and_says_so(
    db: Path, tmp_path: Path, short_busy: None, other_desk: sqlite3.Connection, capsys
) -> None:
    out = tmp_path / "audit.csv"
    assert run("export", "audit", "--db", db, "--out", out) == 1
    assert "the desk is busy" in one_line(capsys.readouterr().err)
    assert not out.exists()  # no file without its audit row
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".part"] == []


@pytest.fixture
def fresh_pool(db_path: Path) -> Iterator[None]:
    """On a server: the pool's connections made anew (they read the busy timeout when they
    are made), before the test and after it."""

    def drop() -> None:
        pool = store_db._POOLS.pop(str(db_path), None)
        if pool is not None:
            pool.close()

    drop()
    yield
    drop()


@pytest.mark.server_only  # PostgreSQL's locks: lock_timeout
def test_on_a_server_a_lock_held_past_the_timeout_is_one_line(
    db_path: Path,
    tmp_path: Path,
    short_busy: None,
    fresh_pool: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys,
) -> None:
    """Another desk's transaction holds the audit chain's lock on the server: an export waits
    the busy timeout, then says the desk is busy, and writes nothing."""
    import psycopg

    from crous_desk.store.locks import lock_key

    monkeypatch.setenv("CROUS_DESK_AUDIT_KEY", str(tmp_path / "audit-key"))
    monkeypatch.setenv("CROUS_DESK_AUDIT_ANCHORS", str(tmp_path / "audit-anchors"))
    assert run("migrate", "--db", db_path) == 0
    out = tmp_path / "audit.csv"
    other = psycopg.connect(str(db_path))
    try:
        other.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key("audit-chain"),))
        assert run("export", "audit", "--db", db_path, "--out", out) == 1
    finally:
        other.rollback()
        other.close()
    assert "the desk is busy" in one_line(capsys.readouterr().err)
    assert not out.exists()
    assert run("export", "audit", "--db", db_path, "--out", out) == 0  # the lock let go


def test_a_server_that_cannot_be_reached_is_one_line_in_its_own_words(capsys) -> None:
    """Nothing listens on port 1: said at once, with the server's reason, not after the
    pool's 30 s timeout without one."""
    assert run("staff", "list", "--db", "postgresql://crous@127.0.0.1:1/desk") == 1
    line = one_line(capsys.readouterr().err)
    assert "cannot reach the database server" in line and "Connection refused" in line


@pytest.mark.parametrize(
    ("state", "message", "code"),
    [
        ("55P03", "canceling statement due to lock timeout", "database_busy"),
        ("40P01", "deadlock detected", "database_busy"),
        ("40001", "could not serialize access", "database_busy"),
        ("25006", "cannot execute INSERT in a read-only transaction", "database_read_only"),
        ("42501", "permission denied for table student", "database_read_only"),
        ("53100", "could not extend file: No space left on device", "disk_full"),
        ("XX001", "invalid page in block 12 of relation base/1/2", "database_damaged"),
        ("57P01", "terminating connection due to administrator command", "database_unreachable"),
        ("08006", "connection failure", "database_unreachable"),
    ],
)
def test_a_server_s_failures_are_read_from_their_sqlstate(
    state: str, message: str, code: str
) -> None:
    """As peewee raises them: its own error, the driver's in its context."""
    import peewee
    import psycopg

    driver = psycopg.errors.lookup(state)(message)
    try:
        try:
            raise driver
        except psycopg.Error as error:
            raise peewee.OperationalError(str(error)) from error
    except peewee.OperationalError as wrapped:
        refusal = database_refusal(wrapped)
    assert refusal is not None and refusal.codes == (code,)


def test_a_connection_lost_without_a_state_is_the_server_unreachable() -> None:
    import psycopg
    from psycopg_pool import PoolTimeout

    for error in (
        psycopg.OperationalError("server closed the connection unexpectedly"),
        PoolTimeout("couldn't get a connection after 30.00 sec"),
    ):
        refusal = database_refusal(error)
        assert refusal is not None and refusal.codes == ("database_unreachable",), error


@pytest.mark.sqlite_only  # SQLite's one write lock
def test_a_handover_refused_anyway_does_not_wait_for_the_lock(
    database: Database, db_path: Path
) -> None:
    """The busy timeout stays 15 s: had the handover waited for the lock, it would fail with
    "database is locked" after it, not with the reasons the rules give."""
    reservation = ready(factories.room(number="B-112"))
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(Refused) as refused:
            hand_over_keys(desk_at(SATURDAY_10H), reservation.id)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert refused.value.codes == ("desk_closed",)


@pytest.mark.sqlite_only  # SQLite's one write lock
def test_a_handover_the_rules_allow_waits_for_the_lock_then_is_done(
    database: Database, db_path: Path
) -> None:
    import threading

    reservation = ready(factories.room(number="B-112"))
    other = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    threading.Timer(0.5, lambda: other.execute("ROLLBACK")).start()
    try:
        hand_over_keys(desk_at(factories.MONDAY_10H), reservation.id)
    finally:
        other.close()
    assert reservation.__class__.get_by_id(reservation.id).status == "checked_in"


# -- 8. read-only, full, newer, damaged -------------------------------------------------------


def test_a_full_disk_is_one_line_and_nothing_half_written(
    db: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    pages = sqlite3.connect(db).execute("PRAGMA page_count").fetchone()[0]
    monkeypatch.setitem(store_db.PRAGMAS, "max_page_count", pages + 2)  # a disk almost full
    assert run("seed-demo", "--db", db) == 1
    line = one_line(capsys.readouterr().err)
    assert "is full" in line and str(db) in line
    monkeypatch.delitem(store_db.PRAGMAS, "max_page_count")
    assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM residence").fetchone() == (0,)


def test_a_file_made_by_a_newer_crous_desk_is_refused(db: Path, capsys) -> None:
    connection = sqlite3.connect(db)
    connection.execute("INSERT INTO schema_migration (name, applied) VALUES ('0099_future', '')")
    connection.commit()
    connection.close()
    assert run("migrate", "--db", db) == 1
    line = one_line(capsys.readouterr().err)
    assert "made by a newer crous-desk" in line and "0099_future" in line
    assert run("staff", "list", "--db", db) == 1


def test_a_damaged_text_names_the_file_and_the_damage(db: Path, capsys) -> None:
    database = store_db.connect(db)
    factories.staff("chef", role="administrator")
    database.close()
    proxy.initialize(None)
    connection = sqlite3.connect(db)
    connection.execute("UPDATE staff SET display_name = CAST(x'c3ff' AS TEXT)")
    connection.commit()
    connection.close()
    assert run("staff", "list", "--db", db) == 1
    line = one_line(capsys.readouterr().err)
    assert "is damaged" in line and str(db) in line and "codec" not in line


def test_a_damaged_page_names_the_file(db: Path, capsys) -> None:
    data = bytearray(db.read_bytes())
    page = 4096
    for offset in range(page * 2, min(len(data), page * 40)):
        data[offset] = 0xA5  # pages of tables overwritten
    db.write_bytes(bytes(data))
    code = run("staff", "list", "--db", db)
    err = capsys.readouterr().err
    assert code == 1
    line = one_line(err)
    assert str(db) in line and ("damaged" in line or "cannot open" in line)


def test_what_is_not_the_database_s_fault_is_left_to_the_crash_log() -> None:
    assert database_refusal(RuntimeError("a bug")) is None
    assert database_refusal(UnicodeDecodeError("utf-8", b"\xff", 0, 1, "bad")) is None


def test_no_home_directory_is_one_line(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    """platformdirs cannot find the configuration without a home (a uid with no entry)."""

    def homeless() -> None:
        raise RuntimeError("could not determine the home directory for '~/.config'")

    monkeypatch.setattr("crous_desk.cli.main.load_config", homeless)
    assert run("migrate", "--db", "desk.db") == 2
    assert "home directory" in one_line(capsys.readouterr().err)
