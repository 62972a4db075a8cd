"""CSV exports (formula injection guarded), the staff commands and `audit verify`."""

from __future__ import annotations

import csv
import io
import sqlite3
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
import time_machine

from crous_desk.base.clock import FixedClock
from crous_desk.cli.main import main
from crous_desk.office import exports
from crous_desk.people.auth import current_os_user
from crous_desk.services import Desk
from crous_desk.store.models import AuditLog, Student
from crous_desk.store.models import db as proxy
from tests import factories
from tests.factories import MONDAY_10H


def read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a byte-order mark: Excel reads UTF-8 right
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+33 6 12", "'+33 6 12"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("Hélène", "Hélène"),
        ("O'Brien", "O'Brien"),
        (-5, -5),  # a number stays a number
        (None, ""),
    ],
)
def test_a_cell_that_would_run_as_a_formula_is_written_as_text(value: object, cell: object) -> None:
    assert exports.csv_cell(value) == cell


def test_the_exports_write_what_the_screens_show(database, tmp_path: Path) -> None:
    from crous_desk import keys
    from crous_desk import rooms as tenancy

    r = factories.reservation(
        first="=cmd", last="@evil", status="proposed", sent_at=MONDAY_10H - timedelta(hours=2)
    )
    Student.update(academic_year="2026-2027", campus="Luminy").where(
        Student.id == r.student_id
    ).execute()
    admin = factories.staff("admin", role="administrator", scope=())
    desk = Desk(admin, FixedClock(MONDAY_10H), factories.residence())
    assert exports.export(desk, "pipeline", tmp_path / "p.csv", year="2026-2027") == 1
    rows = read_csv(tmp_path / "p.csv")
    assert rows[0][:4] == ["reference", "first_name", "last_name", "ine"]
    assert rows[1][1:3] == ["'=cmd", "'@evil"]
    assert rows[1][9] == "Proposal sent"

    tenant = factories.reservation(first="Inès", status="checked_in")
    key_set = keys.inventory(desk, room_id=tenant.room_id)[0]
    keys.declare_lost(desk, key_set.key_set_id, note="-lost on the bus")
    assert exports.export(desk, "keylog", tmp_path / "k.csv") == 2
    keylog = read_csv(tmp_path / "k.csv")
    assert [row[1] for row in keylog[1:]] == ["lost", "replaced"]
    assert keylog[1][8] == "'-lost on the bus"

    arrival = factories.reservation(first="Zoé", documents="verified")
    assert exports.export(desk, "arrivals", tmp_path / "a.csv", day=date(2026, 11, 23)) >= 1
    arrivals = read_csv(tmp_path / "a.csv")
    assert arrival.reference in [row[3] for row in arrivals]

    tenancy.request_extension(desk, tenant.id, tenant.lease_end + timedelta(days=9), "exams")
    count = exports.export(desk, "audit", tmp_path / "au.csv", actor="admin")
    audit_rows = read_csv(tmp_path / "au.csv")
    assert len(audit_rows) == count + 1
    assert audit_rows[0] == [
        "id",
        "at",
        "actor",
        "action",
        "entity",
        "entity_id",
        "reference",
        "before",
        "after",
        "prev_hash",
        "hash",
    ]
    assert "extension.request" in [row[3] for row in audit_rows]
    # every export is itself in the audit log
    assert AuditLog.select().where(AuditLog.action.startswith("export.")).count() == 4


# -- the command line ---------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _unbind() -> Iterator[None]:
    yield
    if proxy.obj is not None:
        proxy.obj.close()
    proxy.initialize(None)


def run(*argv: str, stdin: str | None = None, monkeypatch: pytest.MonkeyPatch | None = None) -> int:
    if stdin is not None and monkeypatch is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    with time_machine.travel(MONDAY_10H, tick=False):
        try:
            return main(list(argv))
        finally:
            if proxy.obj is not None:
                proxy.obj.close()
            proxy.initialize(None)


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    path = tmp_path / "demo.db"
    assert run("seed-demo", "--db", str(path)) == 0
    return path


def test_staff_add_list_disable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "new.db")  # the first account creates the file
    code = run(
        "staff",
        "add",
        "chef",
        "--name",
        "Cheffe de service",
        "--role",
        "administrator",
        "--passphrase-stdin",
        "--db",
        db,
        stdin="a long enough passphrase\n",
        monkeypatch=monkeypatch,
    )
    assert code == 0
    assert run(
        "staff", "add", "m.durand", "--role", "mobility_manager", "--campus", "Luminy",
        "--university", "University of California, Berkeley", "--os-user", "mdurand",
        "--db", db,
    ) == 0  # fmt: skip
    assert run("staff", "add", "r.x", "--role", "receptionist", "--db", db) == 1
    err = capsys.readouterr().err
    assert "name the receptionist's residences" in err
    assert run("staff", "list", "--db", db) == 0
    out = capsys.readouterr().out
    assert "chef\tCheffe de service\tadministrator\teverything\tpassphrase\tactive" in out
    assert (
        "m.durand\tm.durand\tmobility manager\tcampuses: Luminy; universities: University of "
        "California, Berkeley\tos:mdurand\tactive"
    ) in out
    assert run("staff", "disable", "m.durand", "--db", db) == 0
    assert run("staff", "disable", "m.durand", "--db", db) == 1
    connection = sqlite3.connect(db)
    try:
        hashed = connection.execute("SELECT passphrase_hash FROM staff WHERE username = 'chef'")
        assert hashed.fetchone()[0].startswith("scrypt$")
        assert "a long enough passphrase" not in "\n".join(connection.iterdump())
    finally:
        connection.close()


