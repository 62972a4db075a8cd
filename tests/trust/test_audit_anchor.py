"""Issue 13, point 6: an audit trail that cannot be rewritten quietly. Entries are signed with
a key kept outside the database; the chain's head is anchored in a log outside it. A deleted
tail, an emptied log and a chain rewritten with every hash recomputed are all found, by
``audit verify`` and by ``audit verify --anchor`` against a copy of the anchor log."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from crous_desk.store import anchor
from crous_desk.store.audit import GENESIS, entry_hash
from tests.trust.helpers import run

CHAINED = "id, at, actor, action, entity, entity_id, reservation_id, before, after"


@pytest.fixture(autouse=True)
def _fresh_keys() -> None:
    anchor.forget_cached_keys()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A database with a few audited changes (residences and closures), anchored once."""
    path = tmp_path / "desk.db"
    for code in ("luminy", "gaston-berger", "cuques"):
        assert (
            run(
                "residence",
                "add",
                code,
                "--name",
                code.title(),
                "--crous",
                "aix-marseille",
                "--address",
                "1 rue X, 13100 Aix",
                "--phone",
                "04 42 00 00 00",
                "--db",
                path,
            )
            == 0
        )
    assert run("audit", "anchor", "--db", path) == 0
    return path


def tamper(db: Path, *statements: tuple[str, tuple[object, ...]]) -> None:
    """What someone with the database file (and not the key) does: drop the triggers, edit."""
    connection = sqlite3.connect(db)
    connection.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    connection.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    for sql, params in statements:
        connection.execute(sql, params)
    connection.commit()
    connection.close()


def entries(db: Path) -> int:
    return sqlite3.connect(db).execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]


def test_an_untouched_log_verifies_signed_and_anchored(db: Path, capsys) -> None:
    capsys.readouterr()
    assert run("audit", "verify", "--db", db) == 0
    said = capsys.readouterr().out
    assert "intact" in said and "signed" in said and "2 anchors" in said
    key = Path(f"{db}.audit-key")
    assert key.is_file() and key.stat().st_mode & 0o077 == 0  # the owner's only
    assert sqlite3.connect(db).execute(
        "SELECT COUNT(*) FROM audit_log WHERE mac IS NULL"
    ).fetchone() == (0,)


def test_a_deleted_tail_is_found(db: Path, capsys) -> None:
    last = entries(db)
    tamper(db, ("DELETE FROM audit_log WHERE id = ?", (last,)))
    assert run("audit", "verify", "--db", db) == 1
    assert "entries were deleted" in capsys.readouterr().err


def test_an_emptied_log_is_found(db: Path, capsys) -> None:
    tamper(db, ("DELETE FROM audit_log", ()))
    assert run("audit", "verify", "--db", db) == 1
    err = capsys.readouterr().err
    assert "the log has 0 entries" in err


def test_a_rewritten_and_rehashed_chain_is_found(db: Path, capsys) -> None:
    connection = sqlite3.connect(db)
    rows = connection.execute(f"SELECT {CHAINED} FROM audit_log ORDER BY id").fetchall()
    connection.close()
    statements = []
    previous = GENESIS
    for row in rows:
        row = list(row)
        if row[0] == 2:
            after = json.loads(row[8])
            after["name"] = "Forged"
            row[8] = json.dumps(after, ensure_ascii=False, sort_keys=True)
        digest = entry_hash(tuple(row), previous)
        statements.append(
            ("UPDATE audit_log SET after = ?, prev_hash = ?, hash = ?, mac = NULL WHERE id = ?",
             (row[8], previous, digest, row[0]))
        )  # fmt: skip
        previous = digest
    tamper(db, *statements)
    assert run("audit", "verify", "--db", db) == 1
    assert "not signed" in capsys.readouterr().err


def test_verify_against_a_copy_of_the_anchor_log_kept_elsewhere(
    db: Path, tmp_path: Path, capsys
) -> None:
    kept = tmp_path / "elsewhere" / "anchors.log"
    kept.parent.mkdir()
    shutil.copy(f"{db}.audit-anchors", kept)
    Path(f"{db}.audit-anchors").unlink()  # the local log removed, with the whole audit log
    tamper(db, ("DELETE FROM audit_log", ()))
    assert run("audit", "verify", "--db", db, "--anchor", kept) == 1
    assert "entries were deleted" in capsys.readouterr().err
    assert run("audit", "verify", "--db", db) == 1  # the key is there, the anchors are gone
    assert "anchor log" in capsys.readouterr().err


def test_a_forged_anchor_line_is_refused(db: Path, capsys) -> None:
    with open(f"{db}.audit-anchors", "a", encoding="ascii") as log:
        log.write(f"2026-11-23T09:00:00Z entries=1 head={'0' * 64} mac={'f' * 64}\n")
    assert run("audit", "verify", "--db", db) == 1
    assert "not an anchor of this installation" in capsys.readouterr().err


def test_the_mail_timer_anchors_once_a_day_after_17h(db: Path) -> None:
    from datetime import UTC, datetime

    from crous_desk.base.clock import FixedClock
    from crous_desk.base.config import Config
    from crous_desk.mail import run_as_installation
    from crous_desk.store.db import connect
    from crous_desk.store.models import db as proxy

    anchors = Path(f"{db}.audit-anchors")
    before = len(anchor.read_anchors(anchors))
    connect(db)
    try:
        for hour in (15, 16, 17):  # 16:00, 17:00, 18:00 Paris, one run each
            run_as_installation(Config(), FixedClock(datetime(2026, 11, 23, hour, 5, tzinfo=UTC)))
    finally:
        proxy.obj.close()
        proxy.initialize(None)
    made = anchor.read_anchors(anchors)[before:]
    assert [a.at for a in made] == ["2026-11-23T16:05:00Z"]  # the first run after 17:00
    assert run("audit", "verify", "--db", db) == 0
