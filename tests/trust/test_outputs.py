"""Issue 13, point 5 and "outputs never clobber": every file crous-desk writes refuses an
existing file unless told to replace it, refuses links, devices, pipes and the database's own
files even then, appears whole (no ``.part`` left, even after a killed run) and is private."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from crous_desk.base import files
from crous_desk.base.errors import Refused
from tests.trust.helpers import run


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "desk.db"
    assert run("migrate", "--db", path) == 0
    return path


def export(db: Path, out: Path, *extra: str) -> int:
    return run("export", "audit", "--db", db, "--out", out, *extra)


def test_an_existing_file_is_refused_unless_replace_is_said(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "audit.csv"
    out.write_text("keep me", encoding="utf-8")
    assert export(db, out) == 1
    err = capsys.readouterr().err
    assert "exists already" in err and err.count("\n") == 1
    assert out.read_text(encoding="utf-8") == "keep me"
    assert export(db, out, "--replace") == 0
    assert out.read_text(encoding="utf-8-sig").startswith("id,")


@pytest.mark.parametrize("side", ["-wal", "-shm", ".migrate-lock"])
def test_the_database_s_own_files_are_refused_even_with_replace(
    db: Path, side: str, capsys: pytest.CaptureFixture[str]
) -> None:
    target = Path(f"{db}{side}")
    assert export(db, target, "--replace") == 1
    assert "database's own files" in capsys.readouterr().err
    assert not target.exists() or not target.read_bytes().startswith(b"\xef\xbb\xbfid,")
    assert run("audit", "verify", "--db", db) == 0  # the database is whole


def test_links_pipes_and_directories_are_refused(db: Path, tmp_path: Path) -> None:
    precious = tmp_path / "precious.txt"
    precious.write_text("system file", encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(precious)
    pipe = tmp_path / "pipe.csv"
    os.mkfifo(pipe)
    for target in (link, pipe):
        assert export(db, target, "--replace") == 1
    assert precious.read_text(encoding="utf-8") == "system file"
    assert link.is_symlink() and stat.S_ISFIFO(pipe.lstat().st_mode)
    assert export(db, tmp_path, "--replace") == 1


def test_an_export_is_private_and_leaves_no_part_file(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "audit.csv"
    assert export(db, out) == 0
    assert stat.S_IMODE(out.stat().st_mode) & 0o007 == 0  # others read nothing
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_a_killed_run_s_part_file_is_removed_by_the_next_write(tmp_path: Path) -> None:
    out = tmp_path / "slips.pdf"
    dead = tmp_path / f".slips.pdf.{2**22 + 12345}.abcd.part"  # a pid no process has
    dead.write_bytes(b"half a PDF")
    alive = tmp_path / f".slips.pdf.{os.getpid()}.efgh.part"  # being written right now
    alive.write_bytes(b"in progress")
    files.write_bytes(out, b"%PDF-")
    assert not dead.exists() and alive.exists()


def test_a_file_that_appears_while_writing_is_not_overwritten(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    with pytest.raises(Refused) as refused:
        with files.safe_output(out) as handle:
            handle.write(b"mine")
            out.write_bytes(b"someone else's")
    assert refused.value.codes == ("file_exists",)
    assert out.read_bytes() == b"someone else's"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_free_name_never_names_an_existing_file(tmp_path: Path) -> None:
    (tmp_path / "slip.pdf").touch()
    (tmp_path / "slip-2.pdf").touch()
    assert files.free_name(tmp_path / "slip.pdf") == tmp_path / "slip-3.pdf"
