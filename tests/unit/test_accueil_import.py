"""Importing the "Accueil" list from the command line: every bad row reported with its line and
reason and nothing imported; --skip-invalid imports the good rows and writes the rejected ones;
importing the same file again changes nothing."""

from __future__ import annotations

import csv
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine

from crous_desk.base.errors import Refused
from crous_desk.cli.main import main
from crous_desk.office import accueil
from crous_desk.people.auth import current_os_user
from crous_desk.store.models import db as proxy
from tests.factories import MONDAY_10H

HEADER = (
    "student_number;ine;last_name;first_name;email;phone;home_university;campus;"
    "academic_year;semester;arrival;departure"
)
GOOD = [
    "HD-1001;0123456789A;Dupont;Hélène;helene@example.org;;Universität Heidelberg;Luminy;"
    "2026-2027;1;01/09/2026;31/01/2027",
    "HD-1002;;Nowak;Łukasz;;;Universität Heidelberg;Luminy;2026-2027;2;2027-01-15;2027-06-30",
    'UL-77;123456789AB;"O\'Brien, Jr";Siobhán;;+353 1;Universidade de Lisboa;Aix;2026-2027;S1;'
    "01/09/2026;15/12/2026",
]


@pytest.fixture(autouse=True)
def _unbind() -> Iterator[None]:
    yield
    if proxy.obj is not None:
        proxy.obj.close()
    proxy.initialize(None)


def run(*argv: str) -> int:
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


def dump(path: Path) -> str:
    connection = sqlite3.connect(path)
    try:
        return "\n".join(connection.iterdump())
    finally:
        connection.close()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "desk.db"
    assert run("migrate", "--db", str(path)) == 0
    return path


