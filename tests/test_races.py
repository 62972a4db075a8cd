"""Sixteen desks at once, on whichever database the suite runs on (an SQLite file, or a
PostgreSQL server whose READ COMMITTED transactions run side by side): separate OS processes
("spawn": nothing shared but the database), released together by a barrier, race for one key
set, append to the audit chain, book one slot, promise one room, add key sets to one room and
make the installation's secret. Every race ends with no double issue, no broken chain, no
over-booked slot, and no error a person would see: each loser gets a plain refusal."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import peewee
import pytest

from crous_desk.base.clock import FixedClock
from crous_desk.services import Desk
from crous_desk.store.audit import verify_chain
from crous_desk.store.models import Appointment, AuditLog, KeySet, Reservation, Room, Setting
from tests import factories
from tests.desk_processes import Pool, desk_processes
from tests.factories import MONDAY_10H
from tests.test_key_race import ready_reservation

pytestmark = pytest.mark.slow

DESKS = 16
TIMEOUT = 60
SLOT = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))  # Tuesday, 10:00
ENTRIES = 10  # audit entries each desk appends


def worker(db_path: str, index: int, tasks: Any, results: Any, barrier: Any) -> None:
    """One desk process: for each task, meet the others at the barrier, then do it."""
    from crous_desk.arrivals.appointments import SlotPolicy, book_appointment
    from crous_desk.arrivals.payload import installation_secret
    from crous_desk.base.errors import Refused
    from crous_desk.keys import add_key_set
    from crous_desk.store import audit
    from crous_desk.store.db import connect
    from crous_desk.store.models import Residence, Staff, db

    connect(db_path)
    desk = Desk(
        Staff.get(Staff.username == f"desk{index}"),
        FixedClock(MONDAY_10H),
        Residence.get(Residence.code == "gaston-berger"),
    )

    def append() -> str:
        for i in range(ENTRIES):
            with db.atomic():
                audit.record(f"desk{index}", MONDAY_10H, "race.entry", "thing", i)
        return ""

    work = {
        "handover": lambda arg: desk.hand_over_keys(arg) and "",
        "audit": lambda arg: append(),
        "book": lambda arg: book_appointment(desk, arg, SLOT, SlotPolicy(30, 2)) and "",
        "promise": lambda arg: desk.send_proposal(arg[0], arg[1]) and "",
        "add_key_set": lambda arg: add_key_set(desk, arg).label,
        "secret": lambda arg: installation_secret().hex(),
    }
    while True:
        task = tasks.get()
        if task is None:
            return
        kind, arg = task
        try:
            barrier.wait(timeout=TIMEOUT)
            said = work[kind](arg)
        except Refused as refused:
            results.put((index, kind, "refused", str(refused)))
        except BaseException as error:  # the test reports any other outcome as a crash
            results.put((index, kind, "crash", f"{type(error).__name__}: {error}"))
        else:
            results.put((index, kind, "ok", said))


@pytest.fixture
def pool(database: peewee.Database, db_path: Path) -> Iterator[Pool]:
    with database.atomic():
        factories.residence()
        for i in range(DESKS):
            factories.staff(f"desk{i}")
    with desk_processes(db_path, worker, DESKS) as processes:
        yield processes


def verdicts(outcomes: list[tuple[int, str, str, str]]) -> dict[str, int]:
    crashes = [o for o in outcomes if o[2] not in ("ok", "refused")]
    assert not crashes, crashes
    assert not [o for o in outcomes if "locked" in o[3].lower()], outcomes
    return {v: sum(o[2] == v for o in outcomes) for v in ("ok", "refused")}


def test_sixteen_desks_racing(pool: Pool) -> None:

    # one key set, sixteen desks handing it over to the same tenant: once
    room = factories.room(kind="renovated", key_sets=1)
    tenant = ready_reservation(room, "Racing")
    outcomes = pool.race([("handover", tenant.id)] * DESKS)
    assert verdicts(outcomes) == {"ok": 1, "refused": DESKS - 1}
    (key_set,) = KeySet.select().where(KeySet.room == room)
    assert (key_set.state, key_set.holder_id) == ("out", tenant.id)
    assert Reservation.get_by_id(tenant.id).status == "checked_in"

    # sixteen writers appending to the audit chain: one chain, every entry in it
    before = AuditLog.select().count()
    outcomes = pool.race([("audit", None)] * DESKS)
    assert verdicts(outcomes) == {"ok": DESKS, "refused": 0}
    report = verify_chain()
    assert report.intact, report.reason
    assert report.entries == before + DESKS * ENTRIES

    # sixteen arrivals booked in one slot of two places: two of them
    arrivals = [factories.reservation(first=f"Slot{i}", documents="none") for i in range(DESKS)]
    outcomes = pool.race([("book", r.id) for r in arrivals])
    assert verdicts(outcomes) == {"ok": 2, "refused": DESKS - 2}
    assert Appointment.select().count() == 2
    for _, _, verdict, message in outcomes:
        assert verdict == "ok" or "is full" in message or "another desk changed" in message

    # sixteen requests promised one single room: one of them
    single = factories.room(kind="renovated", key_sets=0)
    requests = [
        factories.reservation(first=f"Ask{i}", status="requested", documents="none")
        for i in range(DESKS)
    ]
    outcomes = pool.race([("promise", (r.id, single.number)) for r in requests])
    assert verdicts(outcomes) == {"ok": 1, "refused": DESKS - 1}
    promised = Reservation.select().where(Reservation.room == single)
    assert [r.status for r in promised] == ["proposed"]
    for _, _, verdict, message in outcomes:
        assert verdict == "ok" or "already promised" in message, message

    # sixteen sets added to one room at once: sixteen labels, all different
    spare = factories.room(kind="renovated", key_sets=0)
    outcomes = pool.race([("add_key_set", spare.id)] * DESKS)
    assert verdicts(outcomes) == {"ok": DESKS, "refused": 0}
    labels = sorted(o[3] for o in outcomes)
    assert len(set(labels)) == DESKS
    assert KeySet.select().where(KeySet.room == spare).count() == DESKS

    # the installation's secret, made by sixteen desks at once: one secret, the same for all
    outcomes = pool.race([("secret", None)] * DESKS)
    assert verdicts(outcomes) == {"ok": DESKS, "refused": 0}
    assert len({o[3] for o in outcomes}) == 1
    assert Setting.select().count() == 1

    assert verify_chain().intact
    assert Room.select().count() > 0
