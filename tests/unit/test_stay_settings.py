"""A residence's own window to complete a check-in, its security deposit and each room's own
meters: set from the command line by an administrator, checked, audited; bad input changes
nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import time_machine

from crous_desk.cli.main import main
from crous_desk.store.db import connect
from crous_desk.store.models import AuditLog, Residence, Room
from crous_desk.store.models import db as proxy
from tests import factories
from tests.factories import MONDAY_10H


@pytest.fixture
def desk_db(db_path: Path) -> Path:
    connect(db_path)
    factories.residence()
    factories.room(number="B-112")
    proxy.obj.close()
    proxy.initialize(None)
    return db_path


def run(db: Path, *argv: str) -> int:
    with time_machine.travel(MONDAY_10H, tick=False):
        try:
            return main([*argv, "--db", str(db)])
        finally:
            if proxy.obj is not None:
                proxy.obj.close()
            proxy.initialize(None)


def read(db: Path):
    database = connect(db)
    try:
        residence = Residence.get()
        room = Room.get(Room.number == "B-112")
        audits = [
            (a.action, json.loads(a.after or "{}"))
            for a in AuditLog.select().where(AuditLog.action != "staff.create")
        ]
        return residence, room, audits
    finally:
        database.close()
        proxy.initialize(None)


def test_the_window_the_deposit_and_the_meters_are_set_and_audited(desk_db: Path, capsys) -> None:
    assert (
        run(desk_db, "etat", "window", "gaston-berger", "--days", "14", "--heating-starts", "10-15")
        == 0
    )
    assert "window 14 days, heating season from 10-15" in capsys.readouterr().out
    assert run(desk_db, "etat", "deposit", "gaston-berger", "300") == 0
    assert run(desk_db, "etat", "meters", "gaston-berger", "b-112", "electricity, water_hot") == 0
    residence, room, audits = read(desk_db)
    assert (residence.amendment_days, residence.heating_starts) == (14, "10-15")
    assert residence.deposit_cents == 30000
    assert room.meters == "electricity,water_hot"
    assert [a for a, _after in audits] == ["residence.stay", "residence.stay", "rooms.meters"]
    assert audits[0][1]["amendment_days"] == 14
    assert audits[-1][1]["effective"] == ["electricity", "water_hot"]
    assert run(desk_db, "etat", "deposit", "gaston-berger", "-") == 0
    assert run(desk_db, "etat", "meters", "gaston-berger", "B-112", "kind") == 0
    residence, room, _audits = read(desk_db)
    assert (residence.deposit_cents, room.meters) == (None, None)


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (("window", "gaston-berger", "--days", "90"), "0 to 60 days"),
        (("window", "gaston-berger", "--heating-starts", "31-10"), "MM-DD"),
        (("deposit", "gaston-berger", "abc"), "not an amount"),
        (("meters", "gaston-berger", "B-112", "steam"), "unknown meter"),
        (("meters", "gaston-berger", "Z-999", "electricity"), "no room Z-999"),
    ],
)
def test_bad_settings_are_refused_and_change_nothing(
    desk_db: Path, capsys, argv: tuple[str, ...], says: str
) -> None:
    assert run(desk_db, "etat", "window", "gaston-berger") == 0  # the operator's account
    capsys.readouterr()
    before = read(desk_db)
    assert run(desk_db, "etat", *argv) == 1
    assert says in capsys.readouterr().err
    after = read(desk_db)
    assert (after[0].__data__, after[1].__data__, after[2]) == (
        before[0].__data__,
        before[1].__data__,
        before[2],
    )
