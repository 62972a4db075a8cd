"""Issue 13: the edges of the safe writer, the failure wording and the person look-ups — a
missing folder, a file system without hard links, a process of someone else's, a full disk
said by the file system, a student found by INE or not at all."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from peewee import Database

from crous_desk.base import files
from crous_desk.base.errors import Refused
from crous_desk.office import personal_data
from crous_desk.store.failures import database_refusal
from crous_desk.store.models import Student
from tests import factories


def test_a_missing_folder_is_a_refusal(tmp_path: Path) -> None:
    with pytest.raises(Refused) as refused:
        files.write_bytes(tmp_path / "no" / "such" / "folder.csv", b"x")
    assert refused.value.codes == ("not_writable",)


def test_a_file_system_without_hard_links_still_gets_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(source: object, target: object) -> None:
        raise OSError(errno.EPERM, "hard links not supported")

    monkeypatch.setattr(files.os, "link", no_links)
    out = files.write_bytes(tmp_path / "out.csv", b"whole")
    assert out.read_bytes() == b"whole"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_a_part_file_of_a_running_process_of_someone_else_is_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def someone_else(pid: int, signal: int) -> None:
        raise PermissionError(errno.EPERM, "not yours")

    monkeypatch.setattr(files.os, "kill", someone_else)
    part = tmp_path / ".out.csv.4242.abcd.part"
    part.write_bytes(b"theirs")
    assert files.remove_stale_parts(tmp_path / "out.csv") == 0
    assert part.exists()


def test_a_full_disk_said_by_the_file_system_is_disk_full() -> None:
    refusal = database_refusal(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
    assert refusal is not None and refusal.codes == ("disk_full",)


@pytest.mark.parametrize(
    ("said", "code"),
    [
        ("attempt to write a readonly database", "database_read_only"),
        ("unable to open database file", "database_unreachable"),
        ("database disk image is malformed", "database_damaged"),
        ("database is locked", "database_busy"),
    ],
)
def test_each_state_of_the_file_has_its_code(said: str, code: str) -> None:
    import sqlite3

    refusal = database_refusal(sqlite3.OperationalError(said))
    assert refusal is not None and refusal.codes == (code,)
    assert database_refusal(refusal) is refusal  # a refusal stays itself


def test_a_student_is_found_by_reference_or_ine_or_refused(database: Database) -> None:
    stay = factories.reservation(ine="0123456789A")
    assert personal_data.find_student(reference=stay.reference.lower()).id == stay.student_id
    assert personal_data.find_student(ine=" 0123456789a ").id == stay.student_id
    for kwargs in ({"reference": "NOPE99"}, {"ine": "9999999999Z"}):
        with pytest.raises(Refused) as refused:
            personal_data.find_student(**kwargs)
        assert refused.value.codes == ("not_found",)
    assert Student.select().count() == 1
