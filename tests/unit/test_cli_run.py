"""``crous-desk run`` and ``crous-desk demo`` up to the interface: which file, which residence,
who is signed in, what the interface is handed; and one clear line, never a traceback, when
something goes wrong on the way."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import platformdirs
import pytest
import time_machine

from crous_desk.cli.main import EXIT_REFUSED, EXIT_USAGE, main
from crous_desk.people import auth
from crous_desk.store.db import connect
from crous_desk.store.models import Reservation, Residence, Staff
from crous_desk.store.models import db as proxy
from tests import factories
from tests.factories import MONDAY_10H


class Interface:
    """Stands for the terminal interface: records what it was handed, answers ``code``."""

    def __init__(self, code: int = 0, raises: BaseException | None = None) -> None:
        self.code = code
        self.raises = raises
        self.calls: list[dict[str, Any]] = []

    def __call__(self, **kwargs: Any) -> int:
        self.calls.append(
            {
                "actor": kwargs["actor"].username if kwargs["actor"] else None,
                "residence": kwargs["residence"].code if kwargs["residence"] else None,
                "config": kwargs["config"],
            }
        )
        if self.raises is not None:
            raise self.raises
        return self.code


@pytest.fixture(autouse=True)
def _unbind() -> Iterator[None]:
    yield
    if proxy.obj is not None:
        proxy.obj.close()
    proxy.initialize(None)


def run(*argv: str, interface: Interface | None = None) -> int:
    with time_machine.travel(MONDAY_10H, tick=False):
        try:
            return main(list(argv), launcher=interface)
        finally:
            if proxy.obj is not None:
                proxy.obj.close()
            proxy.initialize(None)


def one_line(err: str) -> str:
    assert err.startswith("crous-desk: ") and "Traceback" not in err, err
    assert len(err.strip().splitlines()) == 1, err
    return err.strip().removeprefix("crous-desk: ")


@pytest.fixture
def desk_file(tmp_path: Path) -> Path:
    """Two residences and an account that can sign in with a passphrase."""
    path = tmp_path / "desk.db"
    database = connect(path)
    try:
        factories.residence()
        factories.residence("saint-jerome", "Résidence Saint-Jérôme")
        member = factories.staff("accueil")
        Staff.update(passphrase_hash=auth.hash_passphrase("deskpass10")).where(
            Staff.id == member.id
        ).execute()
    finally:
        database.close()
        proxy.initialize(None)
    return path


def test_run_hands_the_interface_the_residence_and_nobody_signed_in(
    desk_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    interface = Interface(code=0)
    assert (
        run("run", "--db", str(desk_file), "--residence", "saint-jerome", interface=interface) == 0
    )
    assert run("--db", str(desk_file), interface=interface) == 0  # run is the default command
    assert [(c["actor"], c["residence"]) for c in interface.calls] == [
        (None, "saint-jerome"),  # the sign-in screen asks who works here
        (None, None),  # two residences and none named: the account's own decides
    ]


def test_an_unknown_residence_names_the_known_ones(
    desk_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    interface = Interface()
    code = run("run", "--db", str(desk_file), "--residence", "nowhere", interface=interface)
    assert code == EXIT_REFUSED
    assert one_line(capsys.readouterr().err) == (
        "no residence 'nowhere' in this database (known: gaston-berger, saint-jerome)"
    )
    assert interface.calls == []


def test_without_an_interface_the_core_says_so(
    desk_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("run", "--db", str(desk_file)) == EXIT_REFUSED
    assert "terminal interface is not available" in one_line(capsys.readouterr().err)


def test_sign_in_off_opens_as_the_desk_user(
    desk_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    interface = Interface()
    argv = ("run", "--db", str(desk_file), "--residence", "gaston-berger", "--sign-in", "off")
    assert run(*argv, interface=interface) == 0
    assert interface.calls[0]["actor"] == interface.calls[0]["config"].desk_user
    assert interface.calls[0]["residence"] == "gaston-berger"


def test_the_file_comes_from_the_environment_then_the_configuration(
    desk_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    interface = Interface()
    monkeypatch.setenv("CROUS_DESK_DB", str(desk_file))
    assert run("run", "--residence", "gaston-berger", interface=interface) == 0
    monkeypatch.delenv("CROUS_DESK_DB")
    config = tmp_path / "config.toml"
    config.write_text(f'database = "{desk_file}"\nresidence = "saint-jerome"\n')
    monkeypatch.setenv("CROUS_DESK_CONFIG", str(config))
    assert run("run", interface=interface) == 0
    assert [c["residence"] for c in interface.calls] == ["gaston-berger", "saint-jerome"]


def test_with_nothing_configured_the_file_is_in_the_users_data_folder(
    capsys: pytest.CaptureFixture[str],
) -> None:
    expected = Path(platformdirs.user_data_dir("crous-desk", appauthor=False)) / "crous-desk.db"
    assert not expected.exists()
    assert run("migrate") == 0
    assert expected.is_file()
    assert f"{expected}: schema up to date" in capsys.readouterr().out


def test_the_demo_seeds_once_and_signs_in_as_the_demo_receptionist(tmp_path: Path) -> None:
    interface = Interface()
    path = tmp_path / "demo.db"
    assert run("demo", "--db", str(path), interface=interface) == 0
    connect(path)
    reservations = Reservation.select().count()
    proxy.obj.close()
    proxy.initialize(None)
    assert reservations > 0
    assert run("demo", "--db", str(path), "--user", "s.laurent", interface=interface) == 0
    connect(path)
    assert Reservation.select().count() == reservations  # not seeded twice
    assert [(c["actor"], c["residence"]) for c in interface.calls] == [
        ("accueil", "gaston-berger"),
        ("s.laurent", None),  # a mobility manager works from no residence
    ]


def test_the_demo_without_a_file_makes_a_fresh_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    interface = Interface()
    assert run("demo", interface=interface) == 0
    (made,) = tmp_path.glob("crous-desk-demo-*/demo.db")
    connect(made)
    assert Residence.select().count() >= 1


def test_a_demo_user_that_does_not_exist_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    interface = Interface()
    code = run("demo", "--db", str(tmp_path / "d.db"), "--user", "nobody", interface=interface)
    assert code == EXIT_REFUSED
    assert one_line(capsys.readouterr().err).startswith("no demo account 'nobody' (known: ")
    assert interface.calls == []


@pytest.mark.parametrize(
    ("raised", "code", "line"),
    [
        (KeyboardInterrupt(), 130, None),
        (OSError("the terminal went away"), EXIT_REFUSED, "the terminal went away"),
        (OverflowError("date value out of range"), EXIT_REFUSED, "a value is out of range"),
    ],
)
def test_what_stops_the_interface_is_one_line_and_an_exit_status(
    desk_file: Path,
    capsys: pytest.CaptureFixture[str],
    raised: BaseException,
    code: int,
    line: str | None,
) -> None:
    interface = Interface(raises=raised)
    assert run("run", "--db", str(desk_file), interface=interface) == code
    err = capsys.readouterr().err
    if line is None:
        assert err == ""
    else:
        assert line in one_line(err)


def test_a_bad_sign_in_setting_in_the_environment_is_a_usage_error(
    desk_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CROUS_DESK_SIGN_IN", "fingerprint")
    interface = Interface()
    assert run("run", "--db", str(desk_file), interface=interface) == EXIT_USAGE
    assert "CROUS_DESK_SIGN_IN" in one_line(capsys.readouterr().err)
    assert interface.calls == []