def write(tmp_path: Path, *lines: str, name: str = "accueil.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def test_good_rows_are_imported_as_students_and_requested_stays(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("import-accueil", str(write(tmp_path, *GOOD)), "--db", str(db)) == 0
    out = capsys.readouterr().out
    assert "3 new students" in out and "3 new stays" in out
    rows = query(
        db,
        "SELECT s.last_name, s.ine, s.student_number, s.semester, r.status, r.lease_start, "
        "r.lease_end FROM reservation r JOIN student s ON s.id = r.student_id ORDER BY s.id",
    )
    assert rows == [
        ("Dupont", "0123456789A", "HD-1001", 1, "requested", "2026-09-01", "2027-01-31"),
        ("Nowak", None, "HD-1002", 2, "requested", "2027-01-15", "2027-06-30"),
        ("O'Brien, Jr", "123456789AB", "UL-77", 1, "requested", "2026-09-01", "2026-12-15"),
    ]
    actors = {a for (a,) in query(db, "SELECT DISTINCT actor FROM audit_log")}
    assert actors == {f"os:{current_os_user()}"}  # the command line's account
    assert query(db, "SELECT count(DISTINCT reservation_id) FROM search_word") == [(3,)]


def test_every_bad_row_is_reported_and_nothing_is_imported(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = dump(db)
    source = write(
        tmp_path,
        GOOD[0],
        "HD-1003;12345;Martin;Léa;;;Universität Heidelberg;;2026-2027;1;01/09/2026;31/01/2027",
        "HD-1004;;;Zoé;not-an-email;;Universität Heidelberg;;2026-2026;3;31/02/2027;01/01/2027",
        GOOD[1],
        "HD-1001;;Dupont;Hélène;;;Universität Heidelberg;;2026-2027;1;01/09/2026;31/01/2027",
        "HD-1005;;Short;Row",
    )
    assert run("import-accueil", str(source), "--db", str(db)) == 1
    err = capsys.readouterr().err
    assert "line 3: '12345' is not an INE" in err
    assert "line 4: last_name is empty" in err
    assert "not an e-mail address" in err
    assert "academic year '2026-2026'" in err and "semester '3'" in err
    assert "arrival: '31/02/2027' is not a date" in err
    assert "line 6: student number HD-1001 is also on line 2" in err
    assert "line 7: 4 fields where the header names 12" in err
    assert "nothing imported: 4 bad rows of 6" in err
    assert "Traceback" not in err
    assert dump(db) == before


def test_skip_invalid_imports_the_good_rows_and_writes_the_rejected_ones(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = "HD-1003;12345;=cmd|' /C calc'!A0;Léa;;;Universität Heidelberg;;2026-2027;1;;"
    source = write(tmp_path, GOOD[0], bad, GOOD[1])
    assert run("import-accueil", str(source), "--db", str(db), "--skip-invalid") == 3
    captured = capsys.readouterr()
    assert "2 new students" in captured.out
    rejected = tmp_path / "accueil.rejected.csv"
    assert "1 row rejected, written to" in captured.err and str(rejected) in captured.err
    with rejected.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:4] == ["line", "codes", "reasons", "student_number"]
    assert rows[1][0] == "3" and "ine_invalid" in rows[1][1].split()
    assert "is not an INE" in rows[1][2]
    assert rows[1][5] == "'=cmd|' /C calc'!A0"  # a formula is written as text
    assert query(db, "SELECT count(*) FROM student") == [(2,)]


def test_the_rejected_rows_carry_codes_and_french_reasons(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A script reads the codes whatever the language; a person reads the reasons in theirs."""
    bad = "HD-1003;12345;Bauer;Léa;;;Universität Heidelberg;;2026-2027;7;;"
    source = write(tmp_path, GOOD[0], bad)
    assert (
        run("--lang", "fr", "import-accueil", str(source), "--db", str(db), "--skip-invalid") == 3
    )
    assert "1 ligne refusée, écrite dans" in capsys.readouterr().err
    with (tmp_path / "accueil.rejected.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    codes = rows[1][1].split()
    assert "ine_invalid" in codes and "semester_invalid" in codes
    assert "n'est pas un INE" in rows[1][2] and "semestre '7'" in rows[1][2]
    assert query(db, "SELECT count(*) FROM student") == [(1,)]


def test_importing_the_same_file_again_changes_nothing(db: Path, tmp_path: Path) -> None:
    source = write(tmp_path, *GOOD)
    assert run("import-accueil", str(source), "--db", str(db)) == 0
    before = dump(db)
    assert run("import-accueil", str(source), "--db", str(db)) == 0
    assert dump(db) == before


def test_a_student_is_matched_by_ine_or_by_student_number(db: Path, tmp_path: Path) -> None:
    assert run("import-accueil", str(write(tmp_path, *GOOD)), "--db", str(db)) == 0
    audit_before = query(db, "SELECT count(*) FROM audit_log")[0][0]
    changed = write(
        tmp_path,
        # same number, the INE now known and a new e-mail: the same student, updated
        "HD-1002;9876543210B;Nowak;Łukasz;lukasz@example.org;;Universität Heidelberg;Luminy;"
        "2026-2027;2;2027-01-15;2027-06-30",
        # same INE, no number in this list: the same student, nothing new
        ";0123456789A;Dupont;Hélène;helene@example.org;;Universität Heidelberg;Luminy;"
        "2026-2027;1;01/09/2026;31/01/2027",
        name="second.csv",
    )
    assert run("import-accueil", str(changed), "--db", str(db)) == 0
    assert query(db, "SELECT count(*) FROM student") == [(3,)]
    assert query(db, "SELECT ine, email FROM student WHERE student_number = 'HD-1002'") == [
        ("9876543210B", "lukasz@example.org")
    ]
    actions = query(db, f"SELECT action FROM audit_log WHERE id > {audit_before} ORDER BY id")
    assert actions == [("student.update",)]


def test_conflicting_identifiers_are_refused(db: Path, tmp_path: Path) -> None:
    assert run("import-accueil", str(write(tmp_path, *GOOD)), "--db", str(db)) == 0
    clash = write(
        tmp_path,
        "HD-1002;0123456789A;Nowak;Łukasz;;;Universität Heidelberg;;2026-2027;2;"
        "2027-01-15;2027-06-30",
        name="clash.csv",
    )
    assert run("import-accueil", str(clash), "--db", str(db)) == 1


def test_a_bad_header_is_line_one() -> None:
    with pytest.raises(Refused) as refused:
        accueil.check("nom;prenom\nDupont;Hélène\n")
    text = str(refused.value)
    assert "line 1: unknown columns: 'nom', 'prenom'" in text
    assert "line 1: missing columns: last_name, first_name" in text


def test_commas_and_quotes_in_a_comma_separated_file(database) -> None:
    text = (
        "ine,last_name,first_name,home_university,academic_year,semester,arrival,departure\n"
        '0123456789A,"Núñez, de la Cruz",Ana,"University of California, Berkeley",2026-2027,1,'
        "2026-09-01,2027-01-31\n"
    )
    checked = accueil.check(text)
    assert not checked.bad
    assert checked.good[0].last_name == "Núñez, de la Cruz"
    assert checked.good[0].home_university == "University of California, Berkeley"


def test_a_long_import_shows_a_progress_bar(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [
        f"N-{i:04d};;Student{i};Test;;;Université Test;;2026-2027;1;2026-09-01;2027-01-31"
        for i in range(250)
    ]
    assert run("import-accueil", str(write(tmp_path, *lines)), "--db", str(db)) == 0
    err = capsys.readouterr().err
    assert "250/250 rows" in err
    assert query(db, "SELECT count(*) FROM reservation") == [(250,)]


def test_a_missing_database_or_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("import-accueil", str(tmp_path / "no.csv"), "--db", str(tmp_path / "x.db")) == 1
    err = capsys.readouterr().err
    assert err.startswith("crous-desk: cannot read") and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "x.db").exists()


def test_stay_dates_outside_the_academic_year_are_refused(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = dump(db)
    source = write(
        tmp_path,
        "HD-2001;;Far;Away;;;Universität Heidelberg;;2026-2027;1;01/09/0001;30/06/9999",
        "HD-2002;;Next;Year;;;Universität Heidelberg;;2026-2027;1;01/09/2027;31/01/2028",
    )
    assert run("import-accueil", str(source), "--db", str(db)) == 1
    err = capsys.readouterr().err
    assert "line 2: arrival: 01/09/0001 is out of range" in err
    assert "line 3: departure 31/01/2028 is outside the academic year 2026-2027" in err
    assert dump(db) == before
