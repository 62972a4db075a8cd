"""A key set is with one tenant at a time, even when several desks press "hand over" at once.

Separate OS processes (the "spawn" start method: nothing shared but the file) open the same
SQLite file and, released together by a barrier, hand over the single key set of one room.
Exactly one wins; the others get a plain refusal — never a crash, never "database is locked".
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import peewee
import pytest

from crous_desk.base.clock import FixedClock
from crous_desk.services import Desk
from crous_desk.store.models import KeyLog, KeySet, Reservation
from tests import factories, tenants
from tests.desk_processes import Pool, desk_processes
from tests.factories import MONDAY_10H

pytestmark = pytest.mark.slow

WORKERS = 4
ROUNDS = 5
TIMEOUT = 30  # seconds; a hung worker fails the test instead of hanging it


def worker(db_path: str, index: int, tasks: Any, results: Any, barrier: Any) -> None:
    """One desk process: wait for a reservation id, meet the others, hand over the keys."""
    from crous_desk.base.errors import Refused
    from crous_desk.store.db import connect
    from crous_desk.store.models import Residence, Staff

    connect(db_path)
    desk = Desk(
        Staff.get(Staff.username == f"desk{index}"),
        FixedClock(MONDAY_10H),
        Residence.get(Residence.code == "gaston-berger"),
    )
    while True:
        reservation_id = tasks.get()
        if reservation_id is None:
            return
        try:
            barrier.wait(timeout=TIMEOUT)
            desk.hand_over_keys(reservation_id)
        except Refused as refused:
            results.put((index, reservation_id, "refused", str(refused)))
        except BaseException as error:  # the test reports any other outcome as a crash
            results.put((index, reservation_id, "crash", f"{type(error).__name__}: {error}"))
        else:
            results.put((index, reservation_id, "ok", ""))


@pytest.fixture
def pool(database: peewee.Database, db_path: Path) -> Iterator[Pool]:
    with database.atomic():
        factories.residence()
        for i in range(WORKERS):
            factories.staff(f"desk{i}")
    with desk_processes(db_path, worker, WORKERS) as processes:
        yield processes


def ready_reservation(room: Any, first: str) -> Reservation:
    """An accepted reservation with a complete file and an acknowledged check-in inspection."""
    r = factories.reservation(first=first, room_=room, documents="verified")
    desk = Desk(factories.staff(), FixedClock(MONDAY_10H), factories.residence())
    inspection = desk.open_inspection(r.id)
    for item in inspection.items:
        desk.set_item(item.id, state="good")
    tenants.read_meters(desk, inspection.id)  # a flat with its own meters: read with the tenant
    desk.acknowledge_inspection(inspection.id)
    assert desk.handover_blockers(r.id) == []
    return r


def assert_one_winner(
    outcomes: list[tuple[int, int, str, str]], room: Any, reservation_ids: set[int]
) -> int:
    crashes = [o for o in outcomes if o[2] not in ("ok", "refused")]
    assert not crashes, crashes
    assert not [o for o in outcomes if "locked" in o[3].lower()], outcomes
    winners = [o for o in outcomes if o[2] == "ok"]
    assert len(winners) == 1, outcomes
    assert sum(o[2] == "refused" for o in outcomes) == WORKERS - 1
    winner = winners[0][1]

    (key_set,) = KeySet.select().where(KeySet.room == room)
    assert key_set.state == "out"
    assert key_set.holder_id == winner
    handovers = list(KeyLog.select().where(KeyLog.key_set == key_set, KeyLog.action == "handover"))
    assert len(handovers) == 1
    assert handovers[0].reservation_id == winner
    assert handovers[0].staff.username == f"desk{winners[0][0]}"
    statuses = {
        r.id: r.status for r in Reservation.select().where(Reservation.id << reservation_ids)
    }
    assert statuses[winner] == "checked_in"
    assert [s for rid, s in statuses.items() if rid != winner] == ["accepted"] * (
        len(reservation_ids) - 1
    )
    return winner


def test_desks_racing_on_one_reservation_hand_over_its_keys_once(pool: Pool) -> None:
    for round_ in range(ROUNDS):
        room = factories.room(kind="renovated", key_sets=1)
        r = ready_reservation(room, f"Round{round_}")
        outcomes = pool.race([r.id] * WORKERS)
        assert_one_winner(outcomes, room, {r.id})
        for _, _, verdict, message in outcomes:
            if verdict == "refused":
                assert (
                    "already been handed over" in message
                    or "no key set of this room is at the desk" in message
                    or "another desk changed" in message
                ), message


def test_two_tenants_of_a_t2_flat_cannot_both_take_its_one_key_set(pool: Pool) -> None:
    for round_ in range(ROUNDS):
        flat = factories.room(kind="flat_t2", key_sets=1)
        first = ready_reservation(flat, f"First{round_}")
        second = ready_reservation(flat, f"Second{round_}")
        # two desks for each tenant, all four at the same instant
        outcomes = pool.race([first.id, second.id, first.id, second.id])
        winner = assert_one_winner(outcomes, flat, {first.id, second.id})
        for _, reservation_id, verdict, message in outcomes:
            if verdict == "refused" and reservation_id != winner:
                assert (
                    "no key set of this room is at the desk" in message
                    or "another desk changed" in message
                ), message
