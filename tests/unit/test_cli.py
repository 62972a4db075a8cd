"""The command line: a clear line on stderr and a non-zero exit for bad input, never a
traceback; a deterministic demo data set."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import time_machine

from crous_desk import __version__
from crous_desk.cli.main import main
from crous_desk.store.models import RESERVATION_STATUSES
from crous_desk.store.models import db as proxy
from tests.factories import MONDAY_10H


@pytest.fixture(autouse=True)
def _unbind() -> Iterator[None]:
    """``main`` binds the models to the file it opens; close and unbind it after each test."""
    yield
    if proxy.obj is not None:
        proxy.obj.close()
    proxy.initialize(None)


def run(*argv: str) -> int:
    """Run the command at the fixed Monday, then close the file it opened."""
    with time_machine.travel(MONDAY_10H, tick=False):
        try:
            return main(list(argv))
        finally:
            if proxy.obj is not None:
                proxy.obj.close()
            proxy.initialize(None)


def query(path: Path, sql: str) -> list[tuple[object, ...]]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def demo_digest(path: Path) -> str:
    rows = query(
        path,
        "SELECT s.first_name, s.last_name, s.ine, r.reference, r.status, r.lease_start, "
        "r.lease_end, r.proposal_sent_at, rm.number "
        "FROM reservation r JOIN student s ON s.id = r.student_id "
        "LEFT JOIN room rm ON rm.id = r.room_id ORDER BY r.id",
    )
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def dump_digest(path: Path) -> str:
    connection = sqlite3.connect(path)
    try:
        return hashlib.sha256("\n".join(connection.iterdump()).encode()).hexdigest()
    finally:
        connection.close()


def assert_clean_failure(err: str) -> None:
    assert err.startswith("crous-desk: ")
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


# --- --version and --help --------------------------------------------------------------------


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"crous-desk {__version__}"


def test_the_command_answers_its_version_without_loading_the_desk() -> None:
    import subprocess
    import sys

    probe = (
        "import sys; from screens.entry import main; code = main(['--version']); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('peewee', 'textual', 'holidays') or m.startswith('crous_desk.')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out == [f"crous-desk {__version__}", "[]"]


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "usage: crous-desk" in out
    for command in ("run", "demo", "seed-demo", "migrate"):
        assert command in out


def test_help_is_answered_without_loading_the_database_layer() -> None:
    """``--help`` of the command and of each subcommand builds the parser only: no peewee, no
    driver, no holiday tables, no screen (they cost most of a second at start)."""
    import subprocess
    import sys

    probe = (
        "import contextlib, io, sys\n"
        "from screens.entry import main\n"
        "for argv in (['--help'], ['staff', 'add', '--help'], ['slips', '--help'],\n"
        "             ['export', '--help'], ['mail', 'send', '--help'], ['copy', '--help']):\n"
        "    with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        "        try:\n"
        "            main(argv)\n"
        "        except SystemExit as done:\n"
        "            assert done.code == 0, argv\n"
        "    assert 'usage: crous-desk' in out.getvalue(), argv\n"
        "heavy = ('peewee', 'playhouse', 'psycopg', 'textual', 'holidays', 'babel', 'screens')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy\n"
        "             and m not in ('screens', 'screens.entry')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out == ["[]"]


def test_an_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["frobnicate"])
    assert exit_.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_migrate_creates_an_up_to_date_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "sub" / "desk.db"
    assert run("migrate", "--db", str(path)) == 0
    assert "schema up to date" in capsys.readouterr().out
    migrations = Path(__file__).parents[2] / "crous_desk" / "store" / "migrations"
    expected = len(list(migrations.glob("[0-9]*.py")))
    assert len(query(path, "SELECT name FROM schema_migration")) == expected


# --- seed-demo -------------------------------------------------------------------------------


def test_seed_demo_is_deterministic(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first, second = tmp_path / "one.db", tmp_path / "two.db"
    assert run("seed-demo", "--db", str(first)) == 0
    assert "demo data written" in capsys.readouterr().out
    assert run("seed-demo", "--db", str(second)) == 0
    assert demo_digest(first) == demo_digest(second)
    assert query(first, "SELECT count(*) FROM reservation")[0][0] >= 100


def test_seed_demo_follows_the_day_it_is_run(tmp_path: Path) -> None:
    first, second = tmp_path / "one.db", tmp_path / "two.db"
    assert run("seed-demo", "--db", str(first)) == 0
    with time_machine.travel(MONDAY_10H + timedelta(days=1), tick=False):
        assert main(["seed-demo", "--db", str(second)]) == 0
    assert demo_digest(first) != demo_digest(second)


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    path = tmp_path / "demo.db"
    assert run("seed-demo", "--db", str(path)) == 0
    return path


def test_the_demo_has_helene_dupont_arriving_today(demo: Path) -> None:
    rows = query(
        demo,
        "SELECT r.lease_start, r.status, res.code FROM reservation r "
        "JOIN student s ON s.id = r.student_id JOIN room rm ON rm.id = r.room_id "
        "JOIN residence res ON res.id = rm.residence_id "
        "WHERE s.first_name = 'Hélène' AND s.last_name = 'Dupont'",
    )
    assert ("2026-11-23", "accepted", "gaston-berger") in rows  # Monday 23 Nov, Paris


def test_the_demo_has_every_reservation_status(demo: Path) -> None:
    statuses = {status for (status,) in query(demo, "SELECT DISTINCT status FROM reservation")}
    assert set(RESERVATION_STATUSES) <= statuses


def test_the_demo_has_proposals_about_to_expire(demo: Path) -> None:
    sent = [
        datetime.fromisoformat(text)
        for (text,) in query(
            demo, "SELECT proposal_sent_at FROM reservation WHERE status = 'proposed'"
        )
    ]
    deadlines = [s + timedelta(hours=120) for s in sent]
    soon = [d for d in deadlines if MONDAY_10H < d <= MONDAY_10H + timedelta(hours=24)]
    assert soon
    assert any(d <= MONDAY_10H for d in deadlines)  # and some already expired


def test_seed_demo_on_a_non_empty_file_changes_nothing(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = dump_digest(demo)
    capsys.readouterr()
    assert run("seed-demo", "--db", str(demo)) != 0
    captured = capsys.readouterr()
    assert_clean_failure(captured.err)
    assert "not empty" in captured.err
    assert captured.out == ""
    assert dump_digest(demo) == before


# --- bad paths and bad configuration ---------------------------------------------------------


@pytest.mark.parametrize("command", ["seed-demo", "migrate"])
def test_a_directory_is_not_a_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    assert run(command, "--db", str(tmp_path)) != 0
    err = capsys.readouterr().err
    assert_clean_failure(err)
    assert "is a directory" in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "content",
    [
        b"hello",
        b"name,ine\nHelene Dupont,0123456789A\n" * 200,
        bytes(range(256)) * 8,
    ],
    ids=["short-text", "csv", "binary"],
)
@pytest.mark.parametrize("command", ["seed-demo", "migrate"])
def test_a_file_that_is_not_a_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, command: str
) -> None:
    path = tmp_path / "notes.csv"
    path.write_bytes(content)
    assert run(command, "--db", str(path)) != 0
    err = capsys.readouterr().err
    assert_clean_failure(err)
    assert "cannot open as a crous-desk database" in err
    assert path.read_bytes() == content


@pytest.mark.parametrize(
    ("toml", "words"),
    [
        ('database = "unterminated\n', "not a valid TOML file"),
        ("[[[", "not a valid TOML file"),
        ('colour = "blue"\n', "unknown setting: colour"),
        ("residence = 3\n", "residence must be a string"),
    ],
)
def test_a_bad_configuration_file_is_a_usage_error(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    toml: str,
    words: str,
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(toml, encoding="utf-8")
    monkeypatch.setenv("CROUS_DESK_CONFIG", str(config))
    path = tmp_path / "desk.db"
    assert run("migrate", "--db", str(path)) == 2
    err = capsys.readouterr().err
    assert_clean_failure(err)
    assert str(config) in err
    assert words in err
    assert not path.exists()


def test_a_configuration_file_that_is_not_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_bytes(b"\xff\xfe\x00garbage")
    monkeypatch.setenv("CROUS_DESK_CONFIG", str(config))
    assert run("migrate", "--db", str(tmp_path / "desk.db")) == 2
    assert_clean_failure(capsys.readouterr().err)
