"""Setting up a real residence: the residence, its closures, its rooms and key sets."""

from __future__ import annotations

from pathlib import Path

import pytest

from crous_desk.cli.main import main
from crous_desk.store.models import AuditLog, Closure, KeySet, Residence, Room
from crous_desk.store.models import db as proxy

HEADER = "number;building;floor;kind;surface_m2;rent_eur;key_sets"


@pytest.fixture
def db_file(database, db_path: Path) -> str:
    proxy.close()
    return str(db_path)


def add_luminy(db_file: str) -> int:
    return main(
        [
            "residence",
            "add",
            "luminy",
            "--name",
            "Résidence de Luminy",
            "--crous",
            "aix-marseille",
            "--address",
            "163 avenue de Luminy, 13009 Marseille",
            "--phone",
            "04 91 26 83 00",
            "--opening",
            "08:30",
            "--db",
            db_file,
        ]
    )


def test_a_residence_its_rooms_and_closures_from_the_command_line(
    db_file: str, tmp_path: Path
) -> None:
    assert add_luminy(db_file) == 0
    residence = Residence.get(Residence.code == "luminy")
    assert (residence.crous_code, residence.opening, residence.timezone) == (
        "aix-marseille",
        "08:30",
        "Europe/Paris",
    )
    rooms = tmp_path / "rooms.csv"
    rooms.write_text(
        f"{HEADER}\nB-112;B;1;renovated;12;210;1\nc-201;;2;flat_t2;44,5;340;2\n", encoding="utf-8"
    )
    assert main(["rooms", "import", str(rooms), "--residence", "luminy", "--db", db_file]) == 0
    assert [r.number for r in Room.select().order_by(Room.number)] == ["B-112", "C-201"]
    assert KeySet.select().join(Room).where(Room.number == "C-201").count() == 2
    assert main(["rooms", "import", str(rooms), "--residence", "luminy", "--db", db_file]) == 0
    assert Room.select().count() == 2  # the same file again changes nothing
    assert (
        main(
            [
                "residence",
                "closure",
                "luminy",
                "--from",
                "21/12/2026",
                "--to",
                "02/01/2027",
                "--reason",
                "Christmas break",
                "--db",
                db_file,
            ]
        )
        == 0
    )
    assert Closure.select().count() == 1
    assert AuditLog.select().where(AuditLog.action.startswith("residence.")).count() == 2


def test_bad_rooms_are_each_reported_and_nothing_is_imported(
    db_file: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert add_luminy(db_file) == 0
    rooms = tmp_path / "rooms.csv"
    rooms.write_text(
        f"{HEADER}\nB-112;B;1;renovated;12;210;1\nB 1;B;x;castle;3;-1;9\n"
        "B-112;B;1;traditional;8;133;1\n",
        encoding="utf-8",
    )
    assert main(["rooms", "import", str(rooms), "--residence", "luminy", "--db", db_file]) == 1
    err = capsys.readouterr().err
    assert "line 3: room number 'B 1'" in err and "kind 'castle'" in err
    assert "line 4: room B-112 is also on line 2" in err
    assert "8 m² is under the 9 m² minimum" in err
    assert "Traceback" not in err
    assert Room.select().count() == 0


def test_a_bad_residence_is_refused_with_every_reason(
    db_file: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "residence",
            "add",
            "Luminy!",
            "--name",
            "x",
            "--crous",
            "nowhere",
            "--address",
            "",
            "--phone",
            "1",
            "--opening",
            "17:30",
            "--db",
            db_file,
        ]
    )
    err = capsys.readouterr().err
    assert code == 1
    for words in ("code 'Luminy!'", "CROUS 'nowhere'", "address is required", "opening"):
        assert words in err
    assert Residence.select().count() == 0


ACCUEIL = (
    "student_number;ine;last_name;first_name;email;phone;home_university;campus;"
    "academic_year;semester;arrival;departure\n"
    "HD-1001;0123456789A;Dupont;Hélène;helene@example.org;;Universität Heidelberg;Luminy;"
    "2026-2027;1;01/09/2026;31/01/2027\n"
)


def test_from_an_empty_file_to_a_proposal_with_the_command_line(
    db_file: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A real start: the residence, its rooms, the Accueil list, then the CROUS proposal."""
    import time_machine

    from tests.factories import MONDAY_10H

    traveller = time_machine.travel(MONDAY_10H, tick=False)
    traveller.start()
    try:
        _from_empty_to_proposal(db_file, tmp_path, capsys)
    finally:
        traveller.stop()


def _from_empty_to_proposal(db_file: str, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from crous_desk.store.models import Reservation

    assert add_luminy(db_file) == 0
    rooms = tmp_path / "rooms.csv"
    rooms.write_text(f"{HEADER}\nB-112;B;1;renovated;12;210;1\n", encoding="utf-8")
    assert main(["rooms", "import", str(rooms), "--residence", "luminy", "--db", db_file]) == 0
    accueil = tmp_path / "accueil.csv"
    accueil.write_text(ACCUEIL, encoding="utf-8")
    assert main(["import-accueil", str(accueil), "--db", db_file]) == 0
    request = Reservation.get()
    assert request.status == "requested" and request.room_id is None
    assert (
        main(
            [
                "proposal",
                "send",
                request.reference,
                "--room",
                "b-112",
                "--residence",
                "luminy",
                "--sent",
                "23/11/2026 09:00",
                "--db",
                db_file,
            ]
        )
        == 0
    )
    sent = Reservation.get_by_id(request.id)
    assert sent.status == "proposed" and sent.room.number == "B-112"
    assert sent.proposal_sent_at.isoformat() == "2026-11-23T08:00:00+00:00"
    capsys.readouterr()
    # a second request for the same room and days: first come, first served
    accueil.write_text(
        ACCUEIL.replace("HD-1001;0123456789A;Dupont;Hélène", "HD-1002;0123456789B;Nowak;Łukasz"),
        encoding="utf-8",
    )
    assert main(["import-accueil", str(accueil), "--db", db_file]) == 0
    second = Reservation.select().order_by(Reservation.id.desc()).get()
    assert (
        main(
            [
                "proposal",
                "send",
                second.reference,
                "--room",
                "B-112",
                "--residence",
                "luminy",
                "--db",
                db_file,
            ]
        )
        == 1
    )
    assert "already promised" in capsys.readouterr().err
    assert Reservation.get_by_id(second.id).status == "requested"
