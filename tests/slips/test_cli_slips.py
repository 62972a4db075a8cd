"""``crous-desk slips``: a day's arrivals or one reservation into one PDF, optionally printed;
bad input gets one clear line on stderr, a non-zero exit, and nothing written."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from crous_desk.arrivals.appointments import SlotPolicy, book_appointment
from crous_desk.base.clock import FixedClock
from crous_desk.cli.main import EXIT_NOT_PRINTED, main
from crous_desk.services import Desk
from crous_desk.store.db import connect
from crous_desk.store.models import Residence
from crous_desk.store.models import db as proxy
from tests import factories
from tests.factories import MONDAY_10H
from tests.slips.conftest import pdf_pages, pdf_text, scan_page

PARIS = ZoneInfo("Europe/Paris")
TUESDAY = date(2026, 11, 24)


def at(hh: int, mm: int = 0, day: date = TUESDAY) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def _unbind() -> Iterator[None]:
    yield
    if proxy.obj is not None:
        proxy.obj.close()
    proxy.initialize(None)


@pytest.fixture
def desk_file(db_path: Path) -> dict[str, str]:
    """Arrivals on Tuesday 24/11: two appointments, one lease start without appointment; and
    three that are not Tuesday's arrivals. Returns the references by name."""
    database = connect(db_path)
    desk = Desk(factories.staff(), FixedClock(MONDAY_10H), factories.residence())
    policy = SlotPolicy()
    refs = {}
    early = factories.reservation(last="Zeller", lease_start=date(2026, 11, 23))
    book_appointment(desk, early.id, at(9, 30), policy)
    late = factories.reservation(last="Abadie", lease_start=date(2026, 11, 23))
    book_appointment(desk, late.id, at(15, 0), policy)
    walk_in = factories.reservation(last="Morel", lease_start=TUESDAY)
    elsewhere = factories.reservation(last="Costa", lease_start=TUESDAY)
    book_appointment(desk, elsewhere.id, at(10, 0, date(2026, 11, 25)), policy)
    factories.reservation(last="Blanc", lease_start=TUESDAY, status="proposed")
    other = Residence.create(
        code="cuques",
        name="Résidence Les Cuques",
        crous_code="aix-marseille",
        address="Avenue Jules Isaac, Aix",
        desk_phone="04 00 00 00 00",
    )
    far = factories.reservation(
        last="Faure", room_=factories.room(other, "C-001"), lease_start=TUESDAY
    )
    refs = {
        "early": early.reference,
        "late": late.reference,
        "walk_in": walk_in.reference,
        "elsewhere": elsewhere.reference,
        "far": far.reference,
    }
    database.close()
    proxy.initialize(None)
    return refs


def run(*argv: str) -> int:
    with time_machine.travel(MONDAY_10H, tick=False):
        return main(list(argv))


