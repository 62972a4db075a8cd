"""A key set taken back at one desk while another desk hands it over: the key log stays true and
no set is ever with two people.

Separate OS processes (the "spawn" start method: nothing shared but the SQLite file), released
together by a barrier. In a T2 flat with one key set, the first tenant holds the set; two desks
take it back from that tenant while two other desks hand the flat's keys to the second tenant.
Whatever the order, exactly one return happens, at most one handover, and replaying the key log
from the start never finds a set handed to someone while someone else holds it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import peewee
import pytest

from crous_desk.store.models import AuditLog, KeyLog, KeySet, Reservation
from tests import factories
from tests.desk_processes import Pool, desk_processes
from tests.factories import MONDAY_10H
from tests.tenants import ready, tenant

pytestmark = pytest.mark.slow

WORKERS = 4
ROUNDS = 6
TIMEOUT = 30


def worker(db_path: str, index: int, tasks: Any, results: Any, barrier: Any) -> None:
    """One desk process: wait for a task, meet the others, then take back or hand over."""
    from crous_desk.base.clock import FixedClock
    from crous_desk.base.errors import Refused
    from crous_desk.keys import actions as keys
    from crous_desk.services import Desk
    from crous_desk.store.db import connect
    from crous_desk.store.models import Residence, Staff

    connect(db_path)
    desk = Desk(
        Staff.get(Staff.username == f"desk{index}"),
        FixedClock(MONDAY_10H),
        Residence.get(Residence.code == "gaston-berger"),
    )
    while True:
        task = tasks.get()
        if task is None:
            return
        action, key_set_id, reservation_id = task
        try:
            barrier.wait(timeout=TIMEOUT)
            if action == "take_back":
                keys.take_back(desk, key_set_id, from_reservation=reservation_id)
            else:
                desk.hand_over_keys(reservation_id)
        except Refused as refused:
            results.put((index, action, "refused", str(refused)))
        except BaseException as error:  # any other outcome is reported as a crash
            results.put((index, action, "crash", f"{type(error).__name__}: {error}"))
        else:
            results.put((index, action, "ok", ""))


@pytest.fixture
def pool(database: peewee.Database, db_path: Path) -> Iterator[Pool]:
    with database.atomic():
        factories.residence()
        for username in ("accueil", "m.martin", "k.benali"):
            factories.staff(username)
        for i in range(WORKERS):
            factories.staff(f"desk{i}")
    with desk_processes(db_path, worker, WORKERS) as processes:
        yield processes


def replay(key_set: KeySet) -> int | None:
    """Walk the set's key log from the start; every handover finds the set free, every return
    comes from its holder. Returns the holder the log ends with."""
    holder: int | None = None
    for entry in KeyLog.select().where(KeyLog.key_set == key_set).order_by(KeyLog.id):
        if entry.action == "handover":
            assert holder is None, f"handed to {entry.reservation_id} while with {holder}"
            holder = entry.reservation_id
        elif entry.action == "return":
            assert holder is not None and entry.reservation_id == holder, (holder, entry)
            holder = None
    return holder


def test_a_return_racing_a_handover_keeps_the_key_log_true(pool: Pool) -> None:
    for round_ in range(ROUNDS):
        flat = factories.room(kind="flat_t2", key_sets=1)
        leaving = tenant(flat, first=f"Leaving{round_}")
        arriving = ready(flat, first=f"Arriving{round_}")
        (key_set,) = KeySet.select().where(KeySet.room == flat)
        assert (key_set.state, key_set.holder_id) == ("out", leaving.id)

        outcomes = pool.race(
            [
                ("take_back", key_set.id, leaving.id),
                ("hand_over", key_set.id, arriving.id),
                ("take_back", key_set.id, leaving.id),
                ("hand_over", key_set.id, arriving.id),
            ]
        )
        assert not [o for o in outcomes if o[2] not in ("ok", "refused")], outcomes
        assert not [o for o in outcomes if "locked" in o[3].lower()], outcomes
        returns = [o for o in outcomes if o[1] == "take_back" and o[2] == "ok"]
        handovers = [o for o in outcomes if o[1] == "hand_over" and o[2] == "ok"]
        assert len(returns) == 1, outcomes
        assert len(handovers) <= 1, outcomes

        key_set = KeySet.get_by_id(key_set.id)
        final_holder = replay(key_set)
        assert final_holder == key_set.holder_id
        arrived = Reservation.get_by_id(arriving.id)
        if handovers:
            assert (key_set.state, key_set.holder_id) == ("out", arriving.id)
            assert arrived.status == "checked_in"
        else:
            assert (key_set.state, key_set.holder_id) == ("desk", None)
            assert arrived.status == "accepted"
        log = list(KeyLog.select().where(KeyLog.key_set == key_set).order_by(KeyLog.id))
        assert [e.action for e in log] == ["handover", "return"] + ["handover"] * len(handovers)
        assert log[1].staff.username == f"desk{returns[0][0]}"
        if handovers:
            assert log[2].staff.username == f"desk{handovers[0][0]}"
        # one audit row for each key-log row written by the race
        audited = (
            AuditLog.select()
            .where(
                AuditLog.entity == "key_set",
                AuditLog.entity_id == key_set.id,
                AuditLog.action.in_(["keys.return", "keys.handover"]),
            )
            .count()
        )
        assert audited == len(log)
        for _index, action, verdict, message in outcomes:
            if verdict == "refused" and action == "take_back":
                assert (
                    "no longer with that tenant" in message
                    or "is at the desk: taking it back is not possible" in message
                    or "another desk changed" in message
                ), message
            if verdict == "refused" and action == "hand_over":
                assert (
                    "no key set of this room is at the desk" in message
                    or "already been handed over" in message
                    or "another desk changed" in message
                ), message