def test_export_from_the_command_line(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "pipeline.csv"
    assert run("export", "pipeline", "--db", str(demo), "--out", str(out)) == 0
    rows = read_csv(out)
    assert len(rows) == 301  # every demo reservation, and the header
    assert run("export", "audit", "--db", str(demo), "--out", str(tmp_path / "a.csv")) == 0
    assert run("export", "keylog", "--db", str(demo), "--out", str(tmp_path / "k.csv")) == 0
    assert run(
        "export", "arrivals", "--db", str(demo), "--out", str(tmp_path / "ar.csv"),
        "--date", "2026-11-23", "--residence", "gaston-berger",
    ) == 0  # fmt: skip
    assert len(read_csv(tmp_path / "ar.csv")) > 1
    assert run("export", "audit", "--db", str(demo), "--out", str(demo)) == 1


def test_audit_verify_intact_then_tampered(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("audit", "verify", "--db", str(demo)) == 0
    assert "audit log intact:" in capsys.readouterr().out
    connection = sqlite3.connect(demo)
    try:
        (entry,) = connection.execute("SELECT id FROM audit_log ORDER BY id LIMIT 1 OFFSET 3")
        connection.execute("DROP TRIGGER audit_log_no_update")  # what an attacker would do
        connection.execute("UPDATE audit_log SET actor = 'someone' WHERE id = ?", (entry[0],))
        connection.commit()
    finally:
        connection.close()
    assert run("audit", "verify", "--db", str(demo)) == 1
    err = capsys.readouterr().err
    assert f"audit log broken at entry #{entry[0]}: entry #{entry[0]} was changed" in err


def test_audit_verify_on_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("audit", "verify", "--db", str(tmp_path / "none.db")) == 1
    assert "no such database file" in capsys.readouterr().err
    assert not (tmp_path / "none.db").exists()


def test_the_command_line_account_is_recorded(demo: Path, tmp_path: Path) -> None:
    run("export", "pipeline", "--db", str(demo), "--out", str(tmp_path / "p.csv"))
    connection = sqlite3.connect(demo)
    try:
        last = connection.execute(
            "SELECT actor, action FROM audit_log ORDER BY id DESC LIMIT 1"
        ).fetchone()
    finally:
        connection.close()
    assert last == (f"os:{current_os_user()}", "export.pipeline")


# -- the search index ---------------------------------------------------------------------------

SEARCHES = ("dupont", "helene", "B-1", "universitat", "example.org", "zoe martin")


def searched(path: Path) -> dict[str, list[int]]:
    from crous_desk.store import search_index
    from crous_desk.store.db import connect

    database = connect(path)
    try:
        return {text: search_index.search(text) for text in SEARCHES}
    finally:
        database.close()
        proxy.initialize(None)


def test_reindex_rebuilds_an_emptied_search_index(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = searched(demo)
    assert all(before[text] for text in ("dupont", "helene", "B-1"))
    connection = sqlite3.connect(demo)
    try:
        connection.execute("DELETE FROM search_word")  # lost, or never built by a bulk load
        connection.commit()
    finally:
        connection.close()
    assert not any(searched(demo).values())
    capsys.readouterr()
    assert run("reindex", "--db", str(demo)) == 0
    assert "search index rebuilt (300 reservations)" in capsys.readouterr().out
    assert searched(demo) == before
    connection = sqlite3.connect(demo)
    try:
        last = connection.execute(
            "SELECT actor, action FROM audit_log ORDER BY id DESC LIMIT 1"
        ).fetchone()
    finally:
        connection.close()
    assert last == (f"os:{current_os_user()}", "search.reindex")


def test_reindex_is_for_administrators_only(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from crous_desk.base.errors import Refused
    from crous_desk.office.setup import reindex
    from crous_desk.store.db import connect
    from crous_desk.store.models import Staff

    assert run("reindex", "--db", str(demo)) == 0  # the command line's account: an administrator
    database = connect(demo)
    try:
        receptionist = Desk(Staff.get(Staff.username == "accueil"), FixedClock(MONDAY_10H))
        with pytest.raises(Refused, match="a receptionist cannot set up residences"):
            reindex(receptionist)
        Staff.update(active=False).where(Staff.username.startswith("os:")).execute()
    finally:
        database.close()
        proxy.initialize(None)
    capsys.readouterr()
    assert run("reindex", "--db", str(demo)) == 1  # its account disabled by an administrator
    assert "is not the command line's" in capsys.readouterr().err