def one_clean_line(err: str) -> None:
    err = "".join(line for line in err.splitlines(True) if not line.startswith("[#"))
    assert err.startswith("crous-desk: ")
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_a_days_arrivals(desk_file, db_path, tmp_path, capsys) -> None:
    out = tmp_path / "tuesday.pdf"
    code = run(
        "slips",
        "--db",
        str(db_path),
        "--date",
        "2026-11-24",
        "--residence",
        "gaston-berger",
        "--out",
        str(out),
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert captured.out.strip() == f"{out}: 3 slips — 2 by appointment, 1 by lease start"
    assert captured.err.strip() == "[##############################] 3/3 slips"
    assert pdf_pages(out) == 3
    # appointments in time order, then lease starts
    text = pdf_text(out)
    positions = [text.index(desk_file[k]) for k in ("early", "late", "walk_in")]
    assert positions == sorted(positions)
    assert desk_file["elsewhere"] not in text and desk_file["far"] not in text
    assert scan_page(out, page=2)[0].split(":")[1] == desk_file["late"]


def test_without_residence_every_residence_counts(desk_file, db_path, tmp_path, capsys) -> None:
    out = tmp_path / "all.pdf"
    assert run("slips", "--db", str(db_path), "--date", "2026-11-24", "--out", str(out)) == 0
    assert pdf_pages(out) == 4
    assert desk_file["far"] in pdf_text(out)


def test_one_reservation(desk_file, db_path, tmp_path, capsys) -> None:
    out = tmp_path / "one.pdf"
    ref = desk_file["walk_in"]
    assert run("slips", "--db", str(db_path), "--reservation", ref.lower(), "--out", str(out)) == 0
    assert capsys.readouterr().out.strip() == f"{out}: the slip of {ref}"
    assert pdf_pages(out) == 1
    assert scan_page(out)[0].split(":")[1] == ref


def test_a_day_without_arrivals_writes_nothing(desk_file, db_path, tmp_path, capsys) -> None:
    out = tmp_path / "sunday.pdf"
    assert run("slips", "--db", str(db_path), "--date", "2026-11-29", "--out", str(out)) == 0
    assert "no arrivals on 2026-11-29: no PDF written" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize(
    ("argv", "status", "words"),
    [
        (["--date", "2026-13-01"], 2, "--date '2026-13-01' is not a date: write it as YYYY-MM-DD"),
        (["--date", "24/11/2026"], 2, "is not a date"),
        (["--date", "2026-11-24T10:00"], 2, "is not a date"),
        (["--reservation", "ZZZZZZ"], 1, "no reservation with reference 'ZZZZZZ'"),
        (["--reservation", "x" * 200], 1, "no reservation with reference"),
        (["--date", "2026-11-24", "--residence", "nowhere"], 1, "no residence 'nowhere'"),
    ],
)
def test_bad_input_writes_nothing(
    desk_file, db_path, tmp_path, capsys, argv, status, words
) -> None:
    out = tmp_path / "slips.pdf"
    assert run("slips", "--db", str(db_path), *argv, "--out", str(out)) == status
    err = capsys.readouterr().err
    one_clean_line(err)
    assert words in err
    assert not out.exists()


def test_an_unwritable_place_writes_nothing(desk_file, db_path, tmp_path, capsys) -> None:
    ref = desk_file["early"]
    missing_dir = tmp_path / "no" / "such" / "dir" / "slip.pdf"
    assert run("slips", "--db", str(db_path), "--reservation", ref, "--out", str(missing_dir)) == 1
    err = capsys.readouterr().err
    one_clean_line(err)
    assert f"cannot write {missing_dir}" in err
    assert run("slips", "--db", str(db_path), "--reservation", ref, "--out", str(tmp_path)) == 1
    err = capsys.readouterr().err
    one_clean_line(err)
    assert "is a directory" in err
    assert [p.name for p in tmp_path.rglob("*") if ".pdf" in p.name] == []  # no .part left


def test_a_path_that_cannot_be_written_writes_nothing(desk_file, db_path, tmp_path, capsys) -> None:
    """A parent that is a file, not a folder: unwritable even for root (CI runs as root)."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file", encoding="utf-8")
    code = run(
        "slips",
        "--db",
        str(db_path),
        "--reservation",
        desk_file["early"],
        "--out",
        str(blocker / "s.pdf"),
    )
    assert code == 1
    one_clean_line(capsys.readouterr().err)
    assert blocker.read_text(encoding="utf-8") == "a file"
    assert [p.name for p in tmp_path.rglob("*") if ".pdf" in p.name] == []


def test_the_database_and_other_files_are_never_overwritten(
    desk_file, db_path, tmp_path, capsys
) -> None:
    before = db_path.read_bytes()
    ref = desk_file["early"]
    assert run("slips", "--db", str(db_path), "--reservation", ref, "--out", str(db_path)) == 1
    assert "is the database" in capsys.readouterr().err
    notes = tmp_path / "notes.txt"
    notes.write_text("keep me", encoding="utf-8")
    assert run("slips", "--db", str(db_path), "--reservation", ref, "--out", str(notes)) == 1
    assert "exists already" in capsys.readouterr().err
    assert (
        run("slips", "--db", str(db_path), "--reservation", ref, "--out", str(notes), "--replace")
        == 1
    )
    assert "exists and is not a PDF" in capsys.readouterr().err
    assert notes.read_text(encoding="utf-8") == "keep me"
    assert db_path.read_bytes()[:100] == before[:100]


def test_a_missing_database_is_not_created(tmp_path, capsys) -> None:
    db = tmp_path / "nothing.db"
    out = tmp_path / "s.pdf"
    assert run("slips", "--db", str(db), "--date", "2026-11-24", "--out", str(out)) == 1
    err = capsys.readouterr().err
    one_clean_line(err)
    assert "no such database file" in err
    assert not db.exists() and not out.exists()


def test_date_or_reservation_is_required(db_path, tmp_path, capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["slips", "--db", str(db_path), "--out", str(tmp_path / "s.pdf")])
    assert exit_.value.code == 2
    assert "one of the arguments --date --reservation is required" in capsys.readouterr().err


# --- printing ----------------------------------------------------------------------------------


@pytest.fixture
def fake_lp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An ``lp`` that records its arguments (and fails for the printer "jammed")."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "lp.log"
    lp = bin_dir / "lp"
    lp.write_text(
        "#!/bin/sh\n"
        f'echo "$@" >> "{log}"\n'
        'if [ "$2" = jammed ]; then\n'
        '  echo "lp: The printer or class does not exist." >&2; exit 1\n'
        "fi\n"
        'echo "request id is $2-42 (1 file(s))"\n',
        encoding="utf-8",
    )
    lp.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    return log


def test_print_sends_the_pdf_to_the_configured_printer(
    desk_file, db_path, tmp_path, capsys, fake_lp, monkeypatch
) -> None:
    monkeypatch.setenv("CROUS_DESK_PRINTER", "accueil-laser")
    out = tmp_path / "s.pdf"
    code = run(
        "slips",
        "--db",
        str(db_path),
        "--reservation",
        desk_file["early"],
        "--out",
        str(out),
        "--print",
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert fake_lp.read_text(encoding="utf-8").split() == [
        "-d",
        "accueil-laser",
        str(out.resolve()),
    ]
    assert "sent to accueil-laser: request id is accueil-laser-42" in captured.out


def test_printer_option_overrides_the_configuration(
    desk_file, db_path, tmp_path, fake_lp, monkeypatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('printer = "accueil-laser"\n', encoding="utf-8")
    monkeypatch.setenv("CROUS_DESK_CONFIG", str(config))
    out = tmp_path / "s.pdf"
    assert (
        run(
            "slips",
            "--db",
            str(db_path),
            "--reservation",
            desk_file["early"],
            "--out",
            str(out),
            "--print",
            "--printer",
            "bureau",
        )
        == 0
    )
    assert fake_lp.read_text(encoding="utf-8").split()[:2] == ["-d", "bureau"]


def test_print_without_a_printer_still_writes_the_pdf(
    desk_file, db_path, tmp_path, capsys, fake_lp, monkeypatch
) -> None:
    monkeypatch.delenv("CROUS_DESK_PRINTER", raising=False)
    out = tmp_path / "s.pdf"
    code = run(
        "slips",
        "--db",
        str(db_path),
        "--reservation",
        desk_file["early"],
        "--out",
        str(out),
        "--print",
    )
    assert code == EXIT_NOT_PRINTED == 3
    err = capsys.readouterr().err
    one_clean_line(err)
    assert "no printer is configured" in err and str(out) in err
    assert pdf_pages(out) == 1
    assert not fake_lp.exists()


def test_print_without_lp_still_writes_the_pdf(
    desk_file, db_path, tmp_path, capsys, monkeypatch
) -> None:
    monkeypatch.setenv("CROUS_DESK_PRINTER", "accueil-laser")
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    out = tmp_path / "s.pdf"
    code = run(
        "slips",
        "--db",
        str(db_path),
        "--reservation",
        desk_file["early"],
        "--out",
        str(out),
        "--print",
    )
    assert code == EXIT_NOT_PRINTED
    err = capsys.readouterr().err
    one_clean_line(err)
    assert "the lp command (CUPS) is not installed" in err
    assert pdf_pages(out) == 1


def test_a_printer_error_is_reported(
    desk_file, db_path, tmp_path, capsys, fake_lp, monkeypatch
) -> None:
    monkeypatch.setenv("CROUS_DESK_PRINTER", "jammed")
    out = tmp_path / "s.pdf"
    code = run(
        "slips",
        "--db",
        str(db_path),
        "--reservation",
        desk_file["early"],
        "--out",
        str(out),
        "--print",
    )
    assert code == EXIT_NOT_PRINTED
    err = capsys.readouterr().err
    one_clean_line(err)
    assert "printing on jammed failed (lp: The printer or class does not exist.)" in err
    assert out.exists()


def test_the_pdf_is_an_ordinary_file(desk_file, db_path, tmp_path) -> None:
    out = tmp_path / "one.pdf"
    assert (
        run("slips", "--db", str(db_path), "--reservation", desk_file["early"], "--out", str(out))
        == 0
    )
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o640 & ~mask  # never readable by others
