"""Issue 13, personal data has a lifetime: ``person export`` gives everything held about one
student; ``retention run`` (``--dry-run`` first) anonymises, under the configured policy, the
requests never accepted and the tenants who left long enough ago — keeping the statistics,
the key logs and a verifiable audit chain, which refers to people by identifiers."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine

from crous_desk.cli.main import main
from crous_desk.store import anchor
from crous_desk.store.models import db as proxy
from tests.trust.helpers import run

LATER = datetime(2031, 1, 6, 9, 0, tzinfo=UTC)  # four years after the demo's stays


def run_at(at: datetime, *argv: str | Path) -> int:
    with time_machine.travel(at, tick=False):
        try:
            return main([str(a) for a in argv])
        finally:
            if proxy.obj is not None:
                proxy.obj.close()
            proxy.initialize(None)


@pytest.fixture(autouse=True)
def _fresh_keys() -> None:
    anchor.forget_cached_keys()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "desk.db"
    assert run("seed-demo", "--db", path) == 0
    return path


def query(path: Path, sql: str) -> list[tuple[object, ...]]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def test_a_person_export_holds_everything_about_them(demo: Path, tmp_path: Path, capsys) -> None:
    (reference, student_id) = query(
        demo,
        "SELECT reference, student_id FROM reservation WHERE status = 'checked_in' LIMIT 1",
    )[0]
    out = tmp_path / "person.json"
    assert run("person", "export", "--reservation", reference, "--out", out, "--db", demo) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    tables = data["tables"]
    assert data["student_id"] == student_id
    assert [s["id"] for s in tables["student"]] == [student_id]
    assert reference in [r["reference"] for r in tables["reservation"]]
    assert tables["document"] and tables["key_log"] and tables["inspection"]
    assert all(r["student"] == student_id for r in tables["reservation"])
    assert out.stat().st_mode & 0o007 == 0
    assert run("person", "export", "--reservation", reference, "--out", out, "--db", demo) == 1
    assert "exists already" in capsys.readouterr().err


def test_retention_dry_run_changes_nothing_then_the_run_anonymises(demo: Path, capsys) -> None:
    before = query(demo, "SELECT * FROM student ORDER BY id")
    assert run_at(LATER, "retention", "run", "--dry-run", "--db", demo) == 0
    said = capsys.readouterr().out
    assert "would anonymise" in said
    assert query(demo, "SELECT * FROM student ORDER BY id") == before
    departed = {
        sid
        for (sid,) in query(demo, "SELECT student_id FROM reservation WHERE status = 'departed'")
    }
    living = {
        sid
        for (sid,) in query(demo, "SELECT student_id FROM reservation WHERE status = 'checked_in'")
    }
    universities = query(
        demo, "SELECT home_university, COUNT(*) FROM student GROUP BY 1 ORDER BY 1"
    )
    key_logs = query(demo, "SELECT COUNT(*) FROM key_log")
    named_inspections = (
        "SELECT COUNT(*) FROM inspection JOIN reservation ON reservation.id = reservation_id "
        "WHERE reservation.status = 'departed' AND acknowledged_at IS NOT NULL "
        "AND tenant_name IS NOT NULL"
    )
    assert query(demo, named_inspections)[0][0] > 0  # signed by the tenant, locked
    assert departed and run_at(LATER, "retention", "run", "--db", demo) == 0
    assert query(demo, named_inspections) == [(0,)]  # the lock let the retention through
    rows = {
        sid: (first, last, email, ine)
        for sid, first, last, email, ine in query(
            demo, "SELECT id, first_name, last_name, email, ine FROM student"
        )
    }
    for sid in departed:  # the tenants who left four years ago
        assert rows[sid] == ("", f"Anonymised #{sid}", "", None)
    for sid in living - departed:  # still in their room: kept
        assert rows[sid][1] != f"Anonymised #{sid}" and rows[sid][3] is not None
    # statistics and key logs stay; the chain still verifies, names nowhere in it
    assert (
        query(demo, "SELECT home_university, COUNT(*) FROM student GROUP BY 1 ORDER BY 1")
        == universities
    )
    assert query(demo, "SELECT COUNT(*) FROM key_log") == key_logs
    assert run_at(LATER, "audit", "verify", "--db", demo) == 0
    audit_text = " ".join(
        str(v) for row in query(demo, "SELECT before, after FROM audit_log") for v in row
    )
    for sid in departed:
        name = before[[r[0] for r in before].index(sid)]
        assert f'"{name[2]}"' not in audit_text  # the last name, as a JSON string
    # a second run finds nobody left to anonymise among them
    capsys.readouterr()
    assert run_at(LATER, "retention", "run", "--dry-run", "--db", demo) == 0
    assert not any(f"#{sid} " in capsys.readouterr().out for sid in departed)
