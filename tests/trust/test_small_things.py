"""Issue 13, points 9 and 10: names from the database never reach a terminal raw; invisible
characters are refused in names too; passphrases that are guessed first are refused; an
Accueil file with 100,000 columns is refused at once; a rooms CSV never raises csv.Error."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from peewee import Database

from crous_desk.base.errors import Refused
from crous_desk.base.text import shown
from crous_desk.office import accueil
from crous_desk.people import auth
from crous_desk.rules.room_list import read_rooms
from crous_desk.store.models import Staff, Student
from tests import factories
from tests.trust.helpers import run

OSC52 = "\x1b]52;c;cm0gLXJmIH4K\x07"  # a clipboard write: "rm -rf ~"
CLEAR = "\x1b[2J"
BIDI = "\u202e"
ZERO_WIDTH = "\u200b"


# -- 9. output never trusts the database ------------------------------------------------------


def test_shown_makes_every_hidden_character_visible_and_inert() -> None:
    said = shown(f"Eve{OSC52}{CLEAR}{BIDI}gpj.exe{ZERO_WIDTH}\x85")
    assert not any(c in said for c in ("\x1b", "\x07", BIDI, ZERO_WIDTH, "\x85"))
    assert said.startswith("Eve\ufffd]52;c;") and said.count("\ufffd") == 6
    assert shown("Łukasz Nguyễn Østergaard") == "Łukasz Nguyễn Østergaard"


@pytest.mark.sqlite_only  # writes the SQLite file behind the desk's back
def test_names_already_in_the_file_come_back_shown(database: Database, db_path: Path) -> None:
    student = Student.create(first_name="Eve", last_name="Mallory")
    member = factories.staff("eve")
    raw = sqlite3.connect(db_path)
    raw.execute("UPDATE student SET last_name = ? WHERE id = ?", (f"M{OSC52}{BIDI}", student.id))
    raw.execute("UPDATE staff SET display_name = ? WHERE id = ?", (f"Eve{CLEAR}", member.id))
    raw.commit()
    raw.close()
    name = Student.get_by_id(student.id).full_name
    assert "\x1b" not in name and BIDI not in name and name.startswith("Eve M\ufffd")
    assert "\x1b" not in Staff.get_by_id(member.id).display_name


def test_the_staff_list_never_prints_an_escape(tmp_path: Path, capsys) -> None:
    db = tmp_path / "desk.db"
    assert run("migrate", "--db", db) == 0
    raw = sqlite3.connect(db)
    raw.execute(
        "INSERT INTO staff (username, display_name, role, active, created_at, failed_sign_ins)"
        " VALUES ('eve', ?, 'receptionist', 1, '2026-11-23T09:00:00.000000+00:00', 0)",
        (f"Eve{OSC52}{CLEAR}",),
    )
    raw.commit()
    raw.close()
    capsys.readouterr()
    assert run("staff", "list", "--db", db) == 0
    out = capsys.readouterr().out
    assert "Eve" in out and "\x1b" not in out and "\x07" not in out


@pytest.mark.parametrize("hidden", [BIDI, ZERO_WIDTH])
def test_invisible_characters_are_refused_in_names(database: Database, hidden: str) -> None:
    checked = accueil.check(
        "student_number;last_name;first_name;home_university;academic_year;semester;"
        f"arrival;departure\nH1;Klein{hidden};Eva;Heidelberg;2026-2027;1;01/09/2026;31/01/2027\n"
    )
    assert not checked.good and checked.bad[0].reasons[0].code == "text_control_characters"
    from crous_desk.base.clock import FixedClock
    from crous_desk.desk.context import Desk
    from crous_desk.people import staff

    admin = Desk(factories.staff("chef", role="administrator"), FixedClock(factories.MONDAY_10H))
    with pytest.raises(Refused) as refused:
        staff.add_staff(admin, "eve", f"Eve{hidden}", "receptionist", [("residence", "*")])
    assert "text_control_characters" in refused.value.codes


# -- 10. passphrases, the Accueil header, the rooms CSV --------------------------------------------


@pytest.mark.parametrize("weak", [" " * 10, "a" * 10, "password12", "1234567890", "azertyazerty"])
def test_passphrases_tried_first_are_refused(weak: str) -> None:
    problem = auth.passphrase_problem(weak)
    assert problem is not None and problem.code in ("passphrase_too_simple", "passphrase_common")


def test_the_username_is_not_a_passphrase() -> None:
    assert auth.passphrase_problem("m.durand2026", "m.durand") is not None


@pytest.mark.parametrize("good", ["correct horse battery", "deskpass10", "Tournesol-47-bleu"])
def test_ordinary_passphrases_are_accepted(good: str) -> None:
    assert auth.passphrase_problem(good) is None


def test_an_accueil_file_of_100000_columns_is_refused_at_once(tmp_path: Path) -> None:
    """Was quadratic (names.count per column): minutes. Run apart, so a regression fails
    by the timeout instead of holding the suite."""
    script = (
        "from crous_desk.rules.accueil import check\n"
        "from crous_desk.base.errors import Refused\n"
        "header = ';'.join(['last_name', 'first_name'] + ['x'] * 100_000)\n"
        "try:\n    check(header + '\\n')\nexcept Refused as refused:\n"
        "    print(refused.codes[0])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip() == "accueil_header"


ROOMS = "number;building;floor;kind;surface_m2;rent_eur;key_sets\n"


def test_a_lone_carriage_return_ends_a_line_of_the_rooms_csv() -> None:
    rows, problems = read_rooms(ROOMS + "B-1;B;1;studio;18;300;1\rB-2;B;1;studio;18;300;1\n")
    assert [r.number for r in rows] == ["B-1", "B-2"] and problems == []


def test_an_unreadable_rooms_csv_is_a_refusal_not_csv_error() -> None:
    rows, problems = read_rooms(ROOMS + "B-1;" + "x" * 200_000 + ";1;studio;18;300;1\n")
    assert rows == [] and [p.code for p in problems] == ["rooms_csv"]
